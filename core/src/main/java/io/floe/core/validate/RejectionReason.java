package io.floe.core.validate;

/** Machine-readable reasons a record is rejected; the codes appear on floe.deadletter and in reports. */
public enum RejectionReason {
    /** The value is not a single-object encoded record of the expected type. */
    UNDECODABLE,
    /**
     * The record is larger than the job accepts (--max-record-bytes), or an update larger than its
     * model's size allows; dead-lettered by reference, never decoded.
     */
    RECORD_TOO_LARGE,
    /**
     * The record's Kafka key is not its model id (UTF-8). Every floe producer keys by model id,
     * which keeps a model's records in order on one partition and compaction per model; a record
     * keyed otherwise comes from a broken or hostile producer.
     */
    KEY_MISMATCH,
    /** An update names a model no ModelSpec has created. */
    UNKNOWN_MODEL,
    /** An update was trained from a version the server has not published yet (from the future). */
    WRONG_BASE_VERSION,
    /** Sync: trained from a version whose round has closed. */
    LATE_UPDATE,
    /** Async: staler than the model's maxStaleness (or than the versions FedAsync keeps). */
    STALE_UPDATE,
    /** The client already contributed an update to the open round. */
    DUPLICATE_CLIENT,
    /** Tensor names, shapes or dtypes differ from the model's. */
    LAYOUT_MISMATCH,
    /** A tensor's bytes do not match its shape or encoding. */
    MALFORMED_TENSOR,
    /** A value is NaN or infinite. */
    NON_FINITE_VALUES,
    /** A fednova model's update reports fewer than one local step (FedNova normalises by them). */
    INVALID_LOCAL_STEPS,
    /** numExamples is zero or negative. */
    NON_POSITIVE_EXAMPLES,
    /** updateId, clientId or modelId is empty. */
    MISSING_ID,
    /** A ModelSpec is inconsistent (unknown rule, bad round size, bad weights, changed layout). */
    INVALID_SPEC,
    /** The anomaly policy rejected the update when its round closed (scores in the report). */
    ANOMALOUS_UPDATE,
    /** The client is quarantined for this model until an operator releases it. */
    QUARANTINED,
    /** A control command (e.g. a client release) names something that does not exist. */
    INVALID_COMMAND,
    /** The model's privacy budget is spent: it publishes no further versions. */
    PRIVACY_BUDGET_EXHAUSTED,
    /** Sync: the open version carries an explicit selection that does not name the client. */
    NOT_SELECTED,
    /**
     * Chunked models: a chunk's SHA-256 or size is not what its header's manifest lists, or its
     * values cannot be folded (not finite, or 2^32 or more in magnitude). The whole update is dropped.
     */
    CHUNK_MISMATCH,
    /** Chunked models: a chunk of an admitted update had not arrived when its round's deadline passed. The whole update is dropped. */
    MISSING_CHUNK,
    /** Chunked models: a chunk whose header was refused, or that waited for its header longer than the job keeps chunks. */
    ORPHAN_CHUNK,
    /** A record that must be signed is not: a client record of a model that requires client authentication, or an operator command to a job with operator keys. */
    UNSIGNED,
    /** A signature that the enrolled client key (or, for an operator command, no trusted operator key) verifies: forged or altered. */
    BAD_SIGNATURE,
    /** The model requires client authentication and no operator has enrolled this client for it. */
    NOT_ENROLLED,
    /** The client's enrolment for this model was revoked by an operator. */
    REVOKED_CLIENT,
    /** The client's enrolment for this model has expired. */
    ENROLMENT_EXPIRED,
    /** An update received before (same id, same client), or signed longer ago than the replay window. */
    REPLAYED_UPDATE,
    /** An update id that another client already used for this model: ids are unique per model. */
    DUPLICATE_UPDATE_ID
}
