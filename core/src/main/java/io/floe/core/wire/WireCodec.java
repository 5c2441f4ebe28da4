package io.floe.core.wire;

import io.floe.schema.AggregationReport;
import io.floe.schema.ClientEnrolment;
import io.floe.schema.ClientHeartbeat;
import io.floe.schema.ClientRevocation;
import io.floe.schema.ClientRelease;
import io.floe.schema.DeadLetter;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.ModelChunk;
import io.floe.schema.ChunkScoreShare;
import io.floe.schema.ModelUpdate;
import io.floe.schema.UpdateChunk;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificDatumReader;

/**
 * Encodes and decodes one record type in Avro single-object encoding (2-byte marker, 8-byte
 * schema fingerprint, binary body), so a reader can tell schema versions apart without a registry.
 *
 * <p>{@code decode} never lets a decoding failure escape as anything but {@link MalformedRecordException}:
 * the job routes such records to the dead-letter topic instead of failing.
 *
 * <p><b>Newer writers.</b> A record whose fingerprint is none of floe's current schemas is read as
 * a newer version of this type ({@link #isNewerVersion}): its body is decoded with the current
 * schema and what follows is ignored. That is exact for floe's evolution rule, which the README
 * states: a new version only appends fields, with defaults, at the end of the top-level record
 * (Avro writes fields in order, so the current fields come first, unchanged). A record that breaks
 * the rule fails to decode or fails validation; either way it becomes a dead letter. Readers of a
 * topic that carries several types (floe.control) must not guess: {@link #hasHeaderOf} stays exact.
 *
 * @param <T> the generated record class
 */
public final class WireCodec<T> {
    public static final WireCodec<ModelSpec> MODEL_SPEC = new WireCodec<>("ModelSpec",
            ModelSpec.getClassSchema(), ModelSpec.getEncoder(), ModelSpec.getDecoder());
    public static final WireCodec<ModelUpdate> MODEL_UPDATE = new WireCodec<>("ModelUpdate",
            ModelUpdate.getClassSchema(), ModelUpdate.getEncoder(), ModelUpdate.getDecoder());
    public static final WireCodec<GlobalModel> GLOBAL_MODEL = new WireCodec<>("GlobalModel",
            GlobalModel.getClassSchema(), GlobalModel.getEncoder(), GlobalModel.getDecoder());
    public static final WireCodec<AggregationReport> AGGREGATION_REPORT = new WireCodec<>("AggregationReport",
            AggregationReport.getClassSchema(), AggregationReport.getEncoder(), AggregationReport.getDecoder());
    public static final WireCodec<ClientRelease> CLIENT_RELEASE = new WireCodec<>("ClientRelease",
            ClientRelease.getClassSchema(), ClientRelease.getEncoder(), ClientRelease.getDecoder());
    public static final WireCodec<ClientEnrolment> CLIENT_ENROLMENT = new WireCodec<>("ClientEnrolment",
            ClientEnrolment.getClassSchema(), ClientEnrolment.getEncoder(), ClientEnrolment.getDecoder());
    public static final WireCodec<ClientRevocation> CLIENT_REVOCATION = new WireCodec<>("ClientRevocation",
            ClientRevocation.getClassSchema(), ClientRevocation.getEncoder(), ClientRevocation.getDecoder());
    public static final WireCodec<ClientHeartbeat> CLIENT_HEARTBEAT = new WireCodec<>("ClientHeartbeat",
            ClientHeartbeat.getClassSchema(), ClientHeartbeat.getEncoder(), ClientHeartbeat.getDecoder());
    public static final WireCodec<DeadLetter> DEAD_LETTER = new WireCodec<>("DeadLetter",
            DeadLetter.getClassSchema(), DeadLetter.getEncoder(), DeadLetter.getDecoder());

    public static final WireCodec<UpdateChunk> UPDATE_CHUNK = new WireCodec<>("UpdateChunk",
            UpdateChunk.getClassSchema(), UpdateChunk.getEncoder(), UpdateChunk.getDecoder());
    public static final WireCodec<ModelChunk> MODEL_CHUNK = new WireCodec<>("ModelChunk",
            ModelChunk.getClassSchema(), ModelChunk.getEncoder(), ModelChunk.getDecoder());
    /** The job's own: a chunk's share of a Krum-family round's scores, on the internal chunk-scores topic. */
    public static final WireCodec<ChunkScoreShare> CHUNK_SCORE_SHARE = new WireCodec<>("ChunkScoreShare",
            ChunkScoreShare.getClassSchema(), ChunkScoreShare.getEncoder(), ChunkScoreShare.getDecoder());

    /** 2-byte marker C3 01 plus the 8-byte little-endian CRC-64-AVRO fingerprint. */
    private static final int HEADER_LENGTH = 10;
    /** The fingerprints of every record type floe writes now: none of them is a "newer version" of another. */
    private static final Set<Long> CURRENT_FINGERPRINTS = Set.of(ModelSpec.getClassSchema(), ModelUpdate.getClassSchema(),
            GlobalModel.getClassSchema(), AggregationReport.getClassSchema(), ClientRelease.getClassSchema(),
            ClientHeartbeat.getClassSchema(), DeadLetter.getClassSchema(), UpdateChunk.getClassSchema(),
            ModelChunk.getClassSchema(), ClientEnrolment.getClassSchema(), ClientRevocation.getClassSchema(),
            ChunkScoreShare.getClassSchema()).stream()
            .map(SchemaNormalization::parsingFingerprint64).collect(Collectors.toUnmodifiableSet());

