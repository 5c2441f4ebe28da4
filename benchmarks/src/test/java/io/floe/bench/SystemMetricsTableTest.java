package io.floe.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.floe.deploy.local.FlSystemMetrics;
import io.floe.deploy.local.FlSystemMetrics.Target;
import io.floe.deploy.local.RoundRecord;
import io.floe.deploy.local.TestScores;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-run system metrics table of bench robustness and privacy, on hand-made histories. */
class SystemMetricsTableTest {
    private static final double NAN = Double.NaN;

    private static RoundRecord v(long version, int participants, double auc, long bytes, double centralEpsilon) {
        return new RoundRecord(version, participants, 0, 0, 0, 0, auc, auc - 0.05, NAN, NAN, version, List.of(), centralEpsilon, 0, 0,
                0.3, NAN, -1, bytes, NAN, bytes, 0);
    }

    /** Four clients: 4 then 3 updates of 1024 bytes; AUC 0.985 at version 1. */
    private static List<RoundRecord> run(double epsilon) {
        return List.of(v(0, 0, 0.5, 0, NAN), v(1, 4, 0.985, 4096, epsilon), v(2, 3, 0.99, 3072, epsilon));
    }

    private static SystemMetricsTable table() {
        return new SystemMetricsTable()
                .add("fedavg, clean", FlSystemMetrics.of(run(NAN), Target.auc(0.98), new TestScores(0.995, 0.96, 0.1, 100), 4, NAN, NAN))
                .add("central DP, z 1.0", FlSystemMetrics.of(run(2.5), Target.auc(0.999), null, 4, 1e-5, NAN));
    }

    @Test
    void printsOneLinePerRunWithTheFourMetricsAndNotMeasuredWhereAnInputIsMissing() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        table().print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();

        assertThat(lines.get(0)).isEqualTo("FL system metrics per run (target test AUC >= 0.980; uplink: wire bytes of the aggregated updates)");
        assertThat(lines.get(2)).contains("fedavg, clean").contains("v1, 4.0 KiB").contains("7.0 KiB").contains("+0.0050")
                .contains("none").contains("0.875 / 0.750");
        assertThat(lines.get(3)).contains("central DP, z 1.0").contains("not reached in 2 versions").contains("not measured")
                .contains("central DP (2.500, 1e-05)");
    }

    @Test
    void writesEachRunsSystemMetricsWithNullsForWhatWasNotMeasured(@TempDir Path dir) throws Exception {
        table().writeJson(dir.resolve("system-metrics.json"), Map.of("experiment", "robustness"));
        JsonNode json = new ObjectMapper().readTree(dir.resolve("system-metrics.json").toFile());

        assertThat(json.at("/config/experiment").asText()).isEqualTo("robustness");
        assertThat(json.get("runs")).hasSize(2);
        assertThat(json.at("/runs/0/run").asText()).isEqualTo("fedavg, clean");
        assertThat(json.at("/runs/0/system_metrics/communication/versions_to_target").asLong()).isEqualTo(1);
        assertThat(json.at("/runs/0/system_metrics/communication/uplink_bytes_to_target").asLong()).isEqualTo(4096);
        assertThat(json.at("/runs/0/system_metrics/centralized_gap/gap").asDouble()).isCloseTo(0.005,
                org.assertj.core.api.Assertions.within(1e-12));
        assertThat(json.at("/runs/0/system_metrics/participation/min").asDouble()).isEqualTo(0.75);
        assertThat(json.at("/runs/1/system_metrics/communication/reached").asBoolean()).isFalse();
        assertThat(json.at("/runs/1/system_metrics/centralized_gap/gap").isNull()).isTrue();
        assertThat(json.at("/runs/1/system_metrics/centralized_gap/note").asText()).startsWith("not measured");
        assertThat(json.at("/runs/1/system_metrics/privacy/central/epsilon").asDouble()).isEqualTo(2.5);
    }
}
