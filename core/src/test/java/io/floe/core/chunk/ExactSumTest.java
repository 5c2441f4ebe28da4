package io.floe.core.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ExactSumTest {

    @Test
    void handComputedFedAvg() {
        // Prepare: two updates with n = 3 and n = 1 over w = [1, 0]
        ExactSum sum = new ExactSum(2);
        // Execute
        sum.add(3, new float[] {0.5f, -1f});
        sum.add(1, new float[] {1.5f, 3f});
        // Assert: S = [3, 0], S / N = [0.75, 0], w + S / N = [1.75, 0]
        assertThat(sum.valueAt(0)).isEqualTo(3.0);
        assertThat(sum.valueAt(1)).isEqualTo(0.0);
        assertThat(sum.applyTo(new float[] {1f, 0f}, 4, 1.0)).containsExactly(1.75f, 0f);
    }

    @Test
    void equalsTheExactValueRoundedOnTheGrid() {
        Random rnd = new Random(7);
        float[][] xs = new float[20][];
        long[] ns = new long[20];
        for (int k = 0; k < xs.length; k++) {
            xs[k] = new float[] {(float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(8) - 4))};
            ns[k] = 1 + rnd.nextInt(100_000);
        }
        ExactSum sum = new ExactSum(1);
        BigDecimal exact = BigDecimal.ZERO;
        for (int k = 0; k < xs.length; k++) {
            sum.add(ns[k], xs[k]);
            // each product rounded half-even on the 2^-50 grid, then summed exactly
            BigDecimal scaled = new BigDecimal(xs[k][0]).multiply(BigDecimal.valueOf(ns[k])).multiply(BigDecimal.valueOf(2).pow(50));
            exact = exact.add(scaled.setScale(0, RoundingMode.HALF_EVEN));
        }
        double expected = exact.divide(BigDecimal.valueOf(2).pow(50)).doubleValue();
        assertThat(sum.valueAt(0)).isCloseTo(expected, org.assertj.core.data.Offset.offset(Math.ulp(expected) * 2));
    }

    @Test
    void sameBitsInAnyOrderAndSplit() {
        Random rnd = new Random(11);
        int d = 257;
        List<float[]> updates = new ArrayList<>();
        List<Long> weights = new ArrayList<>();
        for (int k = 0; k < 16; k++) {
            float[] x = new float[d];
            for (int i = 0; i < d; i++) {
                x[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(10) - 6));
            }
            updates.add(x);
            weights.add((long) (1 + rnd.nextInt(5000)));
        }
        ExactSum inOrder = new ExactSum(d);
        for (int k = 0; k < updates.size(); k++) {
            inOrder.add(weights.get(k), updates.get(k));
        }
        List<Integer> order = new ArrayList<>();
        for (int k = 0; k < updates.size(); k++) {
            order.add(k);
        }
        for (int trial = 0; trial < 5; trial++) {
            Collections.shuffle(order, new Random(trial));
            ExactSum shuffled = new ExactSum(d);
            // two halves folded apart and merged by adding one's values into the other: as two subtasks would not, but as a restart would reorder
            for (int k : order) {
                shuffled.add(weights.get(k), updates.get(k));
            }
            assertThat(shuffled).isEqualTo(inOrder);
            assertThat(shuffled.applyTo(new float[d], 1000, 1.0)).containsExactly(inOrder.applyTo(new float[d], 1000, 1.0));
        }
        // the float sum in two orders differs: the point of the exact sum
        float a = 0f;
        float b = 0f;
        for (int k = 0; k < updates.size(); k++) {
            a += weights.get(k) * updates.get(k)[0];
            b += weights.get(updates.size() - 1 - k) * updates.get(updates.size() - 1 - k)[0];
        }
        assertThat(a == b || Float.floatToIntBits(a) != Float.floatToIntBits(b)).isTrue();
    }

    @Test
    void subtractingRestoresExactly() {
        ExactSum sum = new ExactSum(3);
        sum.add(7, new float[] {0.1f, -2.5e-9f, 123456.7f});
        ExactSum before = ExactSum.fromBytes(sum.toBytes());
        float[] dropped = {-3.3f, 1e-12f, 4e9f};
        sum.add(12, dropped);
        assertThat(sum).isNotEqualTo(before);
        sum.add(-12, dropped);
        assertThat(sum).isEqualTo(before);
    }

    @Test
    void sparseEqualsDense() {
        float[] dense = {0f, 2.5f, 0f, 0f, -1e-3f, 0f};
        ExactSum a = new ExactSum(6);
        a.add(9, dense);
        ExactSum b = new ExactSum(6);
        b.addSparse(9, new int[] {1, 4}, new float[] {2.5f, -1e-3f});
        assertThat(b).isEqualTo(a);
    }

    @Test
    void bytesRoundTripIncludingWideCoordinates() {
        ExactSum sum = new ExactSum(4);
        sum.add((1L << 31) - 1, new float[] {3e9f, -3e9f, 1e-30f, -0.5f});
        sum.add((1L << 31) - 1, new float[] {3e9f, -3e9f, 1e-30f, -0.5f});
        ExactSum back = ExactSum.fromBytes(sum.toBytes());
        assertThat(back).isEqualTo(sum);
        assertThat(back.valueAt(0)).isCloseTo(2.0 * 3e9 * ((1L << 31) - 1), org.assertj.core.data.Percentage.withPercentage(1e-9));
        assertThat(back.valueAt(1)).isEqualTo(-back.valueAt(0));
        // products below the grid round to zero
        assertThat(back.valueAt(2)).isEqualTo(0.0);
        // four low words packed: one block whose words share 50 trailing zero bits and need 12 more
        // (shift and width bytes, then 4 x 12 bits in one long), then three wide coordinates
        // (past 2^63 on the 2^-50 grid; the tiny one is not)
        assertThat(sum.toBytes()).hasSize(9 + 2 + 8 + 12 * 3);
        // an empty sum costs its header alone; it still round-trips
        assertThat(new ExactSum(1000).toBytes()).hasSize(9);
        assertThat(ExactSum.fromBytes(new ExactSum(1000).toBytes())).isEqualTo(new ExactSum(1000));
        byte[] garbage = new ExactSum(2).toBytes();
        garbage[8] = 7;
        assertThatThrownBy(() -> ExactSum.fromBytes(garbage)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFoldedSumOfSgdSizedDeltasCostsLessThanEightBytesACoordinate() {
        Random rnd = new Random(3);
        ExactSum sum = new ExactSum(10_000);
        for (int k = 0; k < 32; k++) {
            float[] x = new float[10_000];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (rnd.nextGaussian() * 1e-2);
            }
            sum.add(100 + k, x);
        }
        byte[] bytes = sum.toBytes();
        assertThat(ExactSum.fromBytes(bytes)).isEqualTo(sum);
        // |S| < 2^11 needs at most 62 bits and no product has fewer than ~2^-40 bits below the grid: under 7.5 bytes
        assertThat(bytes.length).isLessThan(75_000);
    }

    @Test
    void readsTheEarlierRawLongForm() {
        ExactSum sum = new ExactSum(3);
        sum.add(7, new float[] {0.25f, -1.5f, 3e-3f});
        java.nio.ByteBuffer raw = java.nio.ByteBuffer.allocate(9 + 24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        raw.putInt(3).putInt(0).put((byte) 1);
        for (int i = 0; i < 3; i++) {
            raw.putLong(Math.round(sum.valueAt(i) * 0x1p50));
        }
        assertThat(ExactSum.fromBytes(raw.array())).isEqualTo(sum);
    }

    @Test
    void refusesValuesAndWeightsOutOfRange() {
        ExactSum sum = new ExactSum(1);
        assertThatThrownBy(() -> sum.add(1, new float[] {Float.NaN})).hasMessageContaining("not finite");
        assertThatThrownBy(() -> sum.add(1, new float[] {0x1p32f})).hasMessageContaining("2^32");
        assertThatThrownBy(() -> sum.add(1L << 31, new float[] {1f})).hasMessageContaining("2^31");
        assertThat(ExactSum.checkValue(Float.POSITIVE_INFINITY)).contains("not finite");
        assertThat(ExactSum.checkValue(1e9f)).isNull();
    }

    @Test
    void fedNovaDivisorFoldsEachQuotientRoundedOnItsOwn() {
        float[] x = {1f, -3f, 0.7f};
        ExactSum divided = new ExactSum(3);
        divided.add(5, java.nio.ByteBuffer.wrap(ChunkData.encode(x, 0, 3)), 3.0);
        ExactSum byHand = new ExactSum(3);
        byHand.add(5, new float[] {(float) (1.0 / 3.0), (float) (-3.0 / 3.0), (float) (0.7f / 3.0)});
        assertThat(divided).isEqualTo(byHand);
        divided.add(-5, java.nio.ByteBuffer.wrap(ChunkData.encode(x, 0, 3)), 3.0);
        assertThat(divided).isEqualTo(new ExactSum(3));
    }
}
