package io.floe.trainer.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.codec.Compression;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import io.floe.core.wire.TensorRecords;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Error feedback by hand (Stich et al. 2018): top-1 of four values, three rounds, then a restart.
 * Each round sends C(Δ + e) and keeps e+ = Δ + e - C(Δ + e).
 */
class ErrorFeedbackTest {
    private static final String MODEL = "ef-model";
    private static final Compression TOP1 = Compression.parse("topk:ratio=0.25");
    private static final ModelWeights ZEROS = v(0, 0, 0, 0);

    @TempDir
    Path stateDir;

    private static ModelWeights v(float... values) {
        return new ModelWeights(List.of(new Tensor("w", new int[] {values.length}, values)));
    }

    /** One round as NetworkTraining runs it; returns what was sent. */
    private static float[] round(ErrorFeedback ef, long version, ModelWeights delta) {
        ModelWeights memory = ef.memoryFor(MODEL, version, TOP1, ZEROS);
        ModelWeights corrected = delta.plusScaled(memory, 1f);
        ModelWeights sent = new ModelWeights(List.of(TensorRecords.fromRecord(
                TensorRecords.toRecord(corrected.tensors().get(0), TOP1, new SplittableRandom(0)))));
        ef.record(MODEL, version, TOP1, memory, corrected, sent);
        return sent.flatten();
    }

    @Test
    void threeRoundsByHandThenARestartTakesUpTheSameMemory() {
        ErrorFeedback ef = new ErrorFeedback("h", stateDir);

        // v0: Δ (1,2,3,4), e 0: sends (0,0,0,4), keeps (1,2,3,0)
        assertThat(round(ef, 0, v(1, 2, 3, 4))).containsExactly(0f, 0f, 0f, 4f);
        // v1: Δ (1,1,1,1) + e = (2,3,4,1): sends (0,0,4,0), keeps (2,3,0,1)
        assertThat(round(ef, 1, v(1, 1, 1, 1))).containsExactly(0f, 0f, 4f, 0f);
        // v2: Δ 0 + e = (2,3,0,1): sends (0,3,0,0), keeps (2,0,0,1)
        assertThat(round(ef, 2, v(0, 0, 0, 0))).containsExactly(0f, 3f, 0f, 0f);

        // a restarted trainer reads the file: retraining v2 starts from e before v2, the next version from e after
        ErrorFeedback restarted = new ErrorFeedback("h", stateDir);
        assertThat(restarted.memoryFor(MODEL, 2, TOP1, ZEROS).flatten()).containsExactly(2f, 3f, 0f, 1f);
        assertThat(restarted.memoryFor(MODEL, 3, TOP1, ZEROS).flatten()).containsExactly(2f, 0f, 0f, 1f);
        assertThat(ef.file(MODEL)).exists();
    }

    @Test
    void anotherCompressionOrLayoutStartsFromZero() {
        ErrorFeedback ef = new ErrorFeedback("h", null);
        round(ef, 0, v(1, 2, 3, 4));

        assertThat(ef.memoryFor(MODEL, 1, Compression.parse("int8"), ZEROS).flatten()).containsOnly(0f);
        assertThat(ef.memoryFor(MODEL, 1, TOP1, v(0, 0)).flatten()).containsOnly(0f);
        assertThat(ef.memoryFor(MODEL, 1, TOP1, ZEROS).flatten()).containsExactly(1f, 2f, 3f, 0f);
        assertThat(ef.memoryFor("other-model", 1, TOP1, ZEROS).flatten()).containsOnly(0f);
    }
}
