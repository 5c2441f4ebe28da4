package io.floe.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.floe.core.tensor.Tensor;
import io.floe.core.wire.TensorRecords;
import io.floe.schema.TensorEncoding;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The tensor encodings: exact where they must be, bounded where they may be, int8 unbiased. */
class CompressionTest {
    private static float[] sample(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * 0.05);
        }
        return v;
    }

    private static float[] roundTrip(Compression c, float[] values, long seed) {
        byte[] data = c.encode(values, new SplittableRandom(seed));
        return Compression.decode(c.encoding(), ByteBuffer.wrap(data), values.length);
    }

    @Test
    void theSpecsParseAndPrintBack() {
        for (String spec : new String[] {"none", "fp16", "int8", "topk:ratio=0.01"}) {
            assertThat(Compression.parse(spec).toSpec()).isEqualTo(spec);
        }
        assertThat(Compression.parse(null)).isEqualTo(Compression.NONE);
        assertThat(Compression.parse(" INT8 ").encoding()).isEqualTo(TensorEncoding.INT8);
        assertThatThrownBy(() -> Compression.parse("topk:ratio=0")).hasMessageContaining("(0, 1]");
        assertThatThrownBy(() -> Compression.parse("zip")).hasMessageContaining("none, fp16, int8, topk:ratio=R").hasMessageContaining("scope=tensor");
    }

    @Test
    void denseIsExactAndFourBytesAValue() {
        float[] v = sample(1000, 1);

        assertThat(roundTrip(Compression.NONE, v, 0)).containsExactly(v);
        assertThat(Compression.NONE.encode(v, new SplittableRandom(0))).hasSize(4000);
    }

    @Test
    void fp16IsTwoBytesAValueWithinItsRoundingAndExactOnHalves() {
        float[] v = sample(1000, 2);
        Compression fp16 = Compression.parse("fp16");

        float[] back = roundTrip(fp16, v, 0);

        assertThat(fp16.encode(v, new SplittableRandom(0))).hasSize(2000);
        for (int i = 0; i < v.length; i++) {
            // binary16 has 11 significant bits: relative error <= 2^-11 for normal values, absolute 2^-25 below 2^-14
            assertThat((double) back[i]).isCloseTo(v[i], within(Math.max(Math.abs(v[i]) * 0x1p-11, 0x1p-25)));
        }
        // values that are binary16 numbers come back exactly; beyond 65504 is infinity; ties round to even
        float[] exact = {0f, -0f, 1f, -2.5f, 65504f, 0x1p-24f, 0x1p-14f, 1.5f * 0x1p-20f};
        assertThat(roundTrip(fp16, exact, 0)).containsExactly(exact);
        assertThat(roundTrip(fp16, new float[] {70000f, 1f + 0x1p-11f, 1f + 3 * 0x1p-11f}, 0))
                .containsExactly(Float.POSITIVE_INFINITY, 1f, 1f + 4 * 0x1p-11f);
    }

    @Test
    void int8IsAQuarterOfTheBytesWithinOneStepAndUnbiased() {
        float[] v = sample(1000, 3);
        Compression int8 = Compression.parse("int8");
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float x : v) {
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        double step = ((double) max - min) / 255;

        float[] back = roundTrip(int8, v, 7);

        assertThat(int8.encode(v, new SplittableRandom(0))).hasSize(8 + 1000);
        for (int i = 0; i < v.length; i++) {
            assertThat((double) back[i]).isCloseTo(v[i], within(step * 1.0001));
        }
        // unbiased: the mean of 20,000 independent encodings of the same values is the values, within
        // 4 standard errors (the rounding error of one draw is at most one step, its sd at most step / 2)
        int draws = 20_000;
        double[] mean = new double[8];
        float[] few = java.util.Arrays.copyOf(v, 8);
        float[] withRange = java.util.Arrays.copyOf(few, 10);
        withRange[8] = min;
        withRange[9] = max;
        SplittableRandom random = new SplittableRandom(11);
        for (int d = 0; d < draws; d++) {
            float[] once = Compression.decode(TensorEncoding.INT8, ByteBuffer.wrap(int8.encode(withRange, random)), 10);
            for (int i = 0; i < 8; i++) {
                mean[i] += once[i] / (double) draws;
            }
        }
        for (int i = 0; i < 8; i++) {
            assertThat(mean[i]).as("mean of value %d", i).isCloseTo(few[i], within(4 * (step / 2) / Math.sqrt(draws)));
        }
    }

    @Test
    void int8OfAConstantTensorIsExact() {
        assertThat(roundTrip(Compression.parse("int8"), new float[] {0.25f, 0.25f, 0.25f}, 0)).containsExactly(0.25f, 0.25f, 0.25f);
    }

    @Test
    void topKKeepsTheLargestMagnitudesExactlyAndZeroesTheRest() {
        // ratio 0.2 of 7 values: ceil(1.4) = 2 kept; |-5| first, then |4| = |-4|: the tie goes to the smaller index, 1
        float[] v = {0.5f, 4f, -5f, 0f, -4f, 1f, 2f};
        Compression topk = Compression.parse("topk:ratio=0.2");

        byte[] data = topk.encode(v, new SplittableRandom(0));
        float[] back = Compression.decode(TensorEncoding.TOPK_F32, ByteBuffer.wrap(data), v.length);

        assertThat(back).containsExactly(0f, 4f, -5f, 0f, 0f, 0f, 0f);
        // k = 2 (1 byte), indices 1, 2 as gaps 1, 0 (1 byte each), 2 floats
        assertThat(data).hasSize(1 + 2 + 8);
        assertThat(TopKCodec.kept(1000, 0.01)).isEqualTo(10);
        assertThat(TopKCodec.kept(5, 0.01)).isEqualTo(1);
    }

    @Test
    void topKOfALargeTensorCostsAboutFiveBytesAValueKept() {
        float[] v = sample(100_000, 4);
        Compression topk = Compression.parse("topk:ratio=0.01");

        byte[] data = topk.encode(v, new SplittableRandom(0));
        float[] back = Compression.decode(TensorEncoding.TOPK_F32, ByteBuffer.wrap(data), v.length);

        int nonZero = 0;
        float smallestKept = Float.MAX_VALUE;
        float largestDropped = 0;
        for (int i = 0; i < v.length; i++) {
            if (back[i] != 0) {
                nonZero++;
                assertThat(back[i]).isEqualTo(v[i]);
                smallestKept = Math.min(smallestKept, Math.abs(v[i]));
            } else {
                largestDropped = Math.max(largestDropped, Math.abs(v[i]));
            }
        }
        assertThat(nonZero).isEqualTo(1000);
        assertThat(smallestKept).isGreaterThanOrEqualTo(largestDropped);
        assertThat(data.length).isLessThan(1000 * 6 + 5).isGreaterThan(1000 * 5);
    }

    @Test
    void malformedDataOfEveryEncodingIsRefused() {
        ByteBuffer three = ByteBuffer.wrap(new byte[3]);
        for (TensorEncoding e : TensorEncoding.values()) {
            assertThatThrownBy(() -> Compression.decode(e, three, 10)).as("%s", e).isInstanceOf(IllegalArgumentException.class);
        }
        // top-k: k larger than the tensor, an index past its end
        assertThatThrownBy(() -> Compression.decode(TensorEncoding.TOPK_F32, ByteBuffer.wrap(new byte[] {5}), 3))
                .hasMessageContaining("keeps 5 of 3");
        assertThatThrownBy(() -> Compression.decode(TensorEncoding.TOPK_F32, ByteBuffer.wrap(new byte[] {1, 9, 0, 0, 0, 0}), 3))
                .hasMessageContaining("outside");
        // int8: a non-finite scale
        ByteBuffer nanScale = ByteBuffer.allocate(9).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(0f).putFloat(Float.NaN).put((byte) 1);
        assertThatThrownBy(() -> Compression.decode(TensorEncoding.INT8, nanScale.flip(), 1)).hasMessageContaining("finite");
    }

    @Test
    void tensorRecordsCarryTheEncodingAndReadItBack() {
        Tensor t = new Tensor("dense0.W", new int[] {2, 3}, new float[] {1f, -2f, 3f, -4f, 5f, 0.5f});

        io.floe.schema.Tensor record = TensorRecords.toRecord(t, Compression.parse("topk:ratio=0.5"), new SplittableRandom(0));

        assertThat(record.getEncoding()).isEqualTo(TensorEncoding.TOPK_F32);
        assertThat(TensorRecords.fromRecord(record).values()).containsExactly(0f, 0f, 3f, -4f, 5f, 0f);
        assertThat(TensorRecords.fromRecord(record).shape()).containsExactly(2, 3);
    }
}
