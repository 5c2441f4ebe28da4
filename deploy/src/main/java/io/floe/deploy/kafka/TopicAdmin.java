package io.floe.deploy.kafka;

import io.floe.core.wire.TopicNames;
import org.apache.kafka.common.config.TopicConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Idempotent topic creation against any Kafka cluster (embedded or not).
 *
 * <p>{@code createTopics} creates what is missing, treats "already exists" as success (existing
 * topics are <em>not</em> altered or checked for partition count / configs), and returns only once
 * every requested topic is visible with a leader for each partition, so a producer or consumer
 * started right after does not hit {@code UNKNOWN_TOPIC_OR_PARTITION}.
 */
public final class TopicAdmin {

    /** Default bound for {@link #createTopics(String, List)}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private TopicAdmin() {
    }

    /** Creates the topics (idempotent) using a short-lived {@link Admin} on {@code bootstrapServers}. */
    public static void createTopics(String bootstrapServers, List<NewTopic> topics) {
        createTopics(bootstrapServers, topics, DEFAULT_TIMEOUT);
    }

    public static void createTopics(String bootstrapServers, List<NewTopic> topics, Duration timeout) {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "floe-topic-admin"))) {
            createTopics(admin, topics, timeout);
        }
    }

    /** Creates the topics (idempotent) with the caller's {@link Admin}. */
    public static void createTopics(Admin admin, Collection<NewTopic> topics, Duration timeout) {
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(topics, "topics");
        if (topics.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, KafkaFuture<Void>> futures = admin.createTopics(topics).values();
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, KafkaFuture<Void>> e : futures.entrySet()) {
            try {
                e.getValue().get(remainingMs(deadline), TimeUnit.MILLISECONDS);
            } catch (ExecutionException ex) {
                if (!(ex.getCause() instanceof TopicExistsException)) {
                    failures.add(e.getKey() + ": " + ex.getCause());
                }
            } catch (TimeoutException ex) {
                failures.add(e.getKey() + ": timed out after " + timeout);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while creating topics", ex);
            }
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("creating topics failed: " + failures);
        }
        awaitTopicsReady(admin, topics.stream().map(NewTopic::name).collect(Collectors.toSet()), deadline, timeout);
    }

    /** Largest record floe's topics accept (a model or update of a few million float32 parameters). */
    public static final int MAX_MESSAGE_BYTES = io.floe.core.wire.RecordSize.MAX_BYTES;

    /** How long floe.clients keeps heartbeats: only the last clientTimeoutMs of them matter. */
    public static final long CLIENTS_RETENTION_MS = 60 * 60 * 1000L;

    /** Creates floe's seven standard topics with {@code partitions} partitions each (replication factor 1). */
    public static void createFloeTopics(String bootstrapServers, TopicNames names, int partitions) {
        createTopics(bootstrapServers, floeTopics(names, partitions));
    }

    /**
     * floe's seven topics. {@code models} is compacted: the newest version per model id survives, so a
     * trainer that starts late still finds the current model. {@code clients} (heartbeats) keeps
     * {@link #CLIENTS_RETENTION_MS}: a client is available only while its last heartbeat is recent.
     * {@code control} and {@code reports} are kept forever ({@code retention.ms=-1}): a job that
     * starts without state replays every spec from the control topic, and continues each model's
     * privacy ledger from its newest report with a privacy entry, which may be older than the
     * broker's default 7 days (a ledger lost to retention would start the budget again from zero).
     * {@code chunkScores} (the job's own) keeps the broker's default retention: a job restored after
     * an outage still finds the shares of the round it was selecting on. All accept records up to
     * {@link #MAX_MESSAGE_BYTES}.
     */
    public static List<NewTopic> floeTopics(TopicNames names, int partitions) {
        String maxBytes = String.valueOf(MAX_MESSAGE_BYTES);
        List<NewTopic> out = new java.util.ArrayList<>();
        for (String name : names.all()) {
            Map<String, String> configs = new java.util.HashMap<>(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxBytes));
            if (name.equals(names.models())) {
                configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
            }
            if (name.equals(names.control()) || name.equals(names.reports())) {
                configs.put(TopicConfig.RETENTION_MS_CONFIG, "-1");
            }
            if (name.equals(names.clients())) {
                configs.put(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(CLIENTS_RETENTION_MS));
            }
            out.add(new NewTopic(name, partitions, (short) 1).configs(configs));
        }
        return out;
    }

    private static void awaitTopicsReady(Admin admin, Set<String> names, long deadline, Duration timeout) {
        Throwable last = null;
        while (true) {
            try {
                Map<String, TopicDescription> descriptions =
                        admin.describeTopics(names).allTopicNames().get(remainingMs(deadline), TimeUnit.MILLISECONDS);
                boolean ready = descriptions.size() == names.size() && descriptions.values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .map(TopicPartitionInfo::leader)
                        .allMatch(leader -> leader != null && !leader.isEmpty());
                if (ready) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    last = e.getCause();
                }
            } catch (TimeoutException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for topics", e);
            }
            if (System.nanoTime() >= deadline) {
                throw new IllegalStateException("topics " + names + " not ready within " + timeout, last);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for topics", e);
            }
        }
    }

    private static long remainingMs(long deadlineNanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }
}
