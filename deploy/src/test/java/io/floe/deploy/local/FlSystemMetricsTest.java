package io.floe.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.floe.deploy.local.FlSystemMetrics.Target;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The four system metrics on hand-made histories whose figures are worked out by hand. */
class FlSystemMetricsTest {
    private static final double NAN = Double.NaN;

    /** A version as a run would record it; only the fields the metrics read vary. */
    private static RoundRecord v(long version, int participants, double auc, int selected, long bytes, double epsilon,
            double clientEpsilon) {
        return new RoundRecord(version, participants, 0, 0, 0, 0, auc, auc - 0.05, NAN, NAN, version, List.of(), epsilon, 0, 0,
                0.3, NAN, selected, bytes, clientEpsilon, bytes, 0);
    }

    private static RoundRecord v(long version, int participants, double auc, long bytes) {
        return v(version, participants, auc, -1, bytes, NAN, NAN);
    }

    /** Four clients, no selection: 4, 4, 3 updates of 100 bytes each. */
    private static List<RoundRecord> plainRun() {
        return List.of(v(0, 0, 0.50, 0), v(1, 4, 0.90, 400), v(2, 4, 0.985, 400), v(3, 3, 0.99, 300));
    }

    @Test
    void reachesTheTargetAtTheFirstVersionAtOrAboveItWithTheBytesAggregatedUpToIt() {
        FlSystemMetrics m = FlSystemMetrics.of(plainRun(), Target.auc(0.98), new TestScores(0.995, 0.97, 0.1, 100), 4, NAN, NAN);

        assertThat(m.reached()).isTrue();
        assertThat(m.versionsToTarget()).isEqualTo(2);
        assertThat(m.uplinkBytesToTarget()).isEqualTo(800);
        assertThat(m.uplinkBytes()).isEqualTo(1100);
        assertThat(m.updates()).isEqualTo(11);
        assertThat(m.versions()).isEqualTo(3);
    }

    @Test
    void aTargetNeverReachedHasNoVersionAndNoBytesAndJsonNullsThem() {
        FlSystemMetrics m = FlSystemMetrics.of(plainRun(), Target.auc(0.999), null, 4, NAN, NAN);
        ObjectNode json = new ObjectMapper().createObjectNode();

        m.writeTo(json);

        assertThat(m.reached()).isFalse();
        assertThat(m.versionsToTarget()).isEqualTo(-1);
        assertThat(m.uplinkBytesToTarget()).isEqualTo(-1);
        assertThat(json.at("/communication/reached").asBoolean()).isFalse();
        assertThat(json.at("/communication/versions_to_target").isNull()).isTrue();
        assertThat(json.at("/communication/uplink_bytes").asLong()).isEqualTo(1100);
    }

    @Test
    void accuracyTargetsReadTestAccuracy() {
        // test accuracy is auc - 0.05 in these records: 0.85, 0.935, 0.94
        FlSystemMetrics m = FlSystemMetrics.of(plainRun(), Target.accuracy(0.93), null, 4, NAN, NAN);

        assertThat(m.versionsToTarget()).isEqualTo(2);
        assertThat(m.federated()).isCloseTo(0.94, within(1e-12));
    }

    @Test
    void gapIsCentralisedMinusTheLastVersionOnTheTargetMetricAndNaNWithoutABaseline() {
        FlSystemMetrics with = FlSystemMetrics.of(plainRun(), Target.auc(0.98), new TestScores(0.995, 0.97, 0.1, 100), 4, NAN, NAN);
        FlSystemMetrics without = FlSystemMetrics.of(plainRun(), Target.auc(0.98), null, 4, NAN, NAN);

        assertThat(with.gap()).isCloseTo(0.995 - 0.99, within(1e-12));
        assertThat(without.gap()).isNaN();
    }

    @Test
    void participationDividesByAllClientsWhenNoVersionSelects() {
        // 4/4, 4/4, 3/4 -> mean 11/12, min 0.75; version 0 is not a round
        FlSystemMetrics m = FlSystemMetrics.of(plainRun(), Target.auc(0.98), null, 4, NAN, NAN);

        assertThat(m.meanParticipation()).isCloseTo(11.0 / 12, within(1e-12));
        assertThat(m.minParticipation()).isEqualTo(0.75);
        assertThat(m.participationBase()).isEqualTo("clients");
    }

