package io.floe.schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;

/** Encodes a record in Avro single-object encoding and decodes it again, plus small record fixtures. */
final class SingleObjectRoundTrip {
    private SingleObjectRoundTrip() {
    }

    static <T> T roundTrip(BinaryMessageEncoder<T> encoder, BinaryMessageDecoder<T> decoder, T record) {
        try {
            ByteBuffer encoded = encoder.encode(record);
            return decoder.decode(encoded);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ByteBuffer bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return ByteBuffer.wrap(out);
    }

    static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A 2x1 tensor whose data is 1.0f, -2.0f little-endian. */
    static Tensor weightTensor() {
        return Tensor.newBuilder()
                .setName("dense0.W")
                .setShape(List.of(2, 1))
                .setDtype(DType.FLOAT32)
                .setEncoding(TensorEncoding.DENSE_F32)
                .setData(bytes(0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0))
                .build();
    }

    /** A scalar-like 1-element tensor holding 0.5f. */
    static Tensor biasTensor() {
        return Tensor.newBuilder()
                .setName("dense0.b")
                .setShape(List.of(1))
                .setData(bytes(0x00, 0x00, 0x00, 0x3F))
                .build();
    }

    static ClientTrainingConfig training() {
        return ClientTrainingConfig.newBuilder().setLearningRate(0.05f).setLocalEpochs(3).setBatchSize(16).build();
    }

    static AggregationConfig aggregation() {
        return AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(4).build();
    }
}
