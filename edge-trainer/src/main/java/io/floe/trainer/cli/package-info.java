/** Command-line entry points of the edge trainer: the trainer daemon and model registration. */
package io.floe.trainer.cli;