    @Test
    void participationDividesBySelectedClientsWhereAVersionSelected() {
        // ten clients; records carry their base version's selection, as the report's selectedClients does:
        // version 1 asked 5 and got 4, version 2 asked 2 and got 2, version 3 asked everyone (-1) and got 6
        List<RoundRecord> asReported = List.of(v(0, 0, 0.5, -1, 0, NAN, NAN), v(1, 4, 0.9, 5, 400, NAN, NAN),
                v(2, 2, 0.95, 2, 200, NAN, NAN), v(3, 6, 0.97, -1, 600, NAN, NAN));

        FlSystemMetrics m = FlSystemMetrics.of(asReported, Target.auc(0.98), null, 10, NAN, NAN);

        assertThat(m.meanParticipation()).isCloseTo((0.8 + 1.0 + 0.6) / 3, within(1e-12));
        assertThat(m.minParticipation()).isCloseTo(0.6, within(1e-12));
        assertThat(m.participationBase()).isEqualTo("selected|clients");
    }

    @Test
    void onlyVersionZeroHasNoParticipation() {
        FlSystemMetrics m = FlSystemMetrics.of(List.of(v(0, 0, 0.5, 0)), Target.auc(0.98), null, 4, NAN, NAN);

        assertThat(m.meanParticipation()).isNaN();
        assertThat(m.minParticipation()).isNaN();
        assertThat(m.uplinkBytes()).isZero();
    }

    @Test
    void privacyIsNoneWithoutDp() {
        FlSystemMetrics m = FlSystemMetrics.of(plainRun(), Target.auc(0.98), null, 4, 1e-5, 1e-5);
        ObjectNode json = new ObjectMapper().createObjectNode();

        m.writeTo(json);

        assertThat(m.privacy().none()).isTrue();
        assertThat(m.privacy().describe()).isEqualTo("none");
        assertThat(json.get("privacy").asText()).isEqualTo("none");
    }

    @Test
    void centralDpTakesTheLastLedgerEntryWithTheModelsDelta() {
        List<RoundRecord> h = List.of(v(0, 0, 0.5, -1, 0, NAN, NAN), v(1, 4, 0.9, -1, 400, 0.8, NAN), v(2, 4, 0.95, -1, 400, 1.3, NAN));

        FlSystemMetrics.Privacy p = FlSystemMetrics.of(h, Target.auc(0.98), null, 4, 1e-5, NAN).privacy();

        assertThat(p.centralEpsilon()).isEqualTo(1.3);
        assertThat(p.centralDelta()).isEqualTo(1e-5);
        assertThat(p.localEpsilon()).isNaN();
        assertThat(p.describe()).isEqualTo("central DP (1.300, 1e-05)");
    }

    @Test
    void localDpTakesTheLargestEpsilonAnyAggregatedUpdateReported() {
        List<RoundRecord> h = List.of(v(0, 0, 0.5, -1, 0, NAN, NAN), v(1, 4, 0.9, -1, 400, NAN, 1.5), v(2, 4, 0.95, -1, 400, NAN, 2.5),
                v(3, 2, 0.96, -1, 200, NAN, 2.0));
        ObjectNode json = new ObjectMapper().createObjectNode();

        FlSystemMetrics m = FlSystemMetrics.of(h, Target.auc(0.98), null, 4, 1e-5, 1e-6);
        m.writeTo(json);

        assertThat(m.privacy().localEpsilon()).isEqualTo(2.5);
        assertThat(m.privacy().centralEpsilon()).isNaN();
        assertThat(json.at("/privacy/local/epsilon").asDouble()).isEqualTo(2.5);
        assertThat(json.at("/privacy/local/delta").asDouble()).isEqualTo(1e-6);
        assertThat(json.at("/privacy/central").isMissingNode()).isTrue();
    }

    @Test
    void printsOneLinePerMetric() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        FlSystemMetrics m = FlSystemMetrics.of(plainRun(), Target.auc(0.98), new TestScores(0.995, 0.97, 0.1, 100), 4, NAN, NAN);

        m.print(new PrintStream(buf, true, StandardCharsets.UTF_8));

        assertThat(buf.toString(StandardCharsets.UTF_8))
                .contains("communication   test AUC >= 0.980 at version 2 after 800 B uplink; 3 versions, 1.1 KiB uplink in all (11 updates)")
                .contains("centralised gap test AUC 0.9950 centralised - 0.9900 federated = +0.0050")
                .contains("privacy         (epsilon, delta): none")
                .contains("participation   accepted / clients per version: mean 0.917, min 0.750");
    }

    @Test
    void refusesAnEmptyHistoryAndTargetsOutsideTheUnitInterval() {
        assertThatThrownBy(() -> FlSystemMetrics.of(List.of(), Target.auc(0.9), null, 4, NAN, NAN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version 0");
        assertThatThrownBy(() -> Target.auc(98)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(0, 1]");
        assertThatThrownBy(() -> new Target("f1", 0.9)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("auc or accuracy");
    }
}
