package io.floe.bench.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.core.chunk.ChunkLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

class IngestCaseTest {
    private static final int CHUNK = ChunkLayout.DEFAULT_CHUNK_BYTES;

    @Test
    void theQuickProfileHasTheIssuesCases() {
        List<IngestCase> quick = IngestCase.profile("quick", CHUNK);
        assertThat(quick).extracting(IngestCase::name).containsExactly("d=1M K=32 p=1", "d=10M K=32 p=2", "d=10M K=32 p=2 signed",
                "d=100M K=8 p=2");
        assertThat(quick.get(0).checkpointMs()).isEqualTo(200);
        assertThat(quick.get(0).warmupRounds()).isEqualTo(1);
        assertThat(quick.get(2)).as("the signed row is the unsigned one with signatures").isEqualTo(quick.get(1).withSignatures());
        assertThat(quick.get(3).stateBackend()).as("a 100M model's round fits a 2 GB heap since chunks no longer wait")
                .isEqualTo("hashmap");
    }

    @Test
    void casesParse() {
        assertThat(IngestCase.profile("100k,4,1,2,200,hashmap; 2M,3,2,1,500,rocksdb", CHUNK)).containsExactly(
                new IngestCase(100_000, 4, 1, 2, 200, "hashmap", CHUNK), new IngestCase(2_000_000, 3, 2, 1, 500, "rocksdb", CHUNK));
        assertThat(IngestCase.profile("1M,32,1,12,200,hashmap,2", CHUNK)).containsExactly(
                new IngestCase(1_000_000, 32, 1, 12, 200, "hashmap", CHUNK, 2));
        assertThat(IngestCase.profile("1M,32,1,12,200,hashmap,2,signed", CHUNK)).containsExactly(
                new IngestCase(1_000_000, 32, 1, 12, 200, "hashmap", CHUNK, 2, true));
        assertThatThrownBy(() -> IngestCase.profile("1M,32,1,12,200,hashmap,2,fast", CHUNK)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IngestCase.profile("fast", CHUNK)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IngestCase.profile("1M,4,1,2,200,memory", CHUNK)).isInstanceOf(IllegalArgumentException.class);
    }
}
