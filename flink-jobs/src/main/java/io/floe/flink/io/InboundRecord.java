package io.floe.flink.io;

/** A Kafka record exactly as it arrived, with where it came from (for dead letters). A Flink POJO. */
public class InboundRecord {
    public String topic;
    public int partition;
    public long offset;
    public long timestamp;
    public byte[] key;
    public byte[] value;
    /**
     * -1, or the size of a value larger than the job accepts: then {@link #value} holds only its
     * first bytes ({@link ValueReference}) and {@link #valueSha256} the hash of the whole.
     */
    public long droppedValueBytes = -1;
    public byte[] valueSha256;

    public InboundRecord() {
    }

    public InboundRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
    }

    /**
     * The record with its value replaced by a {@link ValueReference}: what the source hands on for
     * a value over the job's limit, so that no operator ever holds, copies or decodes it.
     */
    public static InboundRecord byReference(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
        ValueReference ref = ValueReference.of(value);
        InboundRecord r = new InboundRecord(topic, partition, offset, timestamp, key, ref.head());
        r.droppedValueBytes = ref.size();
        r.valueSha256 = ref.sha256();
        return r;
    }

    /** Whether the value was over the job's limit and only its reference travels ({@link #byReference}). */
    public boolean valueDropped() {
        return droppedValueBytes >= 0;
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}
