package io.floe.trainer.daemon;

import io.floe.core.tensor.ModelWeights;
import io.floe.schema.GlobalModel;
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
 * One site's SCAFFOLD control variates {@code c_i}, one per model, kept across rounds and, with a
 * state directory, across restarts of the trainer (Karimireddy et al. 2020, "SCAFFOLD", ICML,
 * Algorithm 1: {@code c_i} starts at zero and only its own client ever changes it).
 *
 * <p>The server keeps {@code c} as the mean of all {@code c_i} by adding the {@code Delta c_i} of the
 * updates it aggregates, so a site must adopt its {@code c_i+} only when its update was aggregated.
 * Each round therefore records {@code c_i} before and after, with the update's id and base version;
 * the next round picks (see {@link #controlFor}):
 * <ul>
 *   <li>the same base version again (a restart before or after publishing): {@code c_i} before, so
 *       the retrained update, which keeps its updateId, is the same one;</li>
 *   <li>the next version: {@code c_i+} when that version's provenance lists the update, else
 *       {@code c_i} (the round closed without it, or rejected it);</li>
 *   <li>a later version (versions were missed, the provenance cannot tell): {@code c_i+}.</li>
 * </ul>
 *
 * <p>On disk: {@code DIR/<modelId>/scaffold-<clientId>.bin} (ids URL-encoded), a small big-endian
 * binary file with a magic number and format version, written to a temporary file and moved over
 * the old one atomically, so a crash leaves either the old or the new state, never half of one.
 * Not thread-safe: one instance per training thread.
 */
final class ClientControlVariates {
    private static final Logger LOG = LoggerFactory.getLogger(ClientControlVariates.class);
    private static final int MAGIC = 0x464C5343; // "FLSC"
    private static final int FORMAT_VERSION = 1;

    /**
     * What the last round of a model did to {@code c_i}.
     *
     * @param baseVersion the global version that round trained from
     * @param updateId the update it sent
     * @param before {@code c_i} it trained with
     * @param after {@code c_i+} it computed
     */
    record Round(long baseVersion, String updateId, ModelWeights before, ModelWeights after) {
        Round {
            Objects.requireNonNull(updateId, "updateId");
            Objects.requireNonNull(before, "before");
            Objects.requireNonNull(after, "after");
        }
    }

    private final String clientId;
    /** Null: in memory only. */
    private final Path directory;
    private final Map<String, Optional<Round>> rounds = new HashMap<>();

    ClientControlVariates(String clientId, Path directory) {
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.directory = directory;
    }

    /**
     * The {@code c_i} to train {@code base} with: zeros ({@code zeros}' layout) for a model this site
     * never trained, else as the class comment says. A stored control of another layout (the model
     * was re-registered with another architecture) is dropped for zeros.
     */
    ModelWeights controlFor(GlobalModel base, ModelWeights zeros) {
        Optional<Round> last = lastRound(base.getModelId());
        if (last.isEmpty()) {
            return zeros;
        }
        Round r = last.get();
        if (!r.after().sameLayout(zeros)) {
            LOG.warn("{}: stored SCAFFOLD control of model {} has layout {} but the model now has {}; starting from zero",
                    clientId, base.getModelId(), r.after().describe(), zeros.describe());
            return zeros;
        }
        long version = base.getVersion();
        if (version == r.baseVersion()) {
            return r.before();
        }
        if (version < r.baseVersion()) {
            LOG.warn("{}: model {} went back from version {} to {}; keeping the latest SCAFFOLD control", clientId,
                    base.getModelId(), r.baseVersion(), version);
            return r.after();
        }
        if (base.getProvenance().getParentVersion() == r.baseVersion()
                && !base.getProvenance().getUpdateIds().contains(r.updateId())) {
            LOG.info("{}: update {} is not in version {} of {}; SCAFFOLD control stays where it was", clientId,
                    r.updateId(), version, base.getModelId());
            return r.before();
        }
        return r.after();
    }

    /** Records (and with a directory, persists before returning) the round just trained. */
    void record(String modelId, Round round) {
        Objects.requireNonNull(round, "round");
        if (directory != null) {
            write(file(modelId), modelId, round);
        }
        rounds.put(modelId, Optional.of(round));
    }

    /** The last round recorded for {@code modelId}, in this process or (with a directory) before it. */
    Optional<Round> lastRound(String modelId) {
        return rounds.computeIfAbsent(modelId, id -> directory == null ? Optional.empty() : read(file(id), id));
    }

    Path file(String modelId) {
        return directory.resolve(StateFiles.segment(modelId)).resolve("scaffold-" + StateFiles.segment(clientId) + ".bin");
    }

    private void write(Path file, String modelId, Round round) {
        try {
            StateFiles.writeAtomically(file, out -> {
                out.writeInt(MAGIC);
                out.writeInt(FORMAT_VERSION);
                out.writeUTF(modelId);
                out.writeUTF(clientId);
                out.writeLong(round.baseVersion());
                out.writeUTF(round.updateId());
                StateFiles.writeWeights(out, round.before());
                StateFiles.writeWeights(out, round.after());
            });
        } catch (IOException e) {
            throw new UncheckedIOException("could not save the SCAFFOLD control variate of " + clientId + " for model "
                    + modelId + " to " + file + ": " + e.getMessage(), e);
        }
    }

    private Optional<Round> read(Path file, String modelId) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            int magic = in.readInt();
            int format = in.readInt();
            if (magic != MAGIC || format != FORMAT_VERSION) {
                throw new IOException("not a floe SCAFFOLD state file (format " + FORMAT_VERSION + ")");
            }
            String storedModel = in.readUTF();
            String storedClient = in.readUTF();
            if (!storedModel.equals(modelId) || !storedClient.equals(clientId)) {
                throw new IOException("it holds model " + storedModel + " of client " + storedClient);
            }
            long baseVersion = in.readLong();
            String updateId = in.readUTF();
            Round round = new Round(baseVersion, updateId, StateFiles.readWeights(in), StateFiles.readWeights(in));
            LOG.info("{}: resumed the SCAFFOLD control variate of model {} from {} (trained from version {})", clientId,
                    modelId, file, baseVersion);
            return Optional.of(round);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read the SCAFFOLD state " + file + ": " + e.getMessage()
                    + "; move it away to start this site's control variate from zero", e);
        }
    }
}
