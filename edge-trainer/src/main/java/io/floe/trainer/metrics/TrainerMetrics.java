package io.floe.trainer.metrics;

import io.floe.core.trust.RecordSignatures.Verdict;
import io.floe.schema.ModelUpdate;
import io.floe.trainer.daemon.GlobalModelVerifier;
import io.floe.trainer.daemon.NetworkTraining;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * What one trainer exports to Prometheus: how far it got, whether the broker gives it trouble, and
 * how its local model and privacy budget look. An operator of many sites sees from these which site
 * fell behind (its last version), which cannot reach the broker (its retries) and which has spent
 * its DP-SGD budget, without reading the job's reports.
 *
 * <p>The loop's callback hands each acknowledged update to {@link #published}; the last version seen
 * and the publish retries are read when scraped from the loop and the publisher. Thread-safe: the
 * loop writes, the endpoint's thread reads. All samples carry {@code model_id} and {@code client_id}.
 *
 * <table>
 *   <caption>metrics</caption>
 *   <tr><td>{@value #ROUNDS}</td><td>counter</td><td>updates published and acknowledged</td></tr>
 *   <tr><td>{@value #LAST_VERSION}</td><td>gauge</td><td>last global version trained on or skipped; -1 before the first</td></tr>
 *   <tr><td>{@value #PUBLISH_RETRIES}</td><td>counter</td><td>sends retried after a failed attempt (broker unreachable)</td></tr>
 *   <tr><td>{@value #LOCAL_LOSS}, {@value #LOCAL_ACCURACY}, {@value #LOCAL_AUC}</td><td>gauge</td>
 *       <td>the last round's scores on the site's local validation split (AUC: binary models only)</td></tr>
 *   <tr><td>{@value #DP_EPSILON}</td><td>gauge</td><td>DP-SGD epsilon spent so far; NaN without DP-SGD</td></tr>
 *   <tr><td>{@value #MODELS_IGNORED}{@code {reason}}</td><td>counter</td><td>global versions not used because the job's
 *       signature did not verify, by {@code reason} ({@code unsigned}, {@code bad_signature}); exported only when the
 *       trainer checks versions ({@code --job-public-key})</td></tr>
 * </table>
 */
public final class TrainerMetrics {
    public static final String ROUNDS = "floe_trainer_rounds_total";
    public static final String LAST_VERSION = "floe_trainer_last_version";
    public static final String PUBLISH_RETRIES = "floe_trainer_publish_retries_total";
    public static final String LOCAL_LOSS = "floe_trainer_local_loss";
    public static final String LOCAL_ACCURACY = "floe_trainer_local_accuracy";
    public static final String LOCAL_AUC = "floe_trainer_local_auc";
    public static final String DP_EPSILON = "floe_trainer_dp_epsilon";
    public static final String MODELS_IGNORED = "floe_trainer_models_ignored_total";

    private final Map<String, String> labels;
    private final LongSupplier lastVersionSeen;
    private final LongSupplier publishRetries;
    private final GlobalModelVerifier versions;
    private final AtomicLong rounds = new AtomicLong();
    private volatile Map<String, Double> lastRound = Map.of();

    /**
     * @param lastVersionSeen the loop's last version trained on or skipped ({@code TrainerLoop::lastTrainedVersion})
     * @param publishRetries the publisher's retry count ({@code UpdatePublisher::publishRetries})
     */
    public TrainerMetrics(String modelId, String clientId, LongSupplier lastVersionSeen, LongSupplier publishRetries) {
        this(modelId, clientId, lastVersionSeen, publishRetries, GlobalModelVerifier.none());
    }

    /**
     * As above, with the versions the follower ignored ({@code GlobalModelFollower::verifier}).
     *
     * @param versions the follower's verifier; one that checks nothing adds no metric
     */
    public TrainerMetrics(String modelId, String clientId, LongSupplier lastVersionSeen, LongSupplier publishRetries,
            GlobalModelVerifier versions) {
        this.versions = Objects.requireNonNull(versions, "versions");
        Map<String, String> l = new LinkedHashMap<>();
        l.put("model_id", Objects.requireNonNull(modelId, "modelId"));
        l.put("client_id", Objects.requireNonNull(clientId, "clientId"));
        this.labels = Collections.unmodifiableMap(l);
        this.lastVersionSeen = Objects.requireNonNull(lastVersionSeen, "lastVersionSeen");
        this.publishRetries = Objects.requireNonNull(publishRetries, "publishRetries");
    }

    /** Counts an acknowledged update and keeps its local metrics (loss, accuracy, auc, dp_epsilon) as the last round's. */
    public void published(ModelUpdate update) {
        rounds.incrementAndGet();
        lastRound = update.getMetrics() == null ? Map.of() : Map.copyOf(update.getMetrics());
    }

    /** The current values in the text exposition format. */
    public String scrape() {
        Map<String, Double> last = lastRound;
        PrometheusText text = new PrometheusText(labels)
                .counter(ROUNDS, "Updates this trainer published and the broker acknowledged.", rounds.get())
                .gauge(LAST_VERSION, "Last global version this trainer trained on or skipped (-1 before the first).",
                        lastVersionSeen.getAsLong())
                .counter(PUBLISH_RETRIES, "Update sends retried after a failed attempt (broker unreachable or producer reset).",
                        publishRetries.getAsLong())
                .gauge(LOCAL_LOSS, "Last round's loss on the local validation split.", last.getOrDefault("loss", Double.NaN))
                .gauge(LOCAL_ACCURACY, "Last round's accuracy on the local validation split.", last.getOrDefault("accuracy", Double.NaN))
                .gauge(LOCAL_AUC, "Last round's ROC AUC on the local validation split (binary models).",
                        last.getOrDefault("auc", Double.NaN))
                .gauge(DP_EPSILON, "DP-SGD epsilon this site has spent so far (NaN without DP-SGD).",
                        last.getOrDefault(NetworkTraining.METRIC_DP_EPSILON, Double.NaN));
        if (versions.enabled()) {
            Map<String, Long> ignored = new LinkedHashMap<>();
            for (Verdict v : new Verdict[] {Verdict.UNSIGNED, Verdict.BAD_SIGNATURE}) {
                ignored.put(GlobalModelVerifier.reason(v), versions.ignored(v));
            }
            text.counter(MODELS_IGNORED, "Global versions this trainer did not use because the job's signature on them"
                    + " did not verify (--job-public-key), by reason.", "reason", ignored);
        }
        return text.toString();
    }

    /** Updates counted by {@link #published}. */
    public long rounds() {
        return rounds.get();
    }
}
