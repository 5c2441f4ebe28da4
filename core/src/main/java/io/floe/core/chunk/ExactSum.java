package io.floe.core.chunk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.util.Arrays;

/**
 * A running weighted sum {@code S = sum_k n_k x_k} of float32 vectors that gives the same bits in
 * any order: each product {@code n_k x_k} (a float32 times an integer weight, exact in 55 bits) is
 * rounded on its own to a fixed-point grid of 2^-50, half to even, and the grid values are added in
 * 128-bit two's complement, where addition is exact and so associative and commutative. The result
 * therefore does not depend on arrival order, on how many subtasks fold parts of it, or on where
 * chunk boundaries fall: what the issue calls "exact accumulation of n_k x float32 products".
 * Subtracting a vector that was added ({@link #add} with {@code -n}) restores the previous state
 * exactly, so a dropped update can be taken out again.
 *
 * <p>Cost and limits: 8 bytes per coordinate in memory while every |S_i| < 2^13 (the high words
 * are allocated when the first one is needed, then 16), and in {@link #toBytes} the low words
 * bit-packed (the bits they use, at most 8 bytes; 9 bytes for an empty sum) plus the rare high words; values must be finite with |x| < 2^32
 * and weights |n| < 2^31 (then 2^14 terms cannot overflow). Products below 2^-51 round to zero,
 * far below the float32 precision of any weight they end up in.
 *
 * <p>Another known way is the reproducible binned summation of Demmel and Nguyen (2015,
 * "Parallel reproducible summation", IEEE TC 64(7)), which needs no bound on the values but
 * keeps several bins per coordinate; the bound here is checked ({@link #checkValue}) and an update
 * past it is refused as absurd before it is folded.
 */
public final class ExactSum {
    /** Fraction bits of the fixed-point grid. */
    public static final int FRACTION_BITS = 50;
    /** Values must be smaller than this in magnitude (2^32). */
    public static final float MAX_ABS_VALUE = 0x1p32f;
    /** Weights must be smaller than this in magnitude (2^31). */
    public static final long MAX_ABS_WEIGHT = 1L << 31;

    /** High words, null while every coordinate's high word is its low word's sign extension. */
    private long[] hi;
    private final long[] lo;

    public ExactSum(int length) {
        this.lo = new long[length];
    }

    private ExactSum(long[] hi, long[] lo) {
        this.hi = hi;
        this.lo = lo;
    }

    /** An independent copy. */
    public ExactSum copy() {
        return new ExactSum(hi == null ? null : hi.clone(), lo.clone());
    }

    public int length() {
        return lo.length;
    }

    /** Why {@code x} cannot be folded (not finite, or |x| >= 2^32), or null when it can. */
    public static String checkValue(float x) {
        if (!Float.isFinite(x)) {
            return "value " + x + " is not finite";
        }
        if (Math.abs(x) >= MAX_ABS_VALUE) {
            return "value " + x + " is not below 2^32 in magnitude";
        }
        return null;
    }

    /** Adds {@code weight * values[i]} to coordinate i; {@code values.length} must equal {@link #length}. */
    public void add(long weight, float[] values) {
        if (values.length != lo.length) {
            throw new IllegalArgumentException("adding " + values.length + " values to a sum of " + lo.length);
        }
        checkWeight(weight);
        for (int i = 0; i < values.length; i++) {
            addAt(i, weight, values[i]);
        }
    }

    /**
     * Adds {@code weight * x_i} for the little-endian float32 values {@code x} in {@code data}
     * (its remaining bytes, exactly {@code 4 * length()} of them), read in place.
     */
    public void add(long weight, ByteBuffer data) {
        ByteBuffer d = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (d.remaining() != 4L * lo.length) {
            throw new IllegalArgumentException("adding " + d.remaining() + " bytes to a sum of " + lo.length + " float32 values");
        }
        checkWeight(weight);
        // the values' bits copied out in blocks (a bulk copy), then folded from an int[]: cheaper
        // than one bounds-checked unaligned read per value
        IntBuffer ints = d.slice().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
        int[] block = new int[Math.min(BLOCK_VALUES, lo.length)];
        for (int start = 0; start < lo.length; start += block.length) {
            int len = Math.min(block.length, lo.length - start);
            ints.get(block, 0, len);
            for (int j = 0; j < len; j++) {
                addBits(start + j, weight, block[j]);
            }
        }
    }

