package io.floe.flink;

import io.floe.flink.shard.ChunkFolder;
import io.floe.flink.shard.ChunkRefetch;
import io.floe.flink.shard.KafkaChunkRefetch;
import io.floe.core.trust.JobTrust;
import io.floe.flink.shard.ManifestWriter;

import io.floe.core.wire.TopicNames;
import io.floe.flink.aggregate.ModelAggregator;
import io.floe.flink.aggregate.ModelEvent;
import io.floe.flink.aggregate.RecordDecoder;
import io.floe.flink.io.InboundDeserializer;
import io.floe.flink.io.InboundRecord;
import io.floe.flink.io.OutboundRecord;
import io.floe.flink.io.OutboundSerializer;
import io.floe.flink.resume.PublishedModels;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;

/**
 * The floe aggregation job. {@code main} wires Kafka in and out; {@link #buildPipeline} is the
 * job itself, so tests and the embedded runner can plug in their own source and sink.
 *
 * <pre>{@code
 * flink run -c io.floe.flink.AggregationJob floe-flink-jobs-0.1.0-SNAPSHOT-job.jar \
 *     --bootstrap-servers broker:9092 --checkpoint-interval-ms 5000
 * }</pre>
 */
public final class AggregationJob {
    private AggregationJob() {
    }

