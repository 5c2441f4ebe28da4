package io.floe.flink.io;

import java.nio.charset.StandardCharsets;

/** A record the job publishes: target topic, key (the model id) and encoded value. A Flink POJO. */
public class OutboundRecord {
    public String topic;
    public byte[] key;
    public byte[] value;

    public OutboundRecord() {
    }

    public OutboundRecord(String topic, byte[] key, byte[] value) {
        this.topic = topic;
        this.key = key;
        this.value = value;
    }

    public static OutboundRecord keyed(String topic, String modelId, byte[] value) {
        return new OutboundRecord(topic, modelId == null ? null : modelId.getBytes(StandardCharsets.UTF_8), value);
    }

    @Override
    public String toString() {
        return "OutboundRecord[" + topic + ", " + (key == null ? "null" : new String(key, StandardCharsets.UTF_8)) + "]";
    }
}
