package io.floe.trainer.daemon;

import io.floe.core.tensor.ModelWeights;
import io.floe.schema.GlobalModel;
import java.nio.file.Path;
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
 * <p>On disk ({@link ModelStateFile}): {@code DIR/<modelId>/scaffold-<clientId>.bin}, replaced
 * atomically. Not thread-safe: one instance per training thread.
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
    record Round(long baseVersion, String updateId, ModelWeights before, ModelWeights after)
            implements ModelStateFile.VersionedWeights {
        Round {
            Objects.requireNonNull(updateId, "updateId");
            Objects.requireNonNull(before, "before");
            Objects.requireNonNull(after, "after");
        }

        @Override
        public String label() {
            return updateId;
        }
    }

    private final String clientId;
    private final ModelStateFile<Round> rounds;

    ClientControlVariates(String clientId, Path directory) {
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.rounds = new ModelStateFile<>("SCAFFOLD control variate", "scaffold", MAGIC, FORMAT_VERSION, Round::new, clientId, directory);
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
        rounds.store(modelId, round);
    }

    /** The last round recorded for {@code modelId}, in this process or (with a directory) before it. */
    Optional<Round> lastRound(String modelId) {
        return rounds.last(modelId);
    }

    Path file(String modelId) {
        return rounds.file(modelId);
    }
}
