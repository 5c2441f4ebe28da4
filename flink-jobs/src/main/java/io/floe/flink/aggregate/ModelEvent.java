package io.floe.flink.aggregate;

import io.floe.flink.io.InboundRecord;

/**
 * A decodable record addressed to one model: a ModelSpec, ClientRelease, ClientEnrolment or
 * ClientRevocation from the control topic,
 * a ModelUpdate from the updates topic, a ClientHeartbeat from the clients topic, or a
 * ChunkScoreShare from the job's own chunk-scores topic. It carries the original bytes (re-decoded by the keyed operator, which
 * keeps Flink's type system out of Avro) and the inbound record for dead-letter provenance.
 */
public class ModelEvent {
    public enum Kind { SPEC, RELEASE, ENROLMENT, REVOCATION, UPDATE, HEARTBEAT, CHUNK_RECEIPT, SCORE_SHARE }

    public String modelId;
    public Kind kind;
    public InboundRecord origin;
    /** CHUNK_RECEIPT only: what routing learned of an UpdateChunk (whose bytes went to its folder, not here). */
    public io.floe.flink.shard.ChunkReceipt receipt;

    public ModelEvent() {
    }

    public ModelEvent(String modelId, Kind kind, InboundRecord origin) {
        this.modelId = modelId;
        this.kind = kind;
        this.origin = origin;
    }
}
