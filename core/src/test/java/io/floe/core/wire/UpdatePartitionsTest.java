package io.floe.core.wire;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UpdatePartitionsTest {
    @Test
    void headersGetPartitionZeroAndChunksTheOthersInTurn() {
        assertThat(UpdatePartitions.header(4)).isZero();
        assertThat(UpdatePartitions.chunk(0, 4)).isEqualTo(1);
        assertThat(UpdatePartitions.chunk(2, 4)).isEqualTo(3);
        assertThat(UpdatePartitions.chunk(3, 4)).isEqualTo(1);
        assertThat(UpdatePartitions.chunk(7, 2)).isEqualTo(1);
        assertThat(UpdatePartitions.header(1)).as("one partition: Kafka's own choice").isNull();
        assertThat(UpdatePartitions.chunk(5, 1)).isNull();
        assertThat(UpdatePartitions.chunk(5, 0)).as("partitions unknown").isNull();
    }
}
