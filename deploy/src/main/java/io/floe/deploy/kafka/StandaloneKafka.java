package io.floe.deploy.kafka;

import io.floe.core.wire.TopicNames;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A single-node KRaft Kafka broker ({@link EmbeddedKafkaBroker}) as its own process, for a
 * one-machine deployment next to a standalone Flink cluster ({@code deploy/standalone/start-kafka.sh}).
 *
 * <p>Starts the broker on 127.0.0.1, optionally creates floe's seven topics, prints
 * {@code bootstrap.servers=127.0.0.1:PORT} to stdout once the broker serves requests and the
 * topics have leaders, and then blocks until the JVM is asked to stop (SIGTERM, SIGINT): a shutdown
 * hook stops the broker cleanly.
 *
 * <p>With {@code --sasl-ssl} the broker is secured ({@link BrokerSecurity}): clients authenticate
 * with SCRAM-SHA-512 over TLS and {@link FloeAcls} decide what each of floe's principals may do;
 * {@code --client-properties-dir} receives {@code job.properties}, {@code operator.properties} and
 * {@code trainer.properties} for the clients' {@code --kafka-properties}.
 */
@Command(name = "standalone-kafka", mixinStandardHelpOptions = true,
        description = "Run a single-node KRaft Kafka broker on 127.0.0.1 until SIGTERM.")
public final class StandaloneKafka implements Callable<Integer> {

    /** Prefix of the stdout line that carries the bootstrap address (scripts wait for it). */
    public static final String READY_LINE_PREFIX = "bootstrap.servers=";

    @Option(names = "--port", defaultValue = "9092", description = "Client port (PLAINTEXT, or SASL_SSL with --sasl-ssl); 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--controller-port", defaultValue = "0", description = "KRaft controller port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int controllerPort;

    @Option(names = "--data-dir", description = "Broker directory, kept across restarts (default: a temporary directory deleted on exit).")
    Path dataDir;

    @Option(names = "--create-floe-topics", defaultValue = "0", paramLabel = "PARTITIONS",
            description = "Create floe's seven topics with this many partitions each; 0 creates none (default: ${DEFAULT-VALUE}).")
    int floeTopicPartitions;

    @Option(names = "--topic-prefix", defaultValue = "floe.", description = "Prefix of floe's topics (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--sasl-ssl", description = "Secure the broker: SASL_SSL with SCRAM-SHA-512 for clients, mutual TLS for the "
            + "controller, ACLs for floe's job, operator and trainer principals (certificates and passwords under <data dir>/security).")
    boolean saslSsl;

    @Option(names = "--client-properties-dir", description = "With --sasl-ssl: where to write job.properties, operator.properties "
            + "and trainer.properties, the client settings of each principal (default: <data dir>/security/clients).")
    Path clientPropertiesDir;

    @Option(names = "--job-prefix", defaultValue = FloeAcls.DEFAULT_JOB_PREFIX,
            description = "With --sasl-ssl: the job's consumer group and transactional ids must start with this (default: ${DEFAULT-VALUE}).")
    String jobPrefix;

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
                .closeOnJvmExit(true)
                .saslSsl(saslSsl);
        if (dataDir != null) {
            builder.dataDir(dataDir);
        }
        EmbeddedKafkaBroker broker = builder.start();
        TopicNames names = "floe.".equals(topicPrefix) ? TopicNames.defaults() : TopicNames.withPrefix(topicPrefix);
        try (Admin admin = broker.createAdmin()) {
            if (floeTopicPartitions > 0) {
                TopicAdmin.createTopics(admin, TopicAdmin.floeTopics(names, floeTopicPartitions), TopicAdmin.DEFAULT_TIMEOUT);
                System.out.println("topics: " + String.join(", ", names.all()) + " (" + floeTopicPartitions
                        + " partition(s) each, " + names.models() + " compacted)");
            }
            if (saslSsl) {
                BrokerSecurity security = broker.security().orElseThrow();
                FloeAcls.forTopics(names).jobPrefix(jobPrefix).apply(admin, security, TopicAdmin.DEFAULT_TIMEOUT);
                Path dir = clientPropertiesDir != null ? clientPropertiesDir : security.directory().resolve("clients");
                Map<FloePrincipal, Path> files = FloeAcls.writeClientProperties(security, dir);
                System.out.println("SASL_SSL (SCRAM-SHA-512) with ACLs; CA certificate " + security.truststore());
                files.forEach((who, file) -> System.out.println("client properties of " + who.principal() + ": " + file));
            }
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
