/**
 * Command-line entry points of the edge trainer: the trainer daemon, model registration and the
 * privacy accountant (behind {@code ./floe}), the operator's keys and client enrolment commands
 * ({@link io.floe.trainer.cli.OperatorMain}: keys, enrol, revoke, release), and
 * {@link io.floe.trainer.cli.TrainerMain}, the packaged trainer's {@code bin/floe-trainer}.
 */
package io.floe.trainer.cli;
