package io.floe.core.chunk;

import java.nio.ByteBuffer;

/**
 * Lossless bit packing of 64-bit words in blocks of {@value #BLOCK}: per block, the shift {@code t}
 * (the trailing zero bits every word of the block shares) and the width {@code w} (the bits the
 * block's largest zigzag-coded {@code word >> t} needs), then each {@code zigzag(word >> t)} in
 * {@code w} bits, packed into little-endian longs. It is how {@link ExactSum} keeps the low words of
 * a round's sum in keyed state and checkpoints.
 *
 * <p>Why it pays: a sum of {@code n_k x} on the 2^-50 grid of a float32 {@code x} of exponent
 * {@code e} has at least {@code e + 27} trailing zero bits and at most about
 * {@code 51 + e_max + log2(sum n_k)} significant ones, so the 64-bit words carry unused bits at both
 * ends. Typical updates (|x| well below 1 and not far below 2^-20 in a block) need 45-58 bits: 6-7
 * bytes a coordinate instead of 8. Block size 1024 keeps one tiny or huge coordinate from widening
 * the whole chunk, at 2 bytes of header per block. Words whose block needs all 64 bits cost 8 bytes,
 * never more.
 */
final class PackedWords {
    /** Words per block. */
    static final int BLOCK = 1024;

    private PackedWords() {
    }

    /** Bytes {@link #write} writes for {@code words}. */
    static int size(long[] words) {
        int size = 0;
        for (int start = 0; start < words.length; start += BLOCK) {
            int end = Math.min(words.length, start + BLOCK);
            size += 2 + payloadBytes(end - start, shiftAndWidth(words, start, end) >>> 8);
        }
        return size;
    }

    /** Writes every block of {@code words} at the buffer's position (little-endian). */
    static void write(long[] words, ByteBuffer out) {
        for (int start = 0; start < words.length; start += BLOCK) {
            int end = Math.min(words.length, start + BLOCK);
            int header = shiftAndWidth(words, start, end);
            int t = header & 0xff;
            int w = header >>> 8;
            out.put((byte) t).put((byte) w);
            if (w == 0) {
                continue;
            }
            long acc = 0;
            int bits = 0;
            for (int i = start; i < end; i++) {
                long z = zigzag(words[i] >> t);
                acc |= z << bits;
                bits += w;
                if (bits >= 64) {
                    out.putLong(acc);
                    bits -= 64;
                    acc = bits == 0 ? 0 : z >>> (w - bits);
                }
            }
            if (bits > 0) {
                out.putLong(acc);
            }
        }
    }

    /** Reads {@code words.length} words written by {@link #write} from the buffer's position. */
    static void read(ByteBuffer in, long[] words) {
        for (int start = 0; start < words.length; start += BLOCK) {
            int end = Math.min(words.length, start + BLOCK);
            int t = in.get();
            int w = in.get();
            if (t < 0 || t > 63 || w < 0 || w > 64) {
                throw new IllegalArgumentException("not packed words: shift " + t + ", width " + w);
            }
            if (w == 0) {
                java.util.Arrays.fill(words, start, end, 0L);
                continue;
            }
            long mask = w == 64 ? -1L : (1L << w) - 1;
            long acc = in.getLong();
            int bits = 0;
            for (int i = start; i < end; i++) {
                long z = acc >>> bits;
                int have = 64 - bits;
                if (have < w) {
                    acc = in.getLong();
                    z |= acc << have;
                    bits = w - have;
                } else {
                    bits += w;
                    if (bits == 64 && i + 1 < end) {
                        acc = in.getLong();
                        bits = 0;
                    }
                }
                words[i] = unzigzag(z & mask) << t;
            }
        }
    }

    private static int payloadBytes(int n, int w) {
        return 8 * (int) (((long) n * w + 63) / 64);
    }

    /**
     * The block's shift (trailing zero bits every word shares) in the low byte and its width (bits
     * the largest {@code zigzag(word >> shift)} needs) in the next, from one pass: for
     * {@code u = v >> t}, {@code u ^ (u >> 63) = (v ^ (v >> 63)) >> t}, and zigzag adds one bit.
     */
    private static int shiftAndWidth(long[] words, int start, int end) {
        long or = 0;
        long magnitudes = 0;
        for (int i = start; i < end; i++) {
            long v = words[i];
            or |= v;
            magnitudes |= v ^ (v >> 63);
        }
        if (or == 0) {
            return 0;
        }
        int t = Long.numberOfTrailingZeros(or);
        int w = Math.max(0, 64 - Long.numberOfLeadingZeros(magnitudes) - t) + 1;
        return t | (w << 8);
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static long unzigzag(long z) {
        return (z >>> 1) ^ -(z & 1);
    }
}
