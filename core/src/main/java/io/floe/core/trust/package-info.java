/**
 * Who may speak for whom: Ed25519 keys ({@link io.floe.core.trust.Ed25519Keys}), the canonical
 * bytes a floe record is signed over ({@link io.floe.core.trust.CanonicalBytes}), signing and
 * checking ({@link io.floe.core.trust.RecordSignatures}), the operators the job trusts
 * ({@link io.floe.core.trust.OperatorKeys}), a client's enrolment for a model
 * ({@link io.floe.core.trust.Enrolment}) and the decisions made from them
 * ({@link io.floe.core.trust.ClientAuthentication}, {@link io.floe.core.trust.UpdateIdGuard}).
 * Plain Java; the Flink job and the trainers are thin shells around these classes.
 */
package io.floe.core.trust;
