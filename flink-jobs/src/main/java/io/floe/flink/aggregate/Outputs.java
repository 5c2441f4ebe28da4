package io.floe.flink.aggregate;

import io.floe.flink.shard.ChunkCommand;
import io.floe.flink.shard.ManifestPart;
import java.util.function.Consumer;

import io.floe.core.validate.Rejection;
import io.floe.core.trust.JobTrust;
import io.floe.core.wire.TopicNames;
import io.floe.core.wire.WireCodec;
import io.floe.flink.io.InboundRecord;
import io.floe.flink.io.OutboundRecord;
import io.floe.schema.AggregationReport;
import io.floe.schema.GlobalModel;
import org.apache.flink.util.Collector;

/**
 * Where the operator's results go: every model version, report and dead letter leaves through
 * one collector as an {@link OutboundRecord} naming its topic, so the one exactly-once Kafka sink
 * commits them together. Everything that leaves is also shown to the {@link AggregationMetrics},
 * so the job's metrics count exactly what was published.
 */
public final class Outputs {
    private final TopicNames topics;
    private final DeadLetters deadLetters;
    private final Collector<OutboundRecord> out;
    private final AggregationMetrics metrics;
    private final Consumer<ChunkCommand> chunkCommands;
    private final Consumer<ManifestPart> manifestParts;
    private final JobTrust trust;

    Outputs(TopicNames topics, DeadLetters deadLetters, Collector<OutboundRecord> out, AggregationMetrics metrics) {
        this(topics, deadLetters, out, metrics, c -> {
            throw new IllegalStateException("no chunk folders here");
        }, p -> {
            throw new IllegalStateException("no manifest writer here");
        }, JobTrust.none());
    }

    /** As above, with where commands to chunk folders and parts of chunked versions go (side outputs of the operator). */
    Outputs(TopicNames topics, DeadLetters deadLetters, Collector<OutboundRecord> out, AggregationMetrics metrics,
            Consumer<ChunkCommand> chunkCommands, Consumer<ManifestPart> manifestParts, JobTrust trust) {
        this.topics = topics;
        this.deadLetters = deadLetters;
        this.out = out;
        this.metrics = metrics;
        this.chunkCommands = chunkCommands;
        this.manifestParts = manifestParts;
        this.trust = trust;
    }

    /** {@code version} signed with the job's key (unchanged when it has none): every dense version is signed before it is stored and published. */
    public GlobalModel signed(GlobalModel version) {
        return trust.signed(version);
    }

    /** A command to one chunk's folder ({@link io.floe.flink.shard.ChunkFolder}). */
    public void chunkCommand(ChunkCommand command) {
        chunkCommands.accept(command);
    }

    /**
     * A chunked model's next version and its report, to the {@link io.floe.flink.shard.ManifestWriter},
     * which publishes both once every chunk of the version is out; counted in the metrics now.
     */
    public void chunkedVersion(GlobalModel version, AggregationReport report) {
        chunkedVersion(version, report, null);
    }

    /** As above; the cosine scores the chunks send (coordinate-wise rules) are judged by {@code policy} when not null. */
    public void chunkedVersion(GlobalModel version, AggregationReport report, io.floe.core.anomaly.AnomalyPolicy policy) {
        ManifestPart pending = ManifestPart.pending(version.getModelId(), version.getVersion(), WireCodec.GLOBAL_MODEL.encode(version),
                WireCodec.AGGREGATION_REPORT.encode(report));
        if (policy != null) {
            pending.normZThreshold = policy.normZThreshold();
            pending.cosineThreshold = policy.cosineThreshold();
        }
        manifestParts.accept(pending);
        metrics.published(version);
        metrics.reported(report);
    }

    /** A new global model {@code version} as {@code bytes} (its single-object encoding) on the models topic. */
    public void model(GlobalModel version, byte[] bytes) {
        out.collect(OutboundRecord.keyed(topics.models(), version.getModelId(), bytes));
        metrics.published(version);
    }

    public void report(AggregationReport report) {
        out.collect(OutboundRecord.keyed(topics.reports(), report.getModelId(), WireCodec.AGGREGATION_REPORT.encode(report)));
        metrics.reported(report);
    }

    /** The inbound record, as received, on the dead-letter topic with the reason it was not used. */
    public void deadLetter(InboundRecord origin, Rejection rejection, String modelId, String clientId, String updateId) {
        out.collect(deadLetters.of(origin, rejection, modelId, clientId, updateId));
        metrics.deadLettered(modelId, topics.updates().equals(origin.topic), rejection.reason());
    }

    /** The topics the job writes, e.g. to name the updates topic as an anomaly dead letter's source. */
    public TopicNames topics() {
        return topics;
    }
}
