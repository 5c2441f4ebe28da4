package io.floe.deploy.kafka;

import io.floe.core.wire.TopicNames;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Who may do what on floe's topics of a secured broker ({@link BrokerSecurity}): the users of the
 * three {@link FloePrincipal}s and their ACLs, everything else denied.
 *
 * <table>
 *   <caption>ACLs (READ and WRITE imply DESCRIBE)</caption>
 *   <tr><th>principal</th><th>READ</th><th>WRITE</th></tr>
 *   <tr><td>{@code floe-trainer}</td><td>models</td><td>updates, clients (heartbeats)</td></tr>
 *   <tr><td>{@code floe-operator}</td><td>models, reports</td><td>control</td></tr>
 *   <tr><td>{@code floe-job}</td><td>control, updates, clients, models, reports, chunk-scores;
 *       groups {@code <job prefix>*}</td><td>models, reports, deadletter, chunk-scores; transactional ids
 *       {@code <job prefix>*}; IDEMPOTENT_WRITE on the cluster</td></tr>
 * </table>
 *
 * <p>Only the job reads or writes chunk-scores: its chunk folders' shares of a chunked Krum round's
 * distances, from which its coordinator selects; nobody else may write a share.
 * The job reads models and reports only when it starts without state
 * ({@code --resume-from-topics}). Trainers and operators read by assigning partitions, so they need
 * no group. The job's consumer group and its exactly-once sink's transactional ids must start with
 * the job prefix ({@value #DEFAULT_JOB_PREFIX} by default; {@code --group-id} and
 * {@code --transactional-id-prefix} of the job).
 *
 * <pre>{@code
 * FloeAcls acls = FloeAcls.forTopics(TopicNames.defaults());
 * try (Admin admin = broker.createAdmin()) {
 *     acls.apply(admin, broker.security().orElseThrow(), Duration.ofSeconds(30));
 * }
 * }</pre>
 */
public final class FloeAcls {
    /** Prefix of the job's consumer group and transactional ids unless told otherwise. */
    public static final String DEFAULT_JOB_PREFIX = "floe-";
    private static final int SCRAM_ITERATIONS = 8192;

    private final TopicNames topics;
    private final String jobPrefix;

    private FloeAcls(TopicNames topics, String jobPrefix) {
        this.topics = Objects.requireNonNull(topics, "topics");
        if (jobPrefix == null || jobPrefix.isEmpty()) {
            throw new IllegalArgumentException("the job prefix must not be empty: an empty prefix would grant every group "
                    + "and transactional id; give the start of the job's --group-id and --transactional-id-prefix");
        }
        this.jobPrefix = jobPrefix;
    }

    /** ACLs for {@code topics}, with the job's groups and transactional ids under {@value #DEFAULT_JOB_PREFIX}. */
    public static FloeAcls forTopics(TopicNames topics) {
        return new FloeAcls(topics, DEFAULT_JOB_PREFIX);
    }

    /** These ACLs with the job's consumer groups and transactional ids under {@code prefix}. */
    public FloeAcls jobPrefix(String prefix) {
        return new FloeAcls(topics, prefix);
    }

    /** The ACLs of one principal. */
    public List<AclBinding> bindings(FloePrincipal who) {
        List<AclBinding> out = new ArrayList<>();
        switch (who) {
            case TRAINER -> {
                allowTopics(out, who, AclOperation.READ, topics.models());
                allowTopics(out, who, AclOperation.WRITE, topics.updates(), topics.clients());
            }
            case OPERATOR -> {
                allowTopics(out, who, AclOperation.READ, topics.models(), topics.reports());
                allowTopics(out, who, AclOperation.WRITE, topics.control());
            }
            case JOB -> {
                allowTopics(out, who, AclOperation.READ, topics.control(), topics.updates(), topics.clients(),
                        topics.models(), topics.reports(), topics.chunkScores());
                allowTopics(out, who, AclOperation.WRITE, topics.models(), topics.reports(), topics.deadLetter(),
                        topics.chunkScores());
                allow(out, who, new ResourcePattern(ResourceType.GROUP, jobPrefix, PatternType.PREFIXED), AclOperation.READ);
                allow(out, who, new ResourcePattern(ResourceType.TRANSACTIONAL_ID, jobPrefix, PatternType.PREFIXED),
                        AclOperation.WRITE);
                allow(out, who, new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL),
                        AclOperation.IDEMPOTENT_WRITE);
            }
            default -> throw new IllegalArgumentException("no ACLs for " + who);
        }
        return out;
    }

    /** The ACLs of all three principals. */
    public List<AclBinding> bindings() {
        List<AclBinding> out = new ArrayList<>();
        for (FloePrincipal who : FloePrincipal.values()) {
            out.addAll(bindings(who));
        }
        return out;
    }

    /**
     * Creates (or updates) the three SCRAM users with the passwords {@code security} keeps, and
     * their ACLs, then waits until the broker sees both, so a client started right after
     * authenticates and is authorized. Idempotent: run it again after a restart or a topic rename.
     *
     * @param admin a super user's admin ({@link EmbeddedKafkaBroker#createAdmin()} of a secured broker)
     */
    public void apply(Admin admin, BrokerSecurity security, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<UserScramCredentialAlteration> users = new ArrayList<>();
        for (FloePrincipal who : FloePrincipal.values()) {
            users.add(new UserScramCredentialUpsertion(who.userName(),
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS), security.password(who.userName())));
        }
        await(() -> admin.alterUserScramCredentials(users).all().get(remainingMs(deadline), TimeUnit.MILLISECONDS), "creating users");
        List<AclBinding> wanted = bindings();
        await(() -> admin.createAcls(wanted).all().get(remainingMs(deadline), TimeUnit.MILLISECONDS), "creating ACLs");
        Set<String> userNames = java.util.Arrays.stream(FloePrincipal.values()).map(FloePrincipal::userName).collect(Collectors.toSet());
        while (true) {
            Set<String> seenUsers = await(() -> new HashSet<>(admin.describeUserScramCredentials().users()
                    .get(remainingMs(deadline), TimeUnit.MILLISECONDS)), "reading users back");
            Set<AclBinding> seenAcls = await(() -> new HashSet<>(admin.describeAcls(AclBindingFilter.ANY).values()
                    .get(remainingMs(deadline), TimeUnit.MILLISECONDS)), "reading ACLs back");
            if (seenUsers.containsAll(userNames) && seenAcls.containsAll(wanted)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the broker did not show floe's users and ACLs within " + timeout);
            }
            KRaftServerLifecycle.sleep(50);
        }
    }

    /**
     * Writes {@code <role>.properties} (job, operator, trainer) into {@code dir}: the client
     * settings of each principal ({@link BrokerSecurity#clientProperties(String)}), for the job's
     * and the trainer CLI's {@code --kafka-properties}. Readable by the owner only: they hold passwords.
     *
     * @return each principal's file
     */
    public static Map<FloePrincipal, Path> writeClientProperties(BrokerSecurity security, Path dir) {
        Map<FloePrincipal, Path> files = new EnumMap<>(FloePrincipal.class);
        try {
            Files.createDirectories(dir);
            for (FloePrincipal who : FloePrincipal.values()) {
                Path file = dir.resolve(who.role() + ".properties");
                Properties p = new Properties();
                security.clientProperties(who.userName()).forEach((k, v) -> p.setProperty(k, String.valueOf(v)));
                Files.deleteIfExists(file);
                Files.createFile(file);
                try {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system
                }
                try (OutputStream out = Files.newOutputStream(file)) {
                    p.store(out, "Kafka client settings of " + who.principal() + " (floe " + who.role() + ")");
                }
                files.put(who, file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write client properties to " + dir, e);
        }
        return files;
    }

    private static void allowTopics(List<AclBinding> out, FloePrincipal who, AclOperation op, String... names) {
        for (String name : names) {
            allow(out, who, new ResourcePattern(ResourceType.TOPIC, name, PatternType.LITERAL), op);
        }
    }

    private static void allow(List<AclBinding> out, FloePrincipal who, ResourcePattern pattern, AclOperation op) {
        out.add(new AclBinding(pattern, new AccessControlEntry(who.principal(), "*", op, AclPermissionType.ALLOW)));
    }

    private interface AdminCall<T> {
        T call() throws ExecutionException, TimeoutException, InterruptedException;
    }

    private static <T> T await(AdminCall<T> call, String what) {
        try {
            return call.call();
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + " timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what, e);
        }
    }

    private static long remainingMs(long deadlineNanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }
}
