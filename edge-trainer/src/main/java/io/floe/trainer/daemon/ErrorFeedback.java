package io.floe.trainer.daemon;

import io.floe.core.codec.Compression;
import io.floe.core.tensor.ModelWeights;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One site's error-feedback memory {@code e} per model: what compression left out of its updates,
 * added to the next one (Stich, Cordonnier, Jaggi, "Sparsified SGD with Memory", NeurIPS 2018,
 * Algorithm 1; Karimireddy et al., "Error Feedback Fixes SignSGD", ICML 2019). A round sends
 * {@code C(Δ + e)} and keeps {@code e+ = Δ + e - C(Δ + e)}.
 *
 * <p>Each round records {@code e} before and after with the version it trained from; the next
 * round takes {@code e} before when it trains the same version again (a restart before or after
 * publishing: the retrained update is the same one), otherwise {@code e+}. The memory starts at
 * zero, and again whenever the model's compression or layout changes (a residual of another
 * compression is not what this one left out).
 *
 * <p>With a state directory it survives restarts: {@code DIR/<modelId>/error-feedback-<clientId>.bin}
 * ({@link StateFiles}). Not thread-safe: one instance per training thread.
 */
final class ErrorFeedback {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorFeedback.class);
    private static final int MAGIC = 0x464C4546; // "FLEF"
    private static final int FORMAT_VERSION = 1;

    /** What the last round of a model did to {@code e}, under which compression. */
    record Round(long baseVersion, String compression, ModelWeights before, ModelWeights after) {
        Round {
            Objects.requireNonNull(compression, "compression");
            Objects.requireNonNull(before, "before");
            Objects.requireNonNull(after, "after");
        }
    }

    private final String clientId;
    /** Null: in memory only. */
    private final Path directory;
    private final Map<String, Optional<Round>> rounds = new HashMap<>();

    ErrorFeedback(String clientId, Path directory) {
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.directory = directory;
    }

    /** The memory {@code e} to add when training {@code baseVersion} of {@code modelId} under {@code compression}. */
    ModelWeights memoryFor(String modelId, long baseVersion, Compression compression, ModelWeights zeros) {
        Optional<Round> last = lastRound(modelId);
        if (last.isEmpty()) {
            return zeros;
        }
        Round r = last.get();
        if (!r.compression().equals(compression.toSpec()) || !r.after().sameLayout(zeros)) {
            LOG.info("{}: model {} now compresses with {} (was {}) or changed layout; error feedback starts from zero", clientId,
                    modelId, compression.toSpec(), r.compression());
            return zeros;
        }
        return baseVersion == r.baseVersion() ? r.before() : r.after();
    }

    /**
     * One round: {@code delta + e} is what should be sent, {@code sent} what the job will decode.
     * Records (and with a directory, persists before returning) {@code e+ = delta + e - sent}.
     */
    void record(String modelId, long baseVersion, Compression compression, ModelWeights memory, ModelWeights corrected,
            ModelWeights sent) {
        Round round = new Round(baseVersion, compression.toSpec(), memory, corrected.minus(sent));
        if (directory != null) {
            write(file(modelId), modelId, round);
        }
        rounds.put(modelId, Optional.of(round));
    }

    Optional<Round> lastRound(String modelId) {
        return rounds.computeIfAbsent(modelId, id -> directory == null ? Optional.empty() : read(file(id), id));
    }

    Path file(String modelId) {
        return directory.resolve(StateFiles.segment(modelId)).resolve("error-feedback-" + StateFiles.segment(clientId) + ".bin");
    }

    private void write(Path file, String modelId, Round round) {
        try {
            StateFiles.writeAtomically(file, out -> {
                out.writeInt(MAGIC);
                out.writeInt(FORMAT_VERSION);
                out.writeUTF(modelId);
                out.writeUTF(clientId);
                out.writeLong(round.baseVersion());
                out.writeUTF(round.compression());
                StateFiles.writeWeights(out, round.before());
                StateFiles.writeWeights(out, round.after());
            });
        } catch (IOException e) {
            throw new UncheckedIOException("could not save the error-feedback memory of " + clientId + " for model " + modelId
                    + " to " + file + ": " + e.getMessage(), e);
        }
    }

    private Optional<Round> read(Path file, String modelId) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != MAGIC || in.readInt() != FORMAT_VERSION) {
                throw new IOException("not a floe error-feedback file (format " + FORMAT_VERSION + ")");
            }
            String storedModel = in.readUTF();
            String storedClient = in.readUTF();
            if (!storedModel.equals(modelId) || !storedClient.equals(clientId)) {
                throw new IOException("it holds model " + storedModel + " of client " + storedClient);
            }
            Round round = new Round(in.readLong(), in.readUTF(), StateFiles.readWeights(in), StateFiles.readWeights(in));
            LOG.info("{}: resumed the error-feedback memory of model {} from {} (trained from version {})", clientId, modelId,
                    file, round.baseVersion());
            return Optional.of(round);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read the error-feedback state " + file + ": " + e.getMessage()
                    + "; move it away to start this site's memory from zero", e);
        }
    }
}