    private final String typeName;
    private final Schema schema;
    private final long fingerprint;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    private WireCodec(String typeName, Schema schema, BinaryMessageEncoder<T> encoder, BinaryMessageDecoder<T> decoder) {
        this.typeName = typeName;
        this.schema = schema;
        this.fingerprint = SchemaNormalization.parsingFingerprint64(schema);
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
            if (isNewerVersion(bytes)) {
                walkWithinInput(bytes);
                return new SpecificDatumReader<T>(schema).read(null,
                        DecoderFactory.get().binaryDecoder(bytes, HEADER_LENGTH, bytes.length - HEADER_LENGTH, null));
            }
            requireLengthsWithinInput(bytes);
            return decoder.decode(bytes);
        } catch (IOException | RuntimeException e) {
            throw new MalformedRecordException("not a decodable " + typeName + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        }
    }

    /**
     * Avro allocates a string, bytes or array at the length the data claims before reading it, so
     * a few bytes of garbage behind a valid header can ask for 2 GiB (OutOfMemoryError, not an
     * exception). Skipping the body first allocates nothing and ends in EOFException as soon as a
     * claimed length runs past the input; after that every length the decoder meets is bounded by
     * {@code bytes.length} (every item of floe's arrays and maps takes at least one byte).
     * Headers this codec does not recognise are left to the decoder to reject.
     */
    private void requireLengthsWithinInput(byte[] bytes) throws IOException {
        if (bytes.length < HEADER_LENGTH || bytes[0] != (byte) 0xC3 || bytes[1] != (byte) 0x01
                || ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong() != fingerprint) {
            return;
        }
        walkWithinInput(bytes);
    }

    /** Skips the body as this type's current schema reads it; EOFException when a claimed length runs past the input. */
    private void walkWithinInput(byte[] bytes) throws IOException {
        // the direct decoder never skips backwards on a negative length, so the walk always ends
        ByteArrayInputStream body = new ByteArrayInputStream(bytes, HEADER_LENGTH, bytes.length - HEADER_LENGTH);
        GenericDatumReader.skip(schema, DecoderFactory.get().directBinaryDecoder(body, null));
    }

    /**
     * The record's {@code modelId}, read without materialising anything else: the body is resolved
     * against a projection of this type on {@code modelId} alone, so tensors and other fields are
     * skipped, not copied (how the job routes an update of any size by its model). Lengths are
     * checked against the input first, as in {@link #decode}.
     *
     * @throws MalformedRecordException when the bytes are not this record type (current schema)
     * @throws IllegalStateException when this record type has no {@code modelId} field
     */
    public String modelIdOf(byte[] bytes) {
        Schema.Field field = schema.getField("modelId");
        if (field == null) {
            throw new IllegalStateException(typeName + " has no modelId field");
        }
        boolean newer = isNewerVersion(bytes);
        if (!hasHeaderOf(bytes) && !newer) {
            throw new MalformedRecordException("not a " + typeName + " of the current schema: the value does not start with its "
                    + "single-object header (marker C3 01 and fingerprint " + Long.toHexString(fingerprint) + ")");
        }
        Schema projection = Schema.createRecord(schema.getName(), null, schema.getNamespace(), false,
                java.util.List.of(new Schema.Field("modelId", field.schema())));
        try {
            if (newer) {
                walkWithinInput(bytes);
            } else {
                requireLengthsWithinInput(bytes);
            }
            GenericRecord read = new GenericDatumReader<GenericRecord>(schema, projection)
                    .read(null, DecoderFactory.get().binaryDecoder(bytes, HEADER_LENGTH, bytes.length - HEADER_LENGTH, null));
            Object modelId = read.get("modelId");
            return modelId == null ? null : modelId.toString();
        } catch (IOException | RuntimeException e) {
            throw new MalformedRecordException("not a decodable " + typeName + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        }
    }

    /**
     * True when {@code bytes} carry this record type's single-object header (marker and the
     * current schema's fingerprint): how a reader of a topic with several record types, such as
     * floe.control, tells them apart before decoding.
     */
    public boolean hasHeaderOf(byte[] bytes) {
        return bytes != null && bytes.length >= HEADER_LENGTH && bytes[0] == (byte) 0xC3 && bytes[1] == (byte) 0x01
                && ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong() == fingerprint;
    }

    /**
     * True when {@code bytes} carry a single-object header whose fingerprint is not one of floe's
     * current schemas: a record written with a newer version of a schema, read here as this type.
     */
    public static boolean isNewerVersion(byte[] bytes) {
        return bytes != null && bytes.length >= HEADER_LENGTH && bytes[0] == (byte) 0xC3 && bytes[1] == (byte) 0x01
                && !CURRENT_FINGERPRINTS.contains(ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong());
    }

    public String typeName() {
        return typeName;
    }
}
