package io.floe.flink;

import io.floe.core.wire.TopicNames;
import io.floe.flink.aggregate.ModelAggregator;
import io.floe.flink.aggregate.ModelEvent;
import io.floe.flink.aggregate.RecordDecoder;
import io.floe.flink.io.InboundDeserializer;
import io.floe.flink.io.InboundRecord;
import io.floe.flink.io.OutboundRecord;
import io.floe.flink.io.OutboundSerializer;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
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
        buildPipeline(env, kafkaSource(options), kafkaSink(options), options.topics(), options.dpNoiseSecret());
        env.execute("floe aggregation");
    }

    /**
     * Checkpointing (exactly-once; the Kafka sink commits its transactions on each checkpoint), the
     * restart strategy ({@link JobRestartStrategy}) and parallelism.
     */
    public static void configure(StreamExecutionEnvironment env, AggregationJobOptions options) {
        env.enableCheckpointing(options.checkpointIntervalMs, CheckpointingMode.EXACTLY_ONCE);
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
        DataStream<InboundRecord> inbound = env.fromSource(source, WatermarkStrategy.noWatermarks(), "floe inbound")
                .uid("floe-inbound");
        SingleOutputStreamOperator<ModelEvent> events = inbound.process(new RecordDecoder(topics))
                .name("decode").uid("floe-decode");
        DataStream<OutboundRecord> published = events.keyBy(e -> e.modelId)
                .process(new ModelAggregator(topics, dpNoiseSecret))
                .name("aggregate").uid("floe-aggregate");
        published.union(events.getSideOutput(RecordDecoder.DEAD_LETTERS))
                .sinkTo(sink).name("floe outbound").uid("floe-outbound");
    }

    /**
     * Reads the control, update and clients (heartbeat) topics, read_committed, from the group's
     * offsets (earliest at first start). All three must exist ({@code TopicAdmin.createFloeTopics}
     * creates them).
     */
    public static KafkaSource<InboundRecord> kafkaSource(AggregationJobOptions options) {
        TopicNames topics = options.topics();
        Properties props = options.kafkaProperties();
        props.setProperty("isolation.level", "read_committed");
        return KafkaSource.<InboundRecord>builder()
                .setBootstrapServers(options.bootstrapServers)
                .setTopics(topics.control(), topics.updates(), topics.clients())
                .setGroupId(options.groupId)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new InboundDeserializer())
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
