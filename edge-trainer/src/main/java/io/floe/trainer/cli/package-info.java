/**
 * Command-line entry points of the edge trainer: the trainer daemon, model registration and the
 * privacy accountant (behind {@code ./floe}), and {@link io.floe.trainer.cli.TrainerMain}, the
 * packaged trainer's {@code bin/floe-trainer}.
 */
package io.floe.trainer.cli;
