package io.floe.trainer.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.GZIPInputStream;

/**
 * Reads unsigned-byte arrays in the IDX format of LeCun, Bottou, Bengio and Haffner (1998),
 * "Gradient-based learning applied to document recognition" (the MNIST files, described at
 * yann.lecun.com/exdb/mnist), which Xiao, Rasul and Vollgraf (2017), "Fashion-MNIST: a Novel
 * Image Dataset for Benchmarking Machine Learning Algorithms", kept byte for byte.
 *
 * <p>An IDX file is a big-endian header and a dense body: two zero bytes, a type byte
 * ({@code 0x08} = unsigned byte, the only type MNIST-style data use), a byte giving the number of
 * dimensions, one 32-bit size per dimension, then the values with the last dimension changing
 * fastest. So a label file starts with the magic {@code 0x00000801} and one size (the count), an
 * image file with {@code 0x00000803} and three (count, rows, columns).
 *
 * <p>Files may be gzip-compressed, as they are distributed; compression is detected by the gzip
 * magic {@code 0x1f8b}, not the file name. The body is read with one bulk read, and only the
 * first {@code limit} items of it, so a quick run or a test on the first 1000 images does not
 * inflate all 47 MB.
 *
 * <p>Malformed content (wrong magic, bad dimensions, a body shorter than the header promises)
 * is an {@link IllegalArgumentException} whose message names the file.
 */
public final class IdxReader {
    /** Magic number of a one-dimensional unsigned-byte file (labels). */
    public static final int LABELS_MAGIC = 0x00000801;
    /** Magic number of a three-dimensional unsigned-byte file (images: count, rows, columns). */
    public static final int IMAGES_MAGIC = 0x00000803;

    private IdxReader() {}

    /**
     * The first items of one IDX file: its sizes as the header states them and the bytes of the
     * items read.
     *
     * @param source the file read, for messages
     * @param dimensions the header's sizes; {@code dimensions[0]} is the item count of the whole file
     * @param items how many items {@code data} holds: {@code min(limit, dimensions[0])}
     * @param data {@code items * itemSize()} unsigned bytes, row-major; not copied (it can be
     *     47 MB), so a caller that hands it on should not change it
     */
    public record IdxArray(Path source, int[] dimensions, int items, byte[] data) {
        public IdxArray {
            dimensions = dimensions.clone();
        }

        @Override
        public int[] dimensions() {
            return dimensions.clone();
        }

        /** Bytes per item: the product of all dimensions but the first (1 for labels). */
        public int itemSize() {
            int size = 1;
            for (int i = 1; i < dimensions.length; i++) {
                size *= dimensions[i];
            }
            return size;
        }

        @Override
        public String toString() {
            return "IdxArray[" + source + ", dimensions " + Arrays.toString(dimensions) + ", " + items + " items read]";
        }
    }

    /** Reads a label file ({@link #LABELS_MAGIC}), at most {@code limit} labels. */
    public static IdxArray readLabels(Path file, int limit) throws IOException {
        return read(file, LABELS_MAGIC, limit);
    }

    /** Reads an image file ({@link #IMAGES_MAGIC}), at most {@code limit} images. */
    public static IdxArray readImages(Path file, int limit) throws IOException {
        return read(file, IMAGES_MAGIC, limit);
    }

    /**
     * Reads the header and at most {@code limit} items of {@code file}, which must carry
     * {@code expectedMagic}.
     *
     * @param limit the most items to read, {@code >= 0}; {@code Integer.MAX_VALUE} for all
     * @throws IllegalArgumentException if the magic, the sizes or the length are wrong
     * @throws IOException if the file cannot be read
     */
    public static IdxArray read(Path file, int expectedMagic, int limit) throws IOException {
        Objects.requireNonNull(file, "file");
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, got " + limit);
        }
        try (InputStream in = open(file)) {
            int magic = readInt(in, file, "the magic number");
            if (magic != expectedMagic) {
                throw new IllegalArgumentException(file + " is not the expected IDX file: magic number "
                        + hex(magic) + ", expected " + hex(expectedMagic) + describe(expectedMagic)
                        + (magic >>> 16 == 0x1f8b ? " (the file looks gzip-compressed twice)" : ""));
            }
            int rank = magic & 0xff;
            int[] dims = new int[rank];
            long itemSize = 1;
            for (int i = 0; i < rank; i++) {
                dims[i] = readInt(in, file, "size " + (i + 1) + " of " + rank);
                if (dims[i] < 0 || (i > 0 && dims[i] == 0)) {
                    throw new IllegalArgumentException(file + ": IDX size " + (i + 1) + " is " + dims[i]
                            + "; sizes must be positive (the item count may be 0)");
                }
                if (i > 0) {
                    itemSize *= dims[i];
                }
            }
            int items = Math.min(limit, dims[0]);
            long bytes = items * itemSize;
            if (bytes > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(file + ": " + items + " items of " + itemSize
                        + " bytes do not fit one array; read fewer with a limit");
            }
            byte[] data = readBody(in, file, (int) bytes);
            if (data.length < bytes) {
                throw new IllegalArgumentException(file + " is truncated: its header promises " + dims[0]
                        + " items of " + itemSize + " bytes, but only " + data.length / itemSize
                        + " whole items (" + data.length + " bytes) follow");
            }
            return new IdxArray(file, dims, items, data);
        }
    }

    /** Opens {@code file}, inflating it if it starts with the gzip magic {@code 0x1f 0x8b}. */
    static InputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            try {
                return new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
            } catch (EOFException e) {
                raw.close();
                throw new IllegalArgumentException(file + " is a truncated gzip file: " + e.getMessage(), e);
            } catch (IOException e) {
                raw.close();
                throw e;
            }
        }
        return raw;
    }

    private static int readInt(InputStream in, Path file, String what) throws IOException {
        byte[] b = readBody(in, file, 4);
        if (b.length < 4) {
            throw new IllegalArgumentException(file + " is truncated: it ends inside the IDX header, reading "
                    + what);
        }
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    /** Up to {@code length} bytes; fewer only at the end of the (inflated) stream. */
    private static byte[] readBody(InputStream in, Path file, int length) throws IOException {
        try {
            return in.readNBytes(length);
        } catch (EOFException e) {
            // GZIPInputStream reports a cut-off deflate stream this way
            throw new IllegalArgumentException(file + " is truncated: the gzip stream ends early ("
                    + e.getMessage() + ")", e);
        }
    }

    private static String hex(int value) {
        return String.format("0x%08x", value);
    }

    private static String describe(int magic) {
        return switch (magic) {
            case LABELS_MAGIC -> " (unsigned-byte labels)";
            case IMAGES_MAGIC -> " (unsigned-byte images)";
            default -> "";
        };
    }
}
