package io.floe.trainer.daemon;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * What a trainer's per-model state files share ({@link ClientControlVariates},
 * {@link ErrorFeedback}): ids made safe as path segments, weights in a small big-endian binary
 * form, and writes that replace the old file atomically, so a crash leaves the old or the new
 * state, never half of one.
 */
final class StateFiles {
    private StateFiles() {
    }

    /** What a state file's body is written by. */
    @FunctionalInterface
    interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    /** URL-encoding keeps ids with '/', '..' or spaces inside their own directory. */
    static String segment(String id) {
        String e = URLEncoder.encode(id, StandardCharsets.UTF_8).replace("*", "%2A");
        return e.equals(".") || e.equals("..") ? e.replace(".", "%2E") : e;
    }

    /** Writes {@code body} to a temporary file beside {@code file} and moves it over {@code file}. */
    static void writeAtomically(Path file, Body body) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        try {
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
                body.write(out);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static void writeWeights(DataOutputStream out, ModelWeights w) throws IOException {
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

    static ModelWeights readWeights(DataInputStream in) throws IOException {
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
