/**
 * What an operator publishes on the control topic besides model specs: client enrolments,
 * revocations and quarantine releases ({@link io.floe.trainer.operator.ClientCommands}), signed with
 * the operator's Ed25519 key when one is given, and the producer that writes them keyed by model id
 * ({@link io.floe.trainer.operator.ControlTopicPublisher}). Behind {@code ./floe enrol}, {@code revoke}
 * and {@code release}; the job checks the signatures against its {@code --operator-keys}.
 */
package io.floe.trainer.operator;
