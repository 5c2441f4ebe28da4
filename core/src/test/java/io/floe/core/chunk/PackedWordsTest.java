package io.floe.core.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PackedWordsTest {

    private static long[] roundTrip(long[] words) {
        ByteBuffer buf = ByteBuffer.allocate(PackedWords.size(words)).order(ByteOrder.LITTLE_ENDIAN);
        PackedWords.write(words, buf);
        assertThat(buf.remaining()).as("size() is what write() writes").isZero();
        buf.flip();
        long[] back = new long[words.length];
        PackedWords.read(buf, back);
        assertThat(buf.remaining()).as("read() consumes what write() wrote").isZero();
        return back;
    }

    @Test
    void everyWidthShiftAndBlockBoundaryRoundTrips() {
        Random rnd = new Random(11);
        for (int n : new int[] {0, 1, 2, 63, 64, 65, 1023, 1024, 1025, 2048, 3001}) {
            for (int width = 1; width <= 64; width += 7) {
                for (int shift : new int[] {0, 1, 19, 40}) {
                    long[] words = new long[n];
                    for (int i = 0; i < n; i++) {
                        long v = width == 64 ? rnd.nextLong() : rnd.nextLong() >> (64 - width);
                        words[i] = v << shift;
                    }
                    assertThat(roundTrip(words)).as("n %d width %d shift %d", n, width, shift).isEqualTo(words);
                }
            }
        }
    }

    @Test
    void extremesAndZeroBlocks() {
        long[] words = new long[3000];
        words[0] = Long.MIN_VALUE;
        words[1] = Long.MAX_VALUE;
        words[2] = -1;
        words[2500] = 1L << 62;
        // block 2 (2048..2999) holds one value, block 1 (1024..2047) none
        assertThat(roundTrip(words)).isEqualTo(words);
        // a block of zeros costs its two header bytes
        assertThat(PackedWords.size(new long[1024])).isEqualTo(2);
    }

    @Test
    void aBlockCostsTheBitsItsWordsUse() {
        // 1024 words in [-2^10, 2^10) times 2^20: shift 20, zigzag width 11 bits -> 11 x 1024 / 8 bytes
        long[] words = new long[1024];
        Random rnd = new Random(5);
        for (int i = 0; i < words.length; i++) {
            words[i] = (long) (rnd.nextInt(2048) - 1024) << 20;
        }
        words[0] = -1024L << 20;
        words[1] = 1023L << 20;
        words[2] = 1L << 20;
        assertThat(PackedWords.size(words)).isEqualTo(2 + 11 * 1024 / 8);
        assertThat(roundTrip(words)).isEqualTo(words);
    }

    @Test
    void refusesAHeaderThatIsNotPackedWords() {
        ByteBuffer buf = ByteBuffer.wrap(new byte[] {70, 3, 0, 0, 0, 0, 0, 0, 0, 0}).order(ByteOrder.LITTLE_ENDIAN);
        assertThatThrownBy(() -> PackedWords.read(buf, new long[4])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shift 70");
    }
}
