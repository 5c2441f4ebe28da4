package io.floe.bench.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.core.aggregate.AggregationRules;
import io.floe.core.aggregate.Bulyan;
import io.floe.core.aggregate.CoordinateWiseMedian;
import io.floe.core.aggregate.Krum;
import io.floe.core.aggregate.KrumSelection;
import io.floe.core.aggregate.MultiKrum;
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
    void theRulesProfileRunsTheRobustRulesAtTheQuickProfilesSizesOnRocksDb() {
        List<IngestCase> rules = IngestCase.profile("rules", CHUNK);
        assertThat(rules).extracting(IngestCase::name).containsExactly("d=10M K=32 p=1 median", "d=10M K=32 p=2 median",
                "d=10M K=32 p=1 trimmed-mean", "d=100M K=8 p=2 median", "d=100M K=8 p=1 median", "d=10M K=32 p=1 krum f=7",
                "d=10M K=32 p=2 krum f=7");
        assertThat(rules.get(5)).as("Krum's rows are the median's with the rule swapped").isEqualTo(rules.get(0).withRule("krum"));
        assertThat(rules.get(6)).isEqualTo(rules.get(1).withRule("krum"));
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
        assertThat(CaseLogs.of(Path.of("/tmp/x.json"), rules.get(1))).as("a rule's logs do not overwrite FedAvg's")
                .isNotEqualTo(CaseLogs.of(Path.of("/tmp/x.json"), quick10M));
    }

    @Test
    void theJobTakesEveryRulesCaseOnTheChunkedPath() {
        for (IngestCase c : IngestCase.profile("rules", CHUNK)) {
            ModelSpec spec = IngestBenchmark.spec(c);
            assertThat(spec.getAggregation().getRule()).isEqualTo(c.rule());
            assertThat(spec.getAggregation().getChunkBytes()).isEqualTo(CHUNK);
            assertThat(SpecValidator.validate(spec)).as(c.name()).isInstanceOf(SpecValidator.Result.Valid.class);
            assertThat(AggregationSettings.from(spec).robustness().rule()).as(c.name()).isInstanceOf(switch (c.rule()) {
                case "median" -> CoordinateWiseMedian.class;
                case "trimmed-mean" -> TrimmedMean.class;
                case "krum" -> Krum.class;
                default -> throw new AssertionError("the rules profile runs " + c.rule());
            });
            assertThat(spec.getAggregation().getByzantineClients()).as(c.name()).isEqualTo(c.byzantineClients());
        }
    }

    @Test
    void aKrumFamilyCaseRunsWithTheLargestFBulyanTakesAndNamesIt() {
        assertThat(IngestCase.byzantineFor(32)).isEqualTo(7);
        assertThat(IngestCase.byzantineFor(8)).isEqualTo(1);
        assertThat(IngestCase.byzantineFor(7)).isEqualTo(1);
        assertThat(IngestCase.byzantineFor(6)).isZero();
        assertThat(IngestCase.byzantineFor(3)).isZero();
        assertThat(IngestCase.byzantineFor(1)).isZero();
        for (String rule : List.of(Krum.NAME, MultiKrum.NAME, Bulyan.NAME)) {
            for (int k = 3; k <= 64; k++) {
                IngestCase c = new IngestCase(1_000_000, k, 1, 1, 1000, "rocksdb", CHUNK).withRule(rule);
                int f = c.byzantineClients();
                assertThat(f).as(rule + " K=" + k).isEqualTo(IngestCase.byzantineFor(k));
                assertThat(k).as(rule + " K=" + k + ": Bulyan's bound, the strictest").isGreaterThanOrEqualTo(4 * f + 3);
                assertThat(4 * (f + 1) + 3).as(rule + " K=" + k + ": f is the largest Bulyan takes").isGreaterThan(k);
                assertThat(c.name()).as(rule + " K=" + k).endsWith(" " + rule + " f=" + f);
                ModelSpec spec = IngestBenchmark.spec(c);
                assertThat(spec.getAggregation().getByzantineClients()).isEqualTo(f);
                assertThat(SpecValidator.validate(spec)).as(c.name()).isInstanceOf(SpecValidator.Result.Valid.class);
                assertThat(KrumSelection.problem(AggregationSettings.from(spec).robustness().rule(), k)).as(c.name()).isNull();
            }
            for (int k = 1; k <= 2; k++) {
                int clients = k;
                assertThatThrownBy(() -> new IngestCase(1_000_000, clients, 1, 1, 1000, "rocksdb", CHUNK).withRule(rule))
                        .as(rule + " K=" + k).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs K >= 3");
            }
        }
        IngestCase krum = IngestCase.profile("10M,32,2,2,1000,rocksdb,rule=krum", CHUNK).get(0);
        assertThat(krum.name()).isEqualTo("d=10M K=32 p=2 krum f=7");
        assertThat(IngestCase.profile("10M,32,2,2,1000,rocksdb,1,signed,rule=Multi-Krum", CHUNK).get(0).name())
                .isEqualTo("d=10M K=32 p=2 multi-krum f=7 signed");
        assertThat(CaseLogs.of(Path.of("/tmp/x.json"), krum)).as("no '=' or ' ' in a log directory's name")
                .hasToString("/tmp/ingest-logs/d-10M_K-32_p-2_krum_f-7_rocksdb");
        IngestCase median = new IngestCase(10_000_000, 32, 2, 2, 1000, "rocksdb", CHUNK).withRule("median");
        assertThat(median.name()).as("only the Krum family has an f").isEqualTo("d=10M K=32 p=2 median");
        assertThat(median.byzantineClients()).as("the schema's default, which median does not read").isEqualTo(1);
        assertThat(IngestBenchmark.spec(median).getAggregation().getByzantineClients()).isEqualTo(1);
        assertThat(new IngestCase(1_000_000, 1, 1, 1, 1000, "hashmap", CHUNK).withRule("median").clients())
                .as("K < 3 is refused for the Krum family only").isEqualTo(1);
    }

    @Test
    void aCaseNamesExactlyTheRulesTheJobTakesOnTheChunkedPath() {
        ModelSpec fedavg = IngestBenchmark.spec(new IngestCase(1_000_000, 32, 1, 1, 1000, "hashmap", CHUNK));
        for (String rule : AggregationRules.names()) {
            // the job's answer for the rule with the f a case would give it (every rule's spec is valid at K = 32 with it)
            ModelSpec spec = ModelSpec.newBuilder(fedavg).setAggregation(AggregationConfig.newBuilder(fedavg.getAggregation()).setRule(rule)
                    .setByzantineClients(IngestCase.byzantineFor(32)).build()).build();
            boolean jobTakesIt = SpecValidator.validate(spec) instanceof SpecValidator.Result.Valid;
            String profile = "1M,32,1,1,1000,hashmap,rule=" + rule;
            if (jobTakesIt) {
                List<IngestCase> parsed = IngestCase.profile(profile, CHUNK);
                assertThat(parsed).extracting(IngestCase::rule).as(rule).containsExactly(rule);
                assertThat(SpecValidator.validate(IngestBenchmark.spec(parsed.get(0)))).as(rule + ": the bench's own spec")
                        .isInstanceOf(SpecValidator.Result.Valid.class);
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