    /** Values folded per block in {@link #add(long, ByteBuffer)}: 16 KiB of bits, well inside a core's L1 and L2. */
    private static final int BLOCK_VALUES = 4096;

    /**
     * Adds {@code weight * (float) (x_i / divisor)}: FedNova's normalised delta d_i = Delta_i / a_i
     * (Wang et al. 2020, eq. (6)), each quotient rounded once to float32 on its own, so the sum stays
     * exact and order-independent. A divisor of 1 is {@link #add(long, ByteBuffer)}.
     */
    public void add(long weight, ByteBuffer data, double divisor) {
        if (divisor == 1.0) {
            add(weight, data);
            return;
        }
        if (!(divisor > 0) || Double.isInfinite(divisor)) {
            throw new IllegalArgumentException("divisor must be positive and finite, not " + divisor);
        }
        ByteBuffer d = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (d.remaining() != 4L * lo.length) {
            throw new IllegalArgumentException("adding " + d.remaining() + " bytes to a sum of " + lo.length + " float32 values");
        }
        checkWeight(weight);
        int base = d.position();
        for (int i = 0; i < lo.length; i++) {
            addAt(i, weight, (float) (d.getFloat(base + 4 * i) / divisor));
        }
    }

    /** Adds {@code weight * values[j]} at coordinate {@code indices[j]}: a sparse vector in O(k), the same bits as its dense form. */
    public void addSparse(long weight, int[] indices, float[] values) {
        if (indices.length != values.length) {
            throw new IllegalArgumentException(indices.length + " indices for " + values.length + " values");
        }
        checkWeight(weight);
        for (int j = 0; j < indices.length; j++) {
            addAt(indices[j], weight, values[j]);
        }
    }

    private static void checkWeight(long weight) {
        if (weight <= -MAX_ABS_WEIGHT || weight >= MAX_ABS_WEIGHT) {
            throw new IllegalArgumentException("weight " + weight + " is not below 2^31 in magnitude");
        }
    }

    private void addAt(int i, long weight, float x) {
        addBits(i, weight, Float.floatToRawIntBits(x));
    }

    /**
     * Adds {@code weight * x} where {@code bits} are x's IEEE-754 bits. The sign is applied without
     * a branch (updates' signs are random, and a mispredicted branch per value would cost more than
     * the rest of the work).
     */
    private void addBits(int i, long weight, int bits) {
        int exp = (bits >>> 23) & 0xFF;
        if (exp >= 127 + 32) {
            throw new IllegalArgumentException(checkValue(Float.intBitsToFloat(bits)) + " (coordinate " + i + ")");
        }
        long m = exp == 0 ? (bits & 0x7FFFFF) : ((bits & 0x7FFFFF) | 0x800000);
        long p = m * Math.abs(weight); // < 2^55
        int shift = (exp == 0 ? -149 : exp - 150) + FRACTION_BITS; // <= 58
        long termHi;
        long termLo;
        if (shift >= 0) {
            termLo = p << shift;
            termHi = shift == 0 ? 0 : p >>> (64 - shift);
        } else {
            termHi = 0;
            termLo = roundShiftRight(p, -shift);
        }
        long neg = ((long) bits ^ weight) >> 63; // all ones when exactly one of x and the weight is negative
        long zeroLo = ((termLo | -termLo) >>> 63) ^ 1; // 1 when termLo == 0
        termLo = (termLo ^ neg) - neg;
        termHi = (termHi ^ neg) + (zeroLo & neg);
        long before = lo[i];
        long sumLo = before + termLo;
        // the carry out of the low words, without a branch (half the terms are negative, so a compare
        // and branch here would be mispredicted about half the time)
        long carry = ((before & termLo) | ((before | termLo) & ~sumLo)) >>> 63;
        long sumHi = hiAt(i) + termHi + carry;
        lo[i] = sumLo;
        if (hi != null) {
            hi[i] = sumHi;
        } else if (sumHi != (sumLo >> 63)) {
            hi = new long[lo.length];
            for (int j = 0; j < lo.length; j++) {
                hi[j] = lo[j] >> 63;
            }
            hi[i] = sumHi;
        }
    }

    private long hiAt(int i) {
        return hi == null ? lo[i] >> 63 : hi[i];
    }

