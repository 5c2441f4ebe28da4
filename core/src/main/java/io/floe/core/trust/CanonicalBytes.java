package io.floe.core.trust;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * The bytes a floe record is signed over: the domain tag {@code floe-signed-v1\0}, the record's
 * 8-byte schema fingerprint (CRC-64-AVRO, little-endian, as in single-object encoding: the
 * signature binds the record type and schema version), then its Avro binary body with the
 * {@code signature} field null and every map's entries in key order (Avro writes a map in
 * iteration order, which a decoder does not keep).
 *
 * <p>So a signature covers every field the signer's schema has: for an update, model, client,
 * base version, update id, creation time, example count, tensors and, for a chunked update, every
 * chunk's SHA-256 in its manifest; chunks are covered through those hashes, not signed one by one.
 * A reader verifies with its own schema: a record from a newer writer that adds fields does not
 * verify until the reader is upgraded (the added fields would otherwise travel unsigned).
 */
public final class CanonicalBytes {
    private static final byte[] DOMAIN = "floe-signed-v1\0".getBytes(StandardCharsets.US_ASCII);
    public static final String SIGNATURE_FIELD = "signature";

    private CanonicalBytes() {
    }

    /** The canonical bytes of {@code record}; its signature field is left as it was, its maps sorted in place. */
    public static byte[] of(SpecificRecord record) {
        Schema schema = record.getSchema();
        Schema.Field field = signatureField(schema);
        Object signature = record.get(field.pos());
        sortMaps(record, schema);
        record.put(field.pos(), null);
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
            out.write(DOMAIN);
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(SchemaNormalization.parsingFingerprint64(schema)).array());
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new SpecificDatumWriter<SpecificRecord>(schema).write(record, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            record.put(field.pos(), signature);
        }
    }

    static Schema.Field signatureField(Schema schema) {
        Schema.Field field = schema.getField(SIGNATURE_FIELD);
        if (field == null) {
            throw new IllegalArgumentException(schema.getFullName() + " has no signature field: it is not a signed record");
        }
        return field;
    }

    @SuppressWarnings("unchecked")
    private static Object sortMaps(Object datum, Schema schema) {
        if (datum == null) {
            return null;
        }
        switch (schema.getType()) {
            case RECORD -> {
                SpecificRecord record = (SpecificRecord) datum;
                for (Schema.Field f : schema.getFields()) {
                    Object value = record.get(f.pos());
                    Object sorted = sortMaps(value, f.schema());
                    if (sorted != value) {
                        record.put(f.pos(), sorted);
                    }
                }
                return datum;
            }
            case MAP -> {
                TreeMap<Object, Object> sorted = new TreeMap<>(Comparator.comparing(Object::toString));
                for (Map.Entry<Object, Object> e : ((Map<Object, Object>) datum).entrySet()) {
                    sorted.put(e.getKey(), sortMaps(e.getValue(), schema.getValueType()));
                }
                return sorted;
            }
            case ARRAY -> {
                Schema items = schema.getElementType();
                if (items.getType() == Schema.Type.RECORD || items.getType() == Schema.Type.MAP || items.getType() == Schema.Type.UNION) {
                    List<Object> list = (List<Object>) datum;
                    for (int i = 0; i < list.size(); i++) {
                        Object v = list.get(i);
                        Object s = sortMaps(v, items);
                        if (s != v) {
                            list.set(i, s);
                        }
                    }
                }
                return datum;
            }
            case UNION -> {
                int branch = GenericData.get().resolveUnion(schema, datum);
                return sortMaps(datum, schema.getTypes().get(branch));
            }
            default -> {
                return datum;
            }
        }
    }
}
