package io.floe.deploy.kafka;

import io.floe.core.wire.TopicNames;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A single-node KRaft Kafka broker ({@link EmbeddedKafkaBroker}) as its own process, for a
 * one-machine deployment next to a standalone Flink cluster ({@code deploy/standalone/start-kafka.sh}).
 *
 * <p>Starts the broker on 127.0.0.1, optionally creates floe's six topics, prints
 * {@code bootstrap.servers=127.0.0.1:PORT} to stdout once the broker serves requests and the
 * topics have leaders, and then blocks until the JVM is asked to stop (SIGTERM, SIGINT): a shutdown
 * hook stops the broker cleanly.
 */
@Command(name = "standalone-kafka", mixinStandardHelpOptions = true,
        description = "Run a single-node KRaft Kafka broker on 127.0.0.1 until SIGTERM.")
public final class StandaloneKafka implements Callable<Integer> {

    /** Prefix of the stdout line that carries the bootstrap address (scripts wait for it). */
    public static final String READY_LINE_PREFIX = "bootstrap.servers=";

    @Option(names = "--port", defaultValue = "9092", description = "Client (PLAINTEXT) port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--controller-port", defaultValue = "0", description = "KRaft controller port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int controllerPort;

    @Option(names = "--data-dir", description = "Broker directory, kept across restarts (default: a temporary directory deleted on exit).")
    Path dataDir;

    @Option(names = "--create-floe-topics", defaultValue = "0", paramLabel = "PARTITIONS",
            description = "Create floe's six topics with this many partitions each; 0 creates none (default: ${DEFAULT-VALUE}).")
    int floeTopicPartitions;

    @Option(names = "--topic-prefix", defaultValue = "floe.", description = "Prefix of floe's topics (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    public static void main(String[] args) {
        int code = new CommandLine(new StandaloneKafka()).execute(args);
        System.exit(code);
    }

    @Override
    public Integer call() throws InterruptedException {
        if (floeTopicPartitions < 0) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--create-floe-topics must be >= 0");
        }
        EmbeddedKafkaBroker.Builder builder = EmbeddedKafkaBroker.builder()
                .port(port)
                .controllerPort(controllerPort)
                .closeOnJvmExit(true);
        if (dataDir != null) {
            builder.dataDir(dataDir);
        }
        EmbeddedKafkaBroker broker = builder.start();
        if (floeTopicPartitions > 0) {
            TopicNames names = "floe.".equals(topicPrefix) ? TopicNames.defaults() : TopicNames.withPrefix(topicPrefix);
            TopicAdmin.createFloeTopics(broker.bootstrapServers(), names, floeTopicPartitions);
            System.out.println("topics: " + String.join(", ", names.all()) + " (" + floeTopicPartitions
                    + " partition(s) each, " + names.models() + " compacted)");
        }
        System.out.println("data dir: " + broker.dataDir() + ", cluster id: " + broker.clusterId()
                + ", started in " + broker.startupDuration().toMillis() + " ms");
        System.out.println(READY_LINE_PREFIX + broker.bootstrapServers());
        System.out.flush();
        // the shutdown hook registered by closeOnJvmExit stops the broker on SIGTERM / SIGINT
        new CountDownLatch(1).await();
        return 0;
    }
}