    /** {@code p / 2^r} rounded half to even, for 0 <= p < 2^62. */
    private static long roundShiftRight(long p, int r) {
        if (r >= 63) {
            return 0;
        }
        long q = p >>> r;
        long rem = p & ((1L << r) - 1);
        long half = 1L << (r - 1);
        if (rem > half || (rem == half && (q & 1) == 1)) {
            q++;
        }
        return q;
    }

    /** Coordinate i of the sum as a double (one rounding of the exact value's two words). */
    public double valueAt(int i) {
        double high = (double) hiAt(i) * 0x1p64;
        double low = (double) (lo[i] >>> 1) * 2.0 + (lo[i] & 1);
        return (high + low) * 0x1p-50;
    }

    /**
     * The next model's values: {@code base[i] + scale * S_i / totalWeight}, each computed in double
     * from the exact sum and rounded once to float32 (FedAvg with a server learning rate: scale = eta_g).
     */
    public float[] applyTo(float[] base, long totalWeight, double scale) {
        if (base.length != lo.length) {
            throw new IllegalArgumentException("a base of " + base.length + " values for a sum of " + lo.length);
        }
        if (totalWeight <= 0) {
            throw new IllegalArgumentException("total weight must be positive, not " + totalWeight);
        }
        float[] next = new float[base.length];
        for (int i = 0; i < base.length; i++) {
            next[i] = (float) (base[i] + scale * (valueAt(i) / totalWeight));
        }
        return next;
    }

    /** The weighted mean {@code S_i / totalWeight} per coordinate, rounded once to float32: a delta for a server optimizer. */
    public float[] mean(long totalWeight) {
        if (totalWeight <= 0) {
            throw new IllegalArgumentException("total weight must be positive, not " + totalWeight);
        }
        float[] out = new float[lo.length];
        for (int i = 0; i < lo.length; i++) {
            out[i] = (float) (valueAt(i) / totalWeight);
        }
        return out;
    }

    /**
     * Bytes for keyed state and checkpoints: the count, the number of wide coordinates, a form byte
     * (0: every low word is zero, nothing follows for them; 2: the low words bit-packed by
     * {@link PackedWords}, blocks of 1024 sharing a shift and a width; 1, no longer written but
     * still read: little-endian longs), then (index, high word) for each coordinate whose high word
     * is not the low word's sign extension (rare: |S| >= 2^13). An empty sum costs 9 bytes, a
     * folded one the bits its values use: about 6-7 bytes a coordinate for SGD-sized deltas, 8 at
     * most. (Zigzag varints, an earlier form, saved nothing on a folded sum and were half the job's
     * checkpointing time; raw longs, the next, made an open round cost twice its slice.)
     */
    public byte[] toBytes() {
        int wide = 0;
        boolean empty = true;
        for (int i = 0; i < lo.length; i++) {
            if (hiAt(i) != (lo[i] >> 63)) {
                wide++;
            }
            empty &= lo[i] == 0;
        }
        ByteBuffer buf = ByteBuffer.allocate(9 + (empty ? 0 : PackedWords.size(lo)) + 12 * wide).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(lo.length).putInt(wide).put((byte) (empty ? 0 : 2));
        if (!empty) {
            PackedWords.write(lo, buf);
        }
        for (int i = 0; i < lo.length; i++) {
            if (hiAt(i) != (lo[i] >> 63)) {
                buf.putInt(i).putLong(hi[i]);
            }
        }
        return buf.array();
    }

    public static ExactSum fromBytes(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int n = buf.getInt();
        int wide = buf.getInt();
        byte form = buf.get();
        long[] lo = new long[n];
        if (form == 2) {
            PackedWords.read(buf, lo);
        } else if (form == 1) {
            buf.asLongBuffer().get(lo);
            buf.position(buf.position() + 8 * n);
        } else if (form != 0) {
            throw new IllegalArgumentException("not an ExactSum's bytes: form " + form);
        }
        long[] hi = null;
        if (wide > 0) {
            hi = new long[n];
            for (int i = 0; i < n; i++) {
                hi[i] = lo[i] >> 63;
            }
            for (int j = 0; j < wide; j++) {
                int i = buf.getInt();
                hi[i] = buf.getLong();
            }
        }
        return new ExactSum(hi, lo);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ExactSum other) || !Arrays.equals(lo, other.lo)) {
            return false;
        }
        for (int i = 0; i < lo.length; i++) {
            if (hiAt(i) != other.hiAt(i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(lo);
    }
}
