package io.floe.bench.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IngestCommandTest {
    @Test
    void theReportsCommandLineQuotesAProfileOfSeveralCases() {
        assertThat(IngestCommand.shellWord("rules")).isEqualTo("rules");
        assertThat(IngestCommand.shellWord("10M,32,2,2,1000,rocksdb,rule=krum")).isEqualTo("10M,32,2,2,1000,rocksdb,rule=krum");
        assertThat(IngestCommand.shellWord("/tmp/krum-bench/krum.json")).isEqualTo("/tmp/krum-bench/krum.json");
        assertThat(IngestCommand.shellWord("10M,32,1,2,1000,rocksdb,rule=krum;10M,32,2,2,1000,rocksdb,rule=krum"))
                .as("';' would end the command in a shell").isEqualTo("'10M,32,1,2,1000,rocksdb,rule=krum;10M,32,2,2,1000,rocksdb,rule=krum'");
        assertThat(IngestCommand.shellWord("1M,4,1,1,200,hashmap; 2M,4,1,1,200,hashmap")).startsWith("'").endsWith("'");
        assertThat(IngestCommand.shellWord("it's")).isEqualTo("'it'\\''s'");
        assertThat(IngestCommand.shellWord("")).isEqualTo("''");
    }
}
