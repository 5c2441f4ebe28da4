package io.floe.flink;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;

/**
 * Where a job without state starts reading: the control topic from its beginning, every other
 * topic from the consumer group's committed offsets (earliest when the group has none).
 *
 * <p>The source commits its offsets to the group on each checkpoint, so a job redeployed without a
 * savepoint under the same group id would otherwise start after the specs that created its models,
 * and have no model to send their updates to. Specs are few and replaying them is what a
 * stateless start needs: each creates its model, or continues it from the models topic
 * ({@code --resume-from-topics}). A job restored from a checkpoint or savepoint reads from the
 * offsets in its state and never asks this initializer about those partitions.
 */
final class ControlFromEarliest implements OffsetsInitializer {
    private static final long serialVersionUID = 1L;

    private final String controlTopic;

    ControlFromEarliest(String controlTopic) {
        this.controlTopic = controlTopic;
    }

    @Override
    public Map<TopicPartition, Long> getPartitionOffsets(Collection<TopicPartition> partitions, PartitionOffsetsRetriever retriever) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (TopicPartition tp : partitions) {
            // the markers are resolved by the split reader: seek to the beginning, or to the committed offset
            offsets.put(tp, tp.topic().equals(controlTopic) ? KafkaPartitionSplit.EARLIEST_OFFSET : KafkaPartitionSplit.COMMITTED_OFFSET);
        }
        return offsets;
    }

    /** For a partition the group has no committed offset for. */
    @Override
    public OffsetResetStrategy getAutoOffsetResetStrategy() {
        return OffsetResetStrategy.EARLIEST;
    }
}
