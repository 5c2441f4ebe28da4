package io.floe.trainer.daemon;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One kind of per-model state a trainer keeps for itself (SCAFFOLD's {@code c_i}, error feedback's
 * memory): the last value per model in memory and, with a state directory, on disk at
 * {@code DIR/<modelId>/<prefix>-<clientId>.bin} (ids URL-encoded), read back after a restart.
 *
 * <p>Each value is a round's {@link VersionedWeights}: the version trained from, one label (the
 * update id, the compression), the weights before and after. A file is big-endian: a magic number,
 * a format version, the model and client ids, then those four. It is written to a temporary file
 * and moved over the old one atomically, so a crash leaves the old or the new state, never half of
 * one. Not thread-safe.
 *
 * @param <R> the value kept per model
 */
final class ModelStateFile<R extends ModelStateFile.VersionedWeights> {
    private static final Logger LOG = LoggerFactory.getLogger(ModelStateFile.class);

    /** What a round leaves behind, as this file keeps it. */
    interface VersionedWeights {
        long baseVersion();

        /** One string that belongs with the round (SCAFFOLD: its update id; error feedback: its compression). */
        String label();

        ModelWeights before();

        ModelWeights after();
    }

    /** Makes the value back from what {@link VersionedWeights} gave (a record's canonical constructor). */
    @FunctionalInterface
    interface Factory<R> {
        R make(long baseVersion, String label, ModelWeights before, ModelWeights after);
    }

    private final String what;
    private final String prefix;
    private final int magic;
    private final int format;
    private final Factory<R> factory;
    private final String clientId;
    /** Null: in memory only. */
    private final Path directory;
    private final Map<String, Optional<R>> values = new HashMap<>();

    /**
     * @param what names the state in log lines and errors, e.g. "SCAFFOLD control variate"
     * @param prefix the file name's start, e.g. "scaffold"
     */
    ModelStateFile(String what, String prefix, int magic, int format, Factory<R> factory, String clientId, Path directory) {
        this.what = what;
        this.prefix = prefix;
        this.magic = magic;
        this.format = format;
        this.factory = factory;
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.directory = directory;
    }

    /** The last value stored for {@code modelId}, in this process or (with a directory) before it. */
    Optional<R> last(String modelId) {
        return values.computeIfAbsent(modelId, id -> directory == null ? Optional.empty() : read(file(id), id));
    }

    /** Stores {@code value} as {@code modelId}'s last; with a directory, on disk before returning. */
    void store(String modelId, R value) {
        Objects.requireNonNull(value, "value");
        if (directory != null) {
            write(file(modelId), modelId, value);
        }
        values.put(modelId, Optional.of(value));
    }

    Path file(String modelId) {
        return directory.resolve(segment(modelId)).resolve(prefix + "-" + segment(clientId) + ".bin");
    }

    private void write(Path file, String modelId, R value) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            try {
                try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
                    out.writeInt(magic);
                    out.writeInt(format);
                    out.writeUTF(modelId);
                    out.writeUTF(clientId);
                    out.writeLong(value.baseVersion());
                    out.writeUTF(value.label());
                    writeWeights(out, value.before());
                    writeWeights(out, value.after());
                }
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not save the " + what + " of " + clientId + " for model " + modelId + " to "
                    + file + ": " + e.getMessage(), e);
        }
    }

    private Optional<R> read(Path file, String modelId) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != magic || in.readInt() != format) {
                throw new IOException("not a floe " + what + " file (format " + format + ")");
            }
            String storedModel = in.readUTF();
            String storedClient = in.readUTF();
            if (!storedModel.equals(modelId) || !storedClient.equals(clientId)) {
                throw new IOException("it holds model " + storedModel + " of client " + storedClient);
            }
            R value = factory.make(in.readLong(), in.readUTF(), readWeights(in), readWeights(in));
            LOG.info("{}: resumed the {} of model {} from {}", clientId, what, modelId, file);
            return Optional.of(value);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read the " + what + " state " + file + ": " + e.getMessage()
                    + "; move it away to start this site's " + what + " from zero", e);
        }
    }

    /** URL-encoding keeps ids with '/', '..' or spaces inside their own directory. */
    private static String segment(String id) {
        String e = URLEncoder.encode(id, StandardCharsets.UTF_8).replace("*", "%2A");
        return e.equals(".") || e.equals("..") ? e.replace(".", "%2E") : e;
    }

    private static void writeWeights(DataOutputStream out, ModelWeights w) throws IOException {
        out.writeInt(w.tensorCount());
        for (Tensor t : w.tensors()) {
            out.writeUTF(t.name());
            int[] shape = t.shape();
            out.writeInt(shape.length);
            for (int d : shape) {
                out.writeInt(d);
            }
            float[] v = t.values();
            out.writeInt(v.length);
            for (float x : v) {
                out.writeFloat(x);
            }
        }
    }

    private static ModelWeights readWeights(DataInputStream in) throws IOException {
        int count = in.readInt();
        List<Tensor> tensors = new ArrayList<>(count);
        for (int t = 0; t < count; t++) {
            String name = in.readUTF();
            int[] shape = new int[in.readInt()];
            for (int k = 0; k < shape.length; k++) {
                shape[k] = in.readInt();
            }
            float[] v = new float[in.readInt()];
            for (int k = 0; k < v.length; k++) {
                v[k] = in.readFloat();
            }
            tensors.add(new Tensor(name, shape, v));
        }
        return new ModelWeights(tensors);
    }
}
