package io.floe.core.chunk;

import io.floe.core.wire.MalformedRecordException;
import io.floe.core.wire.WireCodec;
import io.floe.schema.TensorEncoding;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * An {@code UpdateChunk} record read in place: its ids and index decoded, its data left where it is
 * in the record's bytes ({@link #data}: a read-only little-endian view, not a copy). Routing hashes
 * and checks a chunk, and a folder folds it, straight from the bytes Kafka delivered. The layout is
 * Avro's binary encoding of UpdateChunk after the 10-byte single-object header: modelId and
 * updateId (varint length, UTF-8), index (zigzag varint), data (varint length, bytes), encoding
 * (zigzag varint, a {@link TensorEncoding}; absent in a chunk of the first chunked schema, which
 * is DENSE_F32); fields a newer schema appends come after and are ignored, as {@link WireCodec} does.
 */
public final class UpdateChunkView {
    private static final int HEADER_LENGTH = 10;

    private final String modelId;
    private final String updateId;
    private final int index;
    private final ByteBuffer data;
    private final TensorEncoding encoding;

    private UpdateChunkView(String modelId, String updateId, int index, ByteBuffer data, TensorEncoding encoding) {
        this.modelId = modelId;
        this.updateId = updateId;
        this.index = index;
        this.data = data;
        this.encoding = encoding;
    }

    /**
     * @throws MalformedRecordException when {@code bytes} are not an UpdateChunk, or a length runs
     *     past them
     */
    public static UpdateChunkView of(byte[] bytes) {
        if (!WireCodec.UPDATE_CHUNK.hasHeaderOf(bytes) && !WireCodec.isNewerVersion(bytes)) {
            throw new MalformedRecordException("not an UpdateChunk: the value does not start with its single-object header");
        }
        Reader r = new Reader(bytes, HEADER_LENGTH);
        String modelId = r.string();
        String updateId = r.string();
        int index = (int) r.zigzag();
        int length = r.length();
        ByteBuffer data = ByteBuffer.wrap(bytes, r.at, length).slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        r.at += length;
        TensorEncoding encoding = TensorEncoding.DENSE_F32;
        if (r.at < bytes.length) {
            long symbol = r.zigzag();
            TensorEncoding[] symbols = TensorEncoding.values();
            if (symbol < 0 || symbol >= symbols.length) {
                throw new MalformedRecordException("not a decodable UpdateChunk: encoding symbol " + symbol + " is not a TensorEncoding");
            }
            encoding = symbols[(int) symbol];
        }
        return new UpdateChunkView(modelId, updateId, index, data, encoding);
    }

    public String modelId() {
        return modelId;
    }

    public String updateId() {
        return updateId;
    }

    public int index() {
        return index;
    }

    /** How {@link #data} is encoded. */
    public TensorEncoding encoding() {
        return encoding;
    }

    /** The chunk's data bytes in its {@link #encoding}: a read-only little-endian view of the record. */
    public ByteBuffer data() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Bounded reader of Avro binary primitives over the record's bytes. */
    private static final class Reader {
        private final byte[] b;
        private int at;

        Reader(byte[] b, int at) {
            this.b = b;
            this.at = at;
        }

        long zigzag() {
            long z = 0;
            int shift = 0;
            while (true) {
                if (at >= b.length || shift > 63) {
                    throw new MalformedRecordException("not a decodable UpdateChunk: a varint runs past the record");
                }
                byte x = b[at++];
                z |= (long) (x & 0x7F) << shift;
                if (x >= 0) {
                    break;
                }
                shift += 7;
            }
            return (z >>> 1) ^ -(z & 1);
        }

        int length() {
            long n = zigzag();
            if (n < 0 || n > b.length - at) {
                throw new MalformedRecordException("not a decodable UpdateChunk: a length of " + n + " bytes runs past the record");
            }
            return (int) n;
        }

        String string() {
            int n = length();
            String s = new String(b, at, n, StandardCharsets.UTF_8);
            at += n;
            return s;
        }
    }
}
