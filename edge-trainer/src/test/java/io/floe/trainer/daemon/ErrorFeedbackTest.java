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

    /** A first layer of three values and an output bias of one, as one update. */
    private static ModelWeights layers(float w0, float w1, float w2, float b) {
        return new ModelWeights(List.of(new Tensor("w", new int[] {3}, new float[] {w0, w1, w2}),
                new Tensor("b", new int[] {1}, new float[] {b})));
    }

    /** One round with top-1 of the whole update of four values (ratio 0.25, scope model); returns what was sent. */
    private static float[] modelRound(ErrorFeedback ef, long version, ModelWeights delta) {
        Compression top1 = Compression.parse("topk:ratio=0.25");
        ModelWeights memory = ef.memoryFor(MODEL, version, top1, layers(0, 0, 0, 0));
        ModelWeights corrected = delta.plusScaled(memory, 1f);
        List<byte[]> data = top1.encodeUpdate(corrected.tensors().stream().map(Tensor::values).toList(), new SplittableRandom(0));
        ModelWeights sent = new ModelWeights(List.of(
                new Tensor("w", new int[] {3}, Compression.decode(top1.encoding(), java.nio.ByteBuffer.wrap(data.get(0)), 3)),
                new Tensor("b", new int[] {1}, Compression.decode(top1.encoding(), java.nio.ByteBuffer.wrap(data.get(1)), 1))));
        ef.record(MODEL, version, top1, memory, corrected, sent);
        return sent.flatten();
    }

    @Test
    void overTheWholeUpdateTheMemoryOfASmallTensorIsSentWhenItIsAmongTheLargest() {
        ErrorFeedback ef = new ErrorFeedback("h", null);

        // v0: Δ w (1,2,0) b 1.5: sends w1 = 2, keeps w (1,0,0) b 1.5
        assertThat(modelRound(ef, 0, layers(1, 2, 0, 1.5f))).containsExactly(0f, 2f, 0f, 0f);
        // v1: Δ w (1,1,0) b 1 + e = w (2,1,0) b 2.5: the bias is the largest, sends it; keeps w (2,1,0) b 0
        assertThat(modelRound(ef, 1, layers(1, 1, 0, 1))).containsExactly(0f, 0f, 0f, 2.5f);
        // v2: Δ w (0,0,1) b 0.5 + e = w (2,1,1) b 0.5: sends w0 = 2, keeps w (0,1,1) b 0.5
        assertThat(modelRound(ef, 2, layers(0, 0, 1, 0.5f))).containsExactly(2f, 0f, 0f, 0f);
        assertThat(ef.memoryFor(MODEL, 3, Compression.parse("topk:ratio=0.25"), layers(0, 0, 0, 0)).flatten())
                .containsExactly(0f, 1f, 1f, 0.5f);
        // the per-tensor scope is another compression: its memory starts from zero
        assertThat(ef.memoryFor(MODEL, 3, Compression.parse("topk:ratio=0.25,scope=tensor"), layers(0, 0, 0, 0)).flatten())
                .containsOnly(0f);
    }
}
