package io.floe.bench.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.core.aggregate.AggregationRules;
import io.floe.core.aggregate.CoordinateWiseMedian;
import io.floe.core.aggregate.TrimmedMean;
import io.floe.core.chunk.ChunkLayout;
import io.floe.core.settings.AggregationSettings;
import io.floe.core.settings.SpecValidator;
import io.floe.schema.AggregationConfig;
import io.floe.schema.ModelSpec;
import java.nio.file.Path;
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

    @Test
    void theQuickAndFullProfilesRunFedAvg() {
        assertThat(IngestCase.profile("quick", CHUNK)).extracting(IngestCase::rule).containsOnly("fedavg");
        assertThat(IngestCase.profile("full", CHUNK)).extracting(IngestCase::rule).containsOnly("fedavg");
    }

    @Test
    void theRulesProfileRunsTheCoordinateWiseRulesAtTheQuickProfilesSizesOnRocksDb() {
        List<IngestCase> rules = IngestCase.profile("rules", CHUNK);
        assertThat(rules).extracting(IngestCase::name).containsExactly("d=10M K=32 p=1 median", "d=10M K=32 p=2 median",
                "d=10M K=32 p=1 trimmed-mean", "d=100M K=8 p=2 median", "d=100M K=8 p=1 median");
        List<IngestCase> quick = IngestCase.profile("quick", CHUNK);
        IngestCase quick10M = quick.get(1);
        IngestCase quick100M = quick.get(3);
        for (IngestCase c : rules) {
            IngestCase same = c.parameters() == quick10M.parameters() ? quick10M : quick100M;
            assertThat(c.stateBackend()).as(c.name() + ": K slices of 4d bytes do not fit the job's 2 GB heap").isEqualTo("rocksdb");
            assertThat(c.checkpointMs()).as(c.name()).isEqualTo(same.checkpointMs());
            assertThat(c.rounds()).as(c.name()).isEqualTo(same.rounds());
            assertThat(c.clients()).as(c.name()).isEqualTo(same.clients());
            assertThat(c.signed()).isFalse();
        }
        assertThat(IngestBenchmark.logs(Path.of("/tmp/x.json"), rules.get(1))).as("a rule's logs do not overwrite FedAvg's")
                .isNotEqualTo(IngestBenchmark.logs(Path.of("/tmp/x.json"), quick10M));
    }

    @Test
    void theJobTakesEveryRulesCaseOnTheChunkedPath() {
        for (IngestCase c : IngestCase.profile("rules", CHUNK)) {
            ModelSpec spec = IngestBenchmark.spec(c);
            assertThat(spec.getAggregation().getRule()).isEqualTo(c.rule());
            assertThat(spec.getAggregation().getChunkBytes()).isEqualTo(CHUNK);
            assertThat(SpecValidator.validate(spec)).as(c.name()).isInstanceOf(SpecValidator.Result.Valid.class);
            assertThat(AggregationSettings.from(spec).robustness().rule()).as(c.name())
                    .isInstanceOf(c.rule().equals("median") ? CoordinateWiseMedian.class : TrimmedMean.class);
        }
    }

    @Test
    void aCaseNamesExactlyTheRulesTheJobTakesOnTheChunkedPath() {
        ModelSpec fedavg = IngestBenchmark.spec(new IngestCase(1_000_000, 32, 1, 1, 1000, "hashmap", CHUNK));
        for (String rule : AggregationRules.names()) {
            ModelSpec spec = ModelSpec.newBuilder(fedavg)
                    .setAggregation(AggregationConfig.newBuilder(fedavg.getAggregation()).setRule(rule).build()).build();
            boolean jobTakesIt = SpecValidator.validate(spec) instanceof SpecValidator.Result.Valid;
            String profile = "1M,32,1,1,1000,hashmap,rule=" + rule;
            if (jobTakesIt) {
                assertThat(IngestCase.profile(profile, CHUNK)).extracting(IngestCase::rule).as(rule).containsExactly(rule);
            } else {
                assertThatThrownBy(() -> IngestCase.profile(profile, CHUNK)).as(rule).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("rule " + rule + " is not on the chunked path yet");
            }
        }
    }

    @Test
    void aRuleIsAnOptionalFieldOfACase() {
        IngestCase plain = new IngestCase(10_000_000, 32, 2, 2, 1000, "hashmap", CHUNK);
        assertThat(IngestCase.profile("10M,32,2,2,1000,hashmap,rule=median", CHUNK)).containsExactly(plain.withRule("median"));
        assertThat(IngestCase.profile("10M,32,2,2,1000,hashmap, rule=Trimmed-Mean", CHUNK))
                .containsExactly(plain.withRule("trimmed-mean"));
        assertThat(IngestCase.profile("10M,32,2,2,1000,hashmap,1,signed,rule=median; 10M,32,2,2,1000,hashmap,rule=fedavg,signed", CHUNK))
                .containsExactly(new IngestCase(10_000_000, 32, 2, 2, 1000, "hashmap", CHUNK, 1, true, "median"), plain.withSignatures());
        assertThat(IngestCase.profile("10M,32,2,2,1000,hashmap,1,signed,rule=median", CHUNK).get(0).name())
                .isEqualTo("d=10M K=32 p=2 median signed");
        assertThat(IngestCase.profile("10M,32,2,2,1000,hashmap,signed", CHUNK)).containsExactly(plain.withSignatures());
        assertThatThrownBy(() -> IngestCase.profile("10M,32,2,2,1000,hashmap,rule=median,rule=median", CHUNK))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("each at most once");
        assertThatThrownBy(() -> IngestCase.profile("10M,32,2,2,1000,hashmap,signed,1", CHUNK))
                .as("the warm-up count comes first").isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IngestCase.profile("10M,32,2,2,1000,hashmap,rule=geomedian", CHUNK))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown rule 'geomedian'");
        assertThatThrownBy(() -> IngestCase.profile("10M,32,2,2,1000,hashmap,rule=", CHUNK))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
