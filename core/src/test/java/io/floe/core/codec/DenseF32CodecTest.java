package io.floe.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class DenseF32CodecTest {

    @Test
    void encodesIeee754LittleEndian() {
        // Prepare
        float[] values = {1.0f, -2.0f, 0.5f, Float.NaN};

        // Execute
        byte[] encoded = DenseF32Codec.encode(values);

        // Assert: 1.0f = 0x3F800000, -2.0f = 0xC0000000, 0.5f = 0x3F000000, canonical NaN = 0x7FC00000
        assertThat(encoded).containsExactly(
                0x00, 0x00, 0x80, 0x3F,
                0x00, 0x00, 0x00, 0xC0,
                0x00, 0x00, 0x00, 0x3F,
                0x00, 0x00, 0xC0, 0x7F);
    }

    @Test
    void decodesHandWrittenLittleEndianBytes() {
        // Prepare: 1.0f, 3.0f (0x40400000), -0.0f (0x80000000)
        byte[] bytes = {0x00, 0x00, (byte) 0x80, 0x3F, 0x00, 0x00, 0x40, 0x40, 0x00, 0x00, 0x00, (byte) 0x80};

        // Execute
        float[] decoded = DenseF32Codec.decode(bytes, 3);

        // Assert
        assertThat(decoded).containsExactly(1.0f, 3.0f, -0.0f);
        assertThat(Float.floatToRawIntBits(decoded[2])).isEqualTo(0x80000000);
    }

    @Test
    void roundTripKeepsEveryBit() {
        // Prepare
        float[] values = {0f, -0f, Float.MIN_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, 1.1754942E-38f, 0.1f, -123456.78f};

        // Execute
        float[] decoded = DenseF32Codec.decode(DenseF32Codec.encode(values), values.length);

        // Assert
        for (int i = 0; i < values.length; i++) {
            assertThat(Float.floatToRawIntBits(decoded[i])).as("value %d", i)
                    .isEqualTo(Float.floatToRawIntBits(values[i]));
        }
    }

    @Test
    void emptyArrayIsZeroBytes() {
        // Execute
        byte[] encoded = DenseF32Codec.encode(new float[0]);

        // Assert
        assertThat(encoded).isEmpty();
        assertThat(DenseF32Codec.decode(encoded, 0)).isEmpty();
    }

    @Test
    void decodeReadsFromTheBufferPositionWithoutMovingIt() {
        // Prepare: two junk bytes, then 1.0f
        ByteBuffer buf = ByteBuffer.wrap(new byte[] {0x11, 0x22, 0x00, 0x00, (byte) 0x80, 0x3F});
        buf.position(2);

        // Execute
        float[] decoded = DenseF32Codec.decode(buf, 1);

        // Assert: the Avro record keeps its ByteBuffer, so decoding twice must give the same values
        assertThat(decoded).containsExactly(1.0f);
        assertThat(buf.position()).isEqualTo(2);
        assertThat(DenseF32Codec.decode(buf, 1)).containsExactly(1.0f);
    }

    @Test
    void rejectsDataShorterThanTheCount() {
        // Prepare
        byte[] sevenBytes = new byte[7];

        // Execute / Assert
        assertThatThrownBy(() -> DenseF32Codec.decode(sevenBytes, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("7 bytes, expected 8");
    }

    @Test
    void rejectsDataLongerThanTheCount() {
        // Execute / Assert
        assertThatThrownBy(() -> DenseF32Codec.decode(new byte[12], 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("12 bytes, expected 8");
    }

    @Test
    void rejectsNegativeCount() {
        // Execute / Assert
        assertThatThrownBy(() -> DenseF32Codec.decode(new byte[0], -1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
