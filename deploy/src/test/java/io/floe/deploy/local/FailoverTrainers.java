package io.floe.deploy.local;

import io.floe.core.wire.TopicNames;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelUpdate;
import io.floe.trainer.daemon.GlobalModelFollower;
import io.floe.trainer.daemon.LocalTraining;
import io.floe.trainer.daemon.NetworkTraining;
import io.floe.trainer.daemon.PublishRetry;
import io.floe.trainer.daemon.TrainerLoop;
import io.floe.trainer.daemon.UpdatePublisher;
import io.floe.trainer.data.Dataset;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.InterruptException;

/**
 * The trainers of a failover test, each a {@link TrainerLoop} in its own thread with its own
 * follower and publisher, as separate processes would run them. Their producers time out within
 * seconds ({@link #shortProducerTimeouts()}), so a broker outage of a few seconds outlasts them
 * as a minutes-long one would outlast the defaults, and the publisher's retry has to carry them.
 *
 * <p>A gate: the second half of the sites wait before training on {@code gateVersion} until
 * {@link #releaseGate()}, so a test can inject a fault while that round is known to be half full
 * (the first half's updates acknowledged, the second half's not yet sent).
 */
final class FailoverTrainers implements AutoCloseable {
    private final List<TrainerLoop> loops = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<AutoCloseable> clients = new ArrayList<>();
    private final CountDownLatch gate = new CountDownLatch(1);
    private final long gateVersion;
    private final int sites;
    /** Every update a trainer's publish returned for (acknowledged by the broker). */
    private final List<ModelUpdate> acknowledged = new CopyOnWriteArrayList<>();
    /** A trainer thread that ended with an exception, by client id. */
    private final Map<String, Throwable> died = new ConcurrentHashMap<>();

    private FailoverTrainers(long gateVersion, int sites) {
        this.gateVersion = gateVersion;
        this.sites = sites;
    }

    /**
     * @param gateVersion the version the second half of the sites wait on, -1 for none
     * @param rounds updates each site publishes before its loop ends
     */
    static FailoverTrainers start(String bootstrapServers, TopicNames topics, String modelId, List<Dataset> data, long seed,
            int rounds, long gateVersion) {
        FailoverTrainers trainers = new FailoverTrainers(gateVersion, data.size());
        for (int i = 0; i < data.size(); i++) {
            String clientId = String.format("hospital-%02d", i);
            GlobalModelFollower follower = new GlobalModelFollower(bootstrapServers, topics.models(), modelId, new Properties());
            UpdatePublisher publisher = new UpdatePublisher(bootstrapServers, topics.updates(), shortProducerTimeouts(),
                    new PublishRetry(Duration.ofMillis(200), Duration.ofSeconds(1), seed + i));
            trainers.clients.add(follower);
            trainers.clients.add(publisher);
            LocalTraining training = new NetworkTraining(clientId, data.get(i), NetworkTraining.DEFAULT_VALIDATION_FRACTION,
                    seed + i);
            if (i >= data.size() / 2) {
                training = trainers.gated(training);
            }
            TrainerLoop loop = new TrainerLoop(clientId, follower, publisher, training, rounds, trainers.acknowledged::add);
            Thread t = new Thread(loop, "trainer-" + clientId);
            t.setDaemon(true);
            t.setUncaughtExceptionHandler((thread, e) -> trainers.died.put(clientId, e));
            trainers.loops.add(loop);
            trainers.threads.add(t);
            t.start();
        }
        return trainers;
    }

    /** Delivery within 3 s or a retriable timeout: a test's outage of seconds outlasts it. */
    static Properties shortProducerTimeouts() {
        Properties p = new Properties();
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "3000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "1000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "1000");
        return p;
    }

    private LocalTraining gated(LocalTraining inner) {
        return base -> {
            if (base.getVersion() == gateVersion) {
                awaitGate(base);
            }
            return inner.train(base);
        };
    }

    private void awaitGate(GlobalModel base) {
        try {
            if (!gate.await(2, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the gate on version " + base.getVersion() + " was never released");
            }
        } catch (InterruptedException e) {
            // the loop ends on Kafka's InterruptException as it does when interrupted in a Kafka call
            throw new InterruptException(e);
        }
    }

    /** Waits until the first half of the sites have their updates on the gate's version acknowledged. */
    void awaitHalfRound(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (acknowledgedOn(gateVersion) < sites / 2) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("half of the round on version " + gateVersion + " not acknowledged within " + timeout
                        + "; acknowledged " + acknowledged.size() + " updates; died: " + died);
            }
            Thread.sleep(20);
        }
    }

    long acknowledgedOn(long baseVersion) {
        return acknowledged.stream().filter(u -> u.getBaseVersion() == baseVersion).count();
    }

    void releaseGate() {
        gate.countDown();
    }

    List<ModelUpdate> acknowledged() {
        return List.copyOf(acknowledged);
    }

    /** Trainers whose thread ended with an exception (a publish that gave up, say), by client id. */
    Map<String, Throwable> died() {
        return Map.copyOf(died);
    }

    @Override
    public void close() throws Exception {
        releaseGate();
        loops.forEach(TrainerLoop::stop);
        for (Thread t : threads) {
            t.interrupt();
            t.join(10_000);
        }
        for (AutoCloseable c : clients) {
            c.close();
        }
    }
}