    public static void main(String[] args) throws Exception {
        AggregationJobOptions options = new AggregationJobOptions();
        CommandLine cli = new CommandLine(options);
        CommandLine.ParseResult parsed;
        try {
            parsed = cli.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            System.err.println(e.getMessage());
            cli.usage(System.err);
            System.exit(2);
            return;
        }
        if (CommandLine.printHelpIfRequested(parsed)) {
            return;
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        configure(env, options);
        PublishedModels published = publishedModels(options);
        buildPipeline(env, kafkaSource(options, published), kafkaSink(options), options.topics(), options.dpNoiseSecret(),
                published, new KafkaChunkRefetch(options.bootstrapServers, options.kafkaProperties()), options.trust());
        env.execute("floe aggregation");
    }

    /**
     * Checkpointing (exactly-once; the Kafka sink commits its transactions on each checkpoint), the
     * restart strategy ({@link JobRestartStrategy}), the network buffer timeout (a round close crosses
     * four exchanges, each waiting up to that long for a small record's buffer) and parallelism.
     */
    public static void configure(StreamExecutionEnvironment env, AggregationJobOptions options) {
        env.enableCheckpointing(options.checkpointIntervalMs, CheckpointingMode.EXACTLY_ONCE);
        env.setBufferTimeout(options.bufferTimeoutMs);
        JobRestartStrategy.from(options).applyTo(env);
        if (options.parallelism != null) {
            env.setParallelism(options.parallelism);
        }
    }

    /**
     * The job: decode inbound records (undecodable ones become dead letters), key by model id,
     * run each model's server ({@link ModelAggregator}), and send models, reports and dead
     * letters to one sink.
     */
    public static void buildPipeline(StreamExecutionEnvironment env, Source<InboundRecord, ?, ?> source,
            Sink<OutboundRecord> sink, TopicNames topics) {
        buildPipeline(env, source, sink, topics, new AggregationJobOptions().dpNoiseSecret());
    }

    /** As above, with the secret that keys central-DP noise (see {@code --dp-noise-secret-file}). */
    public static void buildPipeline(StreamExecutionEnvironment env, Source<InboundRecord, ?, ?> source,
            Sink<OutboundRecord> sink, TopicNames topics, byte[] dpNoiseSecret) {
        buildPipeline(env, source, sink, topics, dpNoiseSecret, PublishedModels.none());
    }

    /**
     * As above; a model that has no keyed state (a start without checkpoint or savepoint)
     * continues from its version in {@code resumeFrom} instead of version 0 ({@link #publishedModels}).
     */
    public static void buildPipeline(StreamExecutionEnvironment env, Source<InboundRecord, ?, ?> source,
            Sink<OutboundRecord> sink, TopicNames topics, byte[] dpNoiseSecret, PublishedModels resumeFrom) {
        buildPipeline(env, source, sink, topics, dpNoiseSecret, resumeFrom, null);
    }

    /**
     * As above; {@code refetch} reads a folded chunk of a chunked model again from Kafka when its
     * update is dropped later (a corrupt or missing chunk elsewhere), so it can be taken out of the
     * sum; null where no such update can be dropped after folding (a job without chunked models).
     */
    public static void buildPipeline(StreamExecutionEnvironment env, Source<InboundRecord, ?, ?> source,
            Sink<OutboundRecord> sink, TopicNames topics, byte[] dpNoiseSecret, PublishedModels resumeFrom, ChunkRefetch refetch) {
        buildPipeline(env, source, sink, topics, dpNoiseSecret, resumeFrom, refetch, JobTrust.none());
    }

    /**
     * As above; {@code trust} holds the operators' public keys (only commands they signed are
     * obeyed, once there is one) and the job's key, which signs every published version.
     */
    public static void buildPipeline(StreamExecutionEnvironment env, Source<InboundRecord, ?, ?> source,
            Sink<OutboundRecord> sink, TopicNames topics, byte[] dpNoiseSecret, PublishedModels resumeFrom, ChunkRefetch refetch,
            JobTrust trust) {
        DataStream<InboundRecord> inbound = env.fromSource(source, WatermarkStrategy.noWatermarks(), "floe inbound")
                .uid("floe-inbound");
        SingleOutputStreamOperator<ModelEvent> events = inbound.process(new RecordDecoder(topics))
                .name("decode").uid("floe-decode");
        SingleOutputStreamOperator<OutboundRecord> published = events.keyBy(e -> e.modelId)
                .process(new ModelAggregator(topics, dpNoiseSecret, resumeFrom, trust))
                .name("aggregate").uid("floe-aggregate");
        // chunked models: each chunk folds where its key lands, across every subtask
        SingleOutputStreamOperator<OutboundRecord> folded = events.getSideOutput(RecordDecoder.CHUNKS).keyBy(c -> c.key)
                .connect(published.getSideOutput(ModelAggregator.CHUNK_COMMANDS).keyBy(c -> c.key))
                .process(new ChunkFolder(topics, refetch))
                .name("fold chunks").uid("floe-chunk-fold");
        DataStream<OutboundRecord> manifests = published.getSideOutput(ModelAggregator.MANIFEST_PARTS)
                .union(folded.getSideOutput(ChunkFolder.DIGESTS))
                .keyBy(p -> p.modelId)
                .process(new ManifestWriter(topics, trust))
                .name("write manifests").uid("floe-manifests");
        published.union(events.getSideOutput(RecordDecoder.DEAD_LETTERS), folded, manifests)
                .sinkTo(sink).name("floe outbound").uid("floe-outbound");
    }

    /**
     * What models without state continue from ({@code --resume-from-topics}, on by default): each
     * model's newest committed version and ledger, read from the models and reports topics now, at
     * submission; nothing with {@code --no-resume-from-topics}. A job restored from a checkpoint or
     * savepoint has keyed state for its models and ignores these.
     */
    public static PublishedModels publishedModels(AggregationJobOptions options) {
        if (!options.resumeFromTopics) {
            return PublishedModels.none();
        }
        return PublishedModels.read(options.bootstrapServers, options.kafkaProperties(), options.topics(),
                Duration.ofMillis(options.resumeTimeoutMs));
    }

    /**
     * Reads the control, update, clients (heartbeat) and chunk-scores topics, read_committed (a
     * chunk-scores share is read once the checkpoint that wrote it completes): the update, clients
     * and chunk-scores topics from the group's offsets (earliest at first start), the control topic from its
     * beginning, so a job that starts without state sees every model's spec again
     * ({@link StatelessStartOffsets}). A restored job continues from its checkpointed offsets. All
     * four must exist ({@code TopicAdmin.createFloeTopics} creates them).
     */
    public static KafkaSource<InboundRecord> kafkaSource(AggregationJobOptions options) {
        return kafkaSource(options, PublishedModels.none());
    }

    /**
     * As above; with models to continue ({@link #publishedModels}) the updates topic is read from
     * the oldest time one of their newest versions was made, so the updates of the rounds the lost
     * job had open are read again.
     */
    public static KafkaSource<InboundRecord> kafkaSource(AggregationJobOptions options, PublishedModels resumeFrom) {
        TopicNames topics = options.topics();
        Properties props = options.kafkaProperties();
        props.setProperty("isolation.level", "read_committed");
        return KafkaSource.<InboundRecord>builder()
                .setBootstrapServers(options.bootstrapServers)
                .setTopics(topics.control(), topics.updates(), topics.clients(), topics.chunkScores())
                .setGroupId(options.groupId)
                .setStartingOffsets(new StatelessStartOffsets(topics.control(), topics.updates(), resumeFrom.openRoundsSince()))
                .setDeserializer(new InboundDeserializer(options.maxRecordBytes))
                .setProperties(props)
                .build();
    }

    /** One exactly-once sink for models, reports and dead letters. */
    public static KafkaSink<OutboundRecord> kafkaSink(AggregationJobOptions options) {
        Properties props = options.kafkaProperties();
        // Must not exceed the broker's transaction.max.timeout.ms (15 minutes by default).
        props.putIfAbsent("transaction.timeout.ms", "600000");
        // A published model (with SCAFFOLD's control variate, twice the weights) can pass Kafka's 1 MB default.
        props.putIfAbsent("max.request.size", String.valueOf(io.floe.core.wire.RecordSize.MAX_BYTES));
        props.putIfAbsent("buffer.memory", String.valueOf(io.floe.core.wire.RecordSize.PRODUCER_BUFFER_BYTES));
        return KafkaSink.<OutboundRecord>builder()
                .setBootstrapServers(options.bootstrapServers)
                .setKafkaProducerConfig(props)
                .setRecordSerializer(new OutboundSerializer())
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(options.transactionalIdPrefix)
                .build();
    }
}
