package io.floe.trainer.daemon;

import io.floe.core.codec.Compression;
import io.floe.core.tensor.ModelWeights;
import java.nio.file.Path;
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
 * ({@link ModelStateFile}). Not thread-safe: one instance per training thread.
 */
final class ErrorFeedback {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorFeedback.class);
    private static final int MAGIC = 0x464C4546; // "FLEF"
    private static final int FORMAT_VERSION = 1;

    /** What the last round of a model did to {@code e}, under which compression. */
    record Round(long baseVersion, String compression, ModelWeights before, ModelWeights after)
            implements ModelStateFile.VersionedWeights {
        Round {
            Objects.requireNonNull(compression, "compression");
            Objects.requireNonNull(before, "before");
            Objects.requireNonNull(after, "after");
        }

        @Override
        public String label() {
            return compression;
        }
    }

    private final String clientId;
    private final ModelStateFile<Round> rounds;

    ErrorFeedback(String clientId, Path directory) {
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.rounds = new ModelStateFile<>("error-feedback memory", "error-feedback", MAGIC, FORMAT_VERSION,
                Round::new, clientId, directory);
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
        rounds.store(modelId, new Round(baseVersion, compression.toSpec(), memory, corrected.minus(sent)));
    }

    Optional<Round> lastRound(String modelId) {
        return rounds.last(modelId);
    }

    Path file(String modelId) {
        return rounds.file(modelId);
    }
}
