package io.floe.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.schema.TensorEncoding;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Top-k over the whole update (the default) against top-k of each tensor, with values chosen so
 * that the two differ and the result can be checked by hand.
 */
class TopKScopeTest {
    private static float[] decoded(byte[] data, int n) {
        return Compression.decode(TensorEncoding.TOPK_F32, ByteBuffer.wrap(data), n);
    }

    @Test
    void theScopeIsPartOfTheSpecAndModelIsTheDefault() {
        Compression model = Compression.parse("topk:ratio=0.01");
        Compression tensor = Compression.parse("topk:ratio=0.01,scope=tensor");

        assertThat(model.scope()).isEqualTo(Compression.Scope.MODEL);
        assertThat(Compression.parse("topk:ratio=0.01,scope=model")).isEqualTo(model);
        assertThat(tensor.scope()).isEqualTo(Compression.Scope.TENSOR);
        assertThat(tensor.toSpec()).isEqualTo("topk:ratio=0.01,scope=tensor");
        assertThat(Compression.parse(tensor.toSpec())).isEqualTo(tensor).isNotEqualTo(model);
        // the other encodings have no scope
        assertThat(new Compression(TensorEncoding.INT8, 1, Compression.Scope.TENSOR)).isEqualTo(Compression.parse("int8"));
        assertThatThrownBy(() -> Compression.parse("topk:ratio=0.01,scope=layer")).hasMessageContaining("scope=tensor");
        assertThatThrownBy(() -> Compression.parse("topk:ratio=0.01,scope=model,x")).hasMessageContaining("scope=model");
    }

    @Test
    void theLargestValuesOfAllTensorsTogetherWithTiesToTheEarlierTensor() {
        float[] a = {0.5f, -3f, 1f};
        float[] b = {2f, -0.1f};

        // |-3| then |2|: one from each tensor
        int[][] two = TopKCodec.topIndices(List.of(a, b), 2);
        assertThat(two[0]).containsExactly(1);
        assertThat(two[1]).containsExactly(0);
        // the third is |1| in a
        int[][] three = TopKCodec.topIndices(List.of(a, b), 3);
        assertThat(three[0]).containsExactly(1, 2);
        assertThat(three[1]).containsExactly(0);
        // ties: |2| in both tensors and k = 1 -> the earlier tensor; |1| in both and k = 3 -> a's 1 too
        float[] c = {1f, 2f};
        float[] d = {-2f, 1f};
        assertThat(TopKCodec.topIndices(List.of(c, d), 1)[0]).containsExactly(1);
        assertThat(TopKCodec.topIndices(List.of(c, d), 1)[1]).isEmpty();
        int[][] tied = TopKCodec.topIndices(List.of(c, d), 3);
        assertThat(tied[0]).containsExactly(0, 1);
        assertThat(tied[1]).containsExactly(0);
        // k past the values keeps all of them; k = 0 none
        assertThat(TopKCodec.topIndices(List.of(c, d), 9)[1]).containsExactly(0, 1);
        assertThat(TopKCodec.topIndices(List.of(c, d), 0)[0]).isEmpty();
    }

    @Test
    void modelScopeGivesTheBudgetToTheTensorWithTheLargeValuesAndTensorScopeSplitsIt() {
        // a first layer of 8 small values and an output layer of 2 large ones; ratio 0.2 of 10 values: k = 2
        float[] w = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, -0.8f};
        float[] out = {5f, -6f};
        List<float[]> update = List.of(w, out);

        List<byte[]> model = Compression.parse("topk:ratio=0.2").encodeUpdate(update, new SplittableRandom(0));
        List<byte[]> perTensor = Compression.parse("topk:ratio=0.2,scope=tensor").encodeUpdate(update, new SplittableRandom(0));

        // over the model both kept values are the output layer's; the first layer sends k = 0 (one byte)
        assertThat(decoded(model.get(0), 8)).containsOnly(0f);
        assertThat(model.get(0)).containsExactly(0);
        assertThat(decoded(model.get(1), 2)).containsExactly(5f, -6f);
        // per tensor: ceil(0.2 * 8) = 2 of the first layer, ceil(0.2 * 2) = 1 of the output layer
        assertThat(decoded(perTensor.get(0), 8)).containsExactly(0f, 0f, 0f, 0f, 0f, 0f, 0.7f, -0.8f);
        assertThat(decoded(perTensor.get(1), 2)).containsExactly(0f, -6f);
    }

    @Test
    void theOtherEncodingsEncodeEachTensorAsBeforeWithTheRandomDrawnInOrder() {
        float[] a = {0.11f, -0.52f, 0.93f, 0.27f};
        float[] b = {1.5f, -2.25f};
        Compression int8 = Compression.parse("int8");

        List<byte[]> update = int8.encodeUpdate(List.of(a, b), new SplittableRandom(5));

        SplittableRandom one = new SplittableRandom(5);
        assertThat(update.get(0)).isEqualTo(int8.encode(a, one));
        assertThat(update.get(1)).isEqualTo(int8.encode(b, one));
    }
}
