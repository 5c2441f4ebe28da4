package io.floe.core.wire;

import io.floe.schema.AggregationReport;
import io.floe.schema.DeadLetter;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.ModelUpdate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;

/**
 * Encodes and decodes one record type in Avro single-object encoding (2-byte marker, 8-byte
 * schema fingerprint, binary body), so a reader can tell schema versions apart without a registry.
 *
 * <p>{@code decode} never lets a decoding failure escape as anything but {@link MalformedRecordException}:
 * the job routes such records to the dead-letter topic instead of failing.
 *
 * @param <T> the generated record class
 */
public final class WireCodec<T> {
    public static final WireCodec<ModelSpec> MODEL_SPEC =
            new WireCodec<>("ModelSpec", ModelSpec.getEncoder(), ModelSpec.getDecoder());
    public static final WireCodec<ModelUpdate> MODEL_UPDATE =
            new WireCodec<>("ModelUpdate", ModelUpdate.getEncoder(), ModelUpdate.getDecoder());
    public static final WireCodec<GlobalModel> GLOBAL_MODEL =
            new WireCodec<>("GlobalModel", GlobalModel.getEncoder(), GlobalModel.getDecoder());
    public static final WireCodec<AggregationReport> AGGREGATION_REPORT =
            new WireCodec<>("AggregationReport", AggregationReport.getEncoder(), AggregationReport.getDecoder());
    public static final WireCodec<DeadLetter> DEAD_LETTER =
            new WireCodec<>("DeadLetter", DeadLetter.getEncoder(), DeadLetter.getDecoder());

    private final String typeName;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    private WireCodec(String typeName, BinaryMessageEncoder<T> encoder, BinaryMessageDecoder<T> decoder) {
        this.typeName = typeName;
        this.encoder = encoder;
        this.decoder = decoder;
    }

    public byte[] encode(T record) {
        Objects.requireNonNull(record, "record");
        try {
            ByteBuffer buf = encoder.encode(record);
            byte[] out = new byte[buf.remaining()];
            buf.get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + typeName, e);
        }
    }

    /**
     * @throws MalformedRecordException when the bytes are null, not single-object encoded, carry
     *     an unknown schema fingerprint, or do not parse as this record type
     */
    public T decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new MalformedRecordException("empty value where a " + typeName + " was expected");
        }
        try {
            return decoder.decode(bytes);
        } catch (IOException | RuntimeException e) {
            throw new MalformedRecordException("not a decodable " + typeName + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        }
    }

    public String typeName() {
        return typeName;
    }
}
