package io.floe.flink.shard;

/** A chunk a folder added to its open round: the weight it was added with and where it is on Kafka (to take it out again). A Flink POJO. */
public class FoldedChunk {
    public long weight;
    public String topic;
    public int partition;
    public long offset;
    /** FedNova's a_i the values were divided by (1 otherwise). */
    public double divisor = 1.0;

    public FoldedChunk() {
    }

    public FoldedChunk(long weight, String topic, int partition, long offset) {
        this.weight = weight;
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
    }
}
