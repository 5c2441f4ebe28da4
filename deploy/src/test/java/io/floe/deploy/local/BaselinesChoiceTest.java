package io.floe.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.floe.schema.AggregationConfig;
import io.floe.trainer.daemon.ModelRegistration;
import io.floe.trainer.data.Dataset;
import io.floe.trainer.data.NiidPartition;
import io.floe.core.spec.Architecture;
import io.floe.trainer.model.TrainingConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --baselines}: which baselines are trained, their progress lines, and how a missing one is reported. */
class BaselinesChoiceTest {
    private static final Architecture ARCH = Architecture.parse("mlp(4,8,10)");
    private static final TrainingConfig PER_ROUND = new TrainingConfig(0.05, 2, 16, 42).withMomentum(0.5);

    /** {@code rows} random 4-pixel images, labels cycling through ten classes. */
    private static Dataset images(int rows, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] x = new float[rows][4];
        int[] y = new int[rows];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < 4; c++) {
                x[r][c] = (float) random.nextDouble();
            }
            y[r] = r % 10;
        }
        return new Dataset(x, y);
    }

    private static FmnistScenario scenario() {
        return FmnistScenario.of(images(200, 1), images(60, 2), NiidPartition.parse("iid"), 3, 42);
    }

    private static String printed(java.util.function.Consumer<PrintStream> body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            body.accept(out);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void centralTrainsThePooledModelOnlyAndProgressChangesNothingTrained() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Baselines.Result r = Baselines.run(scenario(), ARCH, 42, PER_ROUND, 3, Baselines.Choice.CENTRAL,
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String progress = bytes.toString(StandardCharsets.UTF_8);

        assertThat(r.hasCentralized()).isTrue();
        assertThat(r.hasSingleSites()).isFalse();
        assertThat(r.centralized()).isEqualTo(Baselines.centralized(scenario(), ARCH, 42, PER_ROUND, 3));
        assertThat(progress).contains("centralised baseline: epoch 1/6, 200 images").contains("centralised baseline: epoch 6/6");
        assertThat(progress).doesNotContain("alone");
    }

    @Test
    void allAddsEverySiteAloneWithAProgressLineEachAndNoneTrainsNothing() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Baselines.Result all = Baselines.run(scenario(), ARCH, 42, PER_ROUND, 1, Baselines.Choice.ALL,
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        Baselines.Result none = Baselines.run(scenario(), ARCH, 42, PER_ROUND, 1, Baselines.Choice.NONE, null);

        assertThat(all.singleSites()).hasSize(3);
        assertThat(all.singleSites()).isEqualTo(Baselines.singleSites(scenario(), ARCH, 42, PER_ROUND, 1));
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("client-00 alone (1/3): epoch 2/2")
                .contains("client-02 alone (3/3): epoch 2/2");
        assertThat(none.hasCentralized()).isFalse();
        assertThat(none.hasSingleSites()).isFalse();
    }

    private static DemoReport report(Baselines.Result baselines) {
        List<RoundRecord> history = List.of(
                new RoundRecord(0, 0, 0, 0, 0, 0, Double.NaN, 0.1, Double.NaN, Double.NaN, 1, List.of(), Double.NaN, 0, 0, 2.3,
                        Double.NaN, -1, 0, Double.NaN, 0, 0),
                new RoundRecord(1, 3, 0, 0, 0, 0, Double.NaN, 0.8, Double.NaN, Double.NaN, 2, List.of(), Double.NaN, 0, 0, 0.6,
                        0.85, -1, 3000, Double.NaN, 3000, 0));
        RunSettings run = new RunSettings("m", ARCH.toString(), 42, 1,
                AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(3).build(),
                ModelRegistration.training(0.05f, 2, 16, 0.5f), "none", 0);
        FlSystemMetrics metrics = FlSystemMetrics.of(history, FlSystemMetrics.Target.accuracy(0.75), baselines.centralized(), 3,
                Double.NaN, Double.NaN);
        return new DemoReport(new LinkedHashMap<>(), run, history, baselines, true, "client", metrics);
    }

    @Test
    void aBaselineNotTrainedIsPrintedAsNotMeasuredWithTheOptionThatTrainsIt(@TempDir Path dir) throws Exception {
        DemoReport none = report(new Baselines.Result(null, List.of()));
        String table = printed(none::printTable);
        none.writeJson(dir.resolve("r.json"));
        JsonNode json = new ObjectMapper().readTree(dir.resolve("r.json").toFile());

        assertThat(table).contains("centralised (pooled data)         not measured (rerun with --baselines central or all)")
                .contains("single client                     not measured (rerun with --baselines all)")
                .contains("centralised gap not measured (rerun with --baselines central or all)")
                .contains("communication   test accuracy >= 0.750 at version 1");
        assertThat(json.get("centralized").isNull()).isTrue();
        assertThat(json.get("single_site").isNull()).isTrue();
        assertThat(json.get("baselines_not_measured").asText()).contains("centralized").contains("single_site");
        assertThat(json.at("/system_metrics/centralized_gap/gap").isNull()).isTrue();
        assertThat(json.at("/system_metrics/centralized_gap/note").asText()).startsWith("not measured");
        assertThat(json.at("/federated/uplink_bytes").asLong()).isEqualTo(3000);
        assertThat(json.at("/federated/dense_uplink_bytes").asLong()).isEqualTo(3000);
        assertThat(json.at("/federated/compression").asText()).isEqualTo("none");
        assertThat(table).doesNotContain("  compression ");
    }

    @Test
    void withTheCentralisedBaselineTheGapIsMeasuredAndOnlyTheSingleSitesAreMissing(@TempDir Path dir) throws Exception {
        DemoReport central = report(new Baselines.Result(new TestScores(Double.NaN, 0.85, 0.4, 60), List.of()));
        String table = printed(central::printTable);
        central.writeJson(dir.resolve("r.json"));
        JsonNode json = new ObjectMapper().readTree(dir.resolve("r.json").toFile());

        assertThat(table).contains("centralised (pooled data)          0.8500")
                .contains("single client                     not measured (rerun with --baselines all)")
                .contains("centralised gap test accuracy 0.8500 centralised - 0.8000 federated = +0.0500");
        assertThat(json.at("/centralized/accuracy").asDouble()).isEqualTo(0.85);
        assertThat(json.get("single_site").isNull()).isTrue();
        assertThat(json.get("baselines_not_measured").asText()).isEqualTo("single_site: rerun with --baselines all");
        assertThat(json.at("/system_metrics/centralized_gap/gap").asDouble()).isEqualTo(0.05, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(json.at("/system_metrics/centralized_gap").has("note")).isFalse();
    }
}
