package io.floe.bench.compression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.floe.deploy.local.FlSystemMetrics;
import io.floe.deploy.local.RoundRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The figures of one run, by hand from three versions; and the variants' specs. */
class CompressionRunTest {
    private static RoundRecord version(long v, double accuracy, long bytes, long denseBytes) {
        return new RoundRecord(v, v == 0 ? 0 : 10, 0, 0, 0, 0, Double.NaN, accuracy, Double.NaN, Double.NaN, v, List.of(), Double.NaN,
                0, 0, 0.5, Double.NaN, -1, bytes, Double.NaN, denseBytes, 0);
    }

    private static CompressionRun run(String compression, long... bytesPerVersion) {
        double[] accuracy = {0.1, 0.75, 0.81, 0.79};
        List<RoundRecord> h = new java.util.ArrayList<>();
        for (int v = 0; v < bytesPerVersion.length; v++) {
            h.add(version(v, accuracy[v], bytesPerVersion[v], v == 0 ? 0 : 4000));
        }
        return new CompressionRun("fmnist", new CompressionVariant(compression, true, "fedavg"), FlSystemMetrics.Target.accuracy(0.80),
                h, 1.0);
    }

    @Test
    void theTargetIsTheFirstVersionAtOrAboveItAndItsBytesAreCumulative() {
        CompressionRun topk = run("topk:ratio=0.01", 0, 100, 120, 130);

        assertThat(topk.finalScore()).isEqualTo(0.79);
        assertThat(topk.versionToTarget()).isEqualTo(2);
        assertThat(topk.bytesToTarget()).isEqualTo(220);
        assertThat(topk.uplinkBytes()).isEqualTo(350);
        assertThat(topk.denseUplinkBytes()).isEqualTo(12_000);
        assertThat(topk.cumulativeBytes()).containsExactly(0, 100, 220, 350);
    }

    @Test
    void theReductionIsDenseBytesOverTheRunsBytesAndANeverReachedTargetIsMinusOne() {
        CompressionRun dense = run("none", 0, 4000, 4000, 4000);
        CompressionRun short2 = run("int8", 0, 1000, 1000);

        assertThat(run("topk:ratio=0.01", 0, 100, 120, 130).reductionAgainst(dense)).isCloseTo(12_000 / 350.0, within(1e-12));
        assertThat(short2.reductionAgainst(dense)).isEqualTo(6.0);
        CompressionRun neverThere = new CompressionRun("fmnist", new CompressionVariant("int8", false, "fedavg"),
                FlSystemMetrics.Target.accuracy(0.9), short2.history(), 1.0);
        assertThat(neverThere.versionToTarget()).isEqualTo(-1);
        assertThat(neverThere.bytesToTarget()).isEqualTo(-1);
        assertThat(run("none", 0).reductionAgainst(dense)).isNaN();
    }

    @Test
    void variantsParseFromRuleCompressionAndAnOptionalNoEf() {
        assertThat(CompressionVariant.parse("median/int8")).isEqualTo(new CompressionVariant("int8", true, "median"));
        assertThat(CompressionVariant.parse("fedavg/topk:ratio=0.01/no-ef").errorFeedback()).isFalse();
        assertThat(CompressionVariant.parse("fedavg/topk:ratio=0.01/no-ef").label()).isEqualTo("fedavg, topk:ratio=0.01 no EF");
        // dense has nothing to feed back, whatever was asked
        assertThat(CompressionVariant.parse("fedavg/none").errorFeedback()).isFalse();
        assertThat(CompressionVariant.parse("fedavg/none").label()).isEqualTo("fedavg, none");
        assertThatThrownBy(() -> CompressionVariant.parse("fedavg/int8/ef")).hasMessageContaining("RULE/COMPRESSION/no-ef");
        assertThatThrownBy(() -> CompressionVariant.parse("fedavg/zip")).hasMessageContaining("unknown compression");
        // the plan: one dense FedAvg reference, every compression with and without error feedback, two median rows
        List<CompressionVariant> plan = CompressionVariant.plan();
        assertThat(plan.stream().filter(v -> v.dense() && v.rule().equals("fedavg"))).hasSize(1);
        for (String c : List.of("fp16", "int8", "topk:ratio=0.1", "topk:ratio=0.01", "topk:ratio=0.001")) {
            assertThat(plan).contains(new CompressionVariant(c, true, "fedavg"), new CompressionVariant(c, false, "fedavg"));
        }
        assertThat(plan).contains(new CompressionVariant("int8", true, "median"));
    }
}
