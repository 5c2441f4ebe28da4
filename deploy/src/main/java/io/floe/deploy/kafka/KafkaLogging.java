package io.floe.deploy.kafka;

import java.util.List;

/**
 * Keeps the embedded broker (and Kafka clients) from flooding stdout.
 *
 * <p>Kafka logs through SLF4J; in floe the binding is log4j2 ({@code log4j-slf4j2-impl} +
 * {@code log4j-core}). {@link #quiet()} raises the Kafka logger hierarchies to WARN through the
 * log4j2 {@code Configurator}. It only ever makes a logger <em>less</em> verbose: a logger whose
 * effective level is already WARN, ERROR or OFF (for example under log4j2's default
 * "errors only" configuration) is left alone. When log4j-core is not on the class path, or SLF4J
 * is bound to something else, this is a no-op and the caller's logging config decides.
 *
 * <p>Equivalent log4j2 XML, for callers who prefer a config file:
 *
 * <pre>{@code
 * <Logger name="kafka" level="warn"/>
 * <Logger name="org.apache.kafka" level="warn"/>
 * <Logger name="state.change.logger" level="warn"/>
 * }</pre>
 */
public final class KafkaLogging {

    /** Logger hierarchies used by the broker (Scala {@code kafka.*} and Java {@code org.apache.kafka.*}). */
    public static final List<String> KAFKA_LOGGERS = List.of(
            "kafka",
            "org.apache.kafka",
            "state.change.logger",
            "kafka.request.logger",
            "kafka.authorizer.logger");

    private KafkaLogging() {
    }

    /**
     * Sets the Kafka loggers to WARN unless they are already at WARN or quieter.
     *
     * @return true if log4j2 core was found and consulted, false if this was a no-op
     */
    public static boolean quiet() {
        try {
            return Log4j2.quiet();
        } catch (LinkageError e) {
            // log4j-core (or log4j-api) not on the class path: nothing to do.
            return false;
        }
    }

    /** Isolated so that a missing log4j-core only fails here, inside the catch above. */
    private static final class Log4j2 {
        static boolean quiet() {
            if (!(org.apache.logging.log4j.LogManager.getContext(false)
                    instanceof org.apache.logging.log4j.core.LoggerContext)) {
                return false;
            }
            org.apache.logging.log4j.Level warn = org.apache.logging.log4j.Level.WARN;
            for (String name : KAFKA_LOGGERS) {
                org.apache.logging.log4j.Level current =
                        org.apache.logging.log4j.LogManager.getLogger(name).getLevel();
                if (current == null || current.isLessSpecificThan(warn) && current != warn) {
                    org.apache.logging.log4j.core.config.Configurator.setLevel(name, warn);
                }
            }
            return true;
        }
    }
}
