package io.floe.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.aggregate.Krum;
import io.floe.core.aggregate.KrumSelection;
import io.floe.core.kernel.PairwiseDistances;
import io.floe.core.wire.WireCodec;
import io.floe.schema.AggregationReport;
import io.floe.schema.ChunkScoreShare;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A chunked Krum round's two-phase close keeps exactly-once through a lost TaskManager (issue 13):
 * the TaskManager is lost as soon as the folders' distance shares are committed on the
 * chunk-scores topic, while the coordinator is between its SCORE and its CLOSE. The job restores
 * from its last checkpoint, reads the shares again from the restored offsets and selects; version 1
 * is published once, and is the update Krum chooses, bit for bit.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ChunkedKrumFailoverITCase {
    private static final String MODEL = "chunked-krum";
    /** Long enough that the shares' checkpoint and the CLOSE's are apart: the fault falls between them. */
    private static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(2);

    @TempDir
    Path tmp;

    @Test
    void aTaskManagerLostBetweenScoreAndCloseLeavesOneVersionOfTheKrumChoice() throws Exception {
        float[] initial = ChunkedKrumITCase.values(ChunkedKrumITCase.PARAMETERS, 1, 0.1, null);
        List<float[]> deltas = ChunkedKrumITCase.round();
        try (FailoverRig rig = FailoverRig.start(tmp, 2, CHECKPOINT_INTERVAL)) {
            ChunkedKrumITCase.send(rig.bootstrapServers(), rig.topics(), ChunkedKrumITCase.spec(MODEL, initial, 4096, "krum"), deltas);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (shares(rig).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(shares(rig)).as("committed distance shares").isNotEmpty();
            assertThat(versionsOne(rig)).as("version 1 is not out when the fault strikes").isZero();
            rig.loseTaskManager();
            rig.replaceTaskManager();

            float[] v1 = ChunkedKrumITCase.awaitModel(rig.bootstrapServers(), rig.topics(), MODEL, 1);

            int best = KrumSelection.select(new Krum(1), new long[deltas.size()], PairwiseDistances.squaredL2(deltas.toArray(float[][]::new)))
                    .chosen()[0];
            float[] expected = new float[initial.length];
            for (int j = 0; j < expected.length; j++) {
                expected[j] = (float) ((double) initial[j] + deltas.get(best)[j]);
            }
            assertThat(v1).containsExactly(expected);
            Thread.sleep(2 * CHECKPOINT_INTERVAL.toMillis()); // anything published twice would be committed by now
            assertThat(versionsOne(rig)).as("manifests of version 1").isEqualTo(1);
            List<AggregationReport> reports = CommittedRecords.read(rig.bootstrapServers(), rig.topics().reports(), Duration.ofSeconds(10))
                    .stream().map(r -> WireCodec.AGGREGATION_REPORT.decode(r.value()))
                    .filter(r -> r.getModelId().equals(MODEL) && r.getVersion() == 1).toList();
            assertThat(reports).hasSize(1);
            assertThat(reports.get(0).getAccepted()).filteredOn(a -> a.getWeight() == 1.0).singleElement()
                    .satisfies(a -> assertThat(a.getUpdateId()).isEqualTo("u-" + best));
        }
    }

    private static List<ChunkScoreShare> shares(FailoverRig rig) {
        return CommittedRecords.read(rig.bootstrapServers(), rig.topics().chunkScores(), Duration.ofSeconds(5)).stream()
                .map(r -> WireCodec.CHUNK_SCORE_SHARE.decode(r.value())).toList();
    }

    private static long versionsOne(FailoverRig rig) {
        return CommittedRecords.read(rig.bootstrapServers(), rig.topics().models(), Duration.ofSeconds(5)).stream()
                .filter(r -> MODEL.equals(new String(r.key(), StandardCharsets.UTF_8)))
                .map(ConsumerRecord::value).map(WireCodec.GLOBAL_MODEL::decode).filter(m -> m.getVersion() == 1).count();
    }
}
