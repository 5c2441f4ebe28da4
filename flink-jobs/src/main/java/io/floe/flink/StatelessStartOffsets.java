package io.floe.flink;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;

/**
 * Where a job without state starts reading: the control topic from its beginning; the updates
 * topic, when models continue from the models topic, from the oldest timestamp at which one of
 * their newest versions was made; every other partition from the consumer group's committed
 * offsets (earliest when the group has none).
 *
 * <p>The source commits its offsets to the group on each checkpoint, so a job redeployed without a
 * savepoint under the same group id would otherwise start after the specs that created its models
 * (and have no model to send updates to), and after updates the lost job had taken into a round it
 * never closed (trainers that sent them wait for the next version, which would never come). An
 * update for the round on version v is sent after v was made, so reading updates from the made-at
 * time of the newest versions finds them all; older ones are refused as from another round. A job
 * restored from a checkpoint or savepoint reads from the offsets in its state and never asks this
 * initializer about those partitions.
 */
final class StatelessStartOffsets implements OffsetsInitializer {
    private static final long serialVersionUID = 1L;

    private final String controlTopic;
    private final String updatesTopic;
    /** Epoch millis to read the updates topic from; negative: from the committed offsets. */
    private final long updatesFrom;

    StatelessStartOffsets(String controlTopic, String updatesTopic, long updatesFrom) {
        this.controlTopic = controlTopic;
        this.updatesTopic = updatesTopic;
        this.updatesFrom = updatesFrom;
    }

    @Override
    public Map<TopicPartition, Long> getPartitionOffsets(Collection<TopicPartition> partitions, PartitionOffsetsRetriever retriever) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        Map<TopicPartition, Long> updatesAt = new HashMap<>();
        for (TopicPartition tp : partitions) {
            if (tp.topic().equals(controlTopic)) {
                offsets.put(tp, KafkaPartitionSplit.EARLIEST_OFFSET);
            } else if (tp.topic().equals(updatesTopic) && updatesFrom >= 0) {
                updatesAt.put(tp, updatesFrom);
            } else {
                // resolved by the split reader: the committed offset, else auto.offset.reset (earliest)
                offsets.put(tp, KafkaPartitionSplit.COMMITTED_OFFSET);
            }
        }
        if (!updatesAt.isEmpty()) {
            Map<TopicPartition, OffsetAndTimestamp> found = retriever.offsetsForTimes(updatesAt);
            Map<TopicPartition, Long> end = retriever.endOffsets(updatesAt.keySet());
            for (TopicPartition tp : updatesAt.keySet()) {
                OffsetAndTimestamp at = found.get(tp);
                offsets.put(tp, at != null ? at.offset() : end.get(tp));
            }
        }
        return offsets;
    }

    /** For a partition the group has no committed offset for. */
    @Override
    public OffsetResetStrategy getAutoOffsetResetStrategy() {
        return OffsetResetStrategy.EARLIEST;
    }
}
