package io.floe.trainer.cli;

import io.floe.core.wire.TopicNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import picocli.CommandLine.Option;

/** How a command reaches Kafka: bootstrap servers, topic prefix, and a client properties file for SASL/TLS. */
public class KafkaConnectionOptions {
    @Option(names = "--bootstrap-servers", required = true, description = "Kafka bootstrap servers, e.g. kafka.example.org:9093.")
    public String bootstrapServers;

    @Option(names = "--topic-prefix", defaultValue = "floe.", description = "Topic name prefix (default: ${DEFAULT-VALUE}).")
    public String topicPrefix = "floe.";

    @Option(names = "--kafka-properties",
            description = "Java properties file of Kafka client settings (security.protocol, sasl.*, ssl.*), as for kafka-console-producer --producer.config.")
    public Path propertiesFile;

    public TopicNames topics() {
        return TopicNames.withPrefix(topicPrefix);
    }

    public Properties clientProperties() {
        Properties p = new Properties();
        if (propertiesFile != null) {
            try (InputStream in = Files.newInputStream(propertiesFile)) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + propertiesFile, e);
            }
        }
        return p;
    }
}
