package io.floe.trainer.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.trainer.daemon.PublishRetry.Failure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The backoff's waits, which failures it retries, and how a waiting retry ends. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class PublishRetryTest {

    @Test
    void waitsDoubleFromTheFirstDelayUpToTheCapWithJitterInTheUpperHalf() {
        // Prepare: 1 s doubling, capped at 30 s
        PublishRetry retry = new PublishRetry(Duration.ofSeconds(1), Duration.ofSeconds(30), 7L);
        long[] stepsMs = {1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000};

        for (int failures = 1; failures <= stepsMs.length; failures++) {
            // Execute
            long delay = retry.delayAfter(failures).toMillis();

            // Assert: within [step/2, step]
            assertThat(delay).as("wait after %d failures", failures).isBetween(stepsMs[failures - 1] / 2, stepsMs[failures - 1]);
        }
        assertThat(retry.delayAfter(1_000).toMillis()).as("no overflow after many failures").isBetween(15_000L, 30_000L);
    }

    @Test
    void sameSeedSameWaitsOtherSeedOtherWaits() {
        List<Duration> a = delays(new PublishRetry(Duration.ofSeconds(1), Duration.ofSeconds(30), 42L));
        List<Duration> b = delays(new PublishRetry(Duration.ofSeconds(1), Duration.ofSeconds(30), 42L));
        List<Duration> c = delays(new PublishRetry(Duration.ofSeconds(1), Duration.ofSeconds(30), 43L));

        assertThat(a).isEqualTo(b).isNotEqualTo(c);
    }

    @Test
    void classifiesTimeoutsAsRetriableBrokenProducersAsRecreatedAndTheRestAsFatal() {
        assertThat(PublishRetry.classify(new TimeoutException("delivery timeout"))).isEqualTo(Failure.RETRY);
        assertThat(PublishRetry.classify(new NetworkException("disconnected"))).isEqualTo(Failure.RETRY);
        assertThat(PublishRetry.classify(new NotLeaderOrFollowerException("moved"))).isEqualTo(Failure.RETRY);
        assertThat(PublishRetry.classify(new ProducerFencedException("fenced"))).isEqualTo(Failure.RECREATE_PRODUCER);
        assertThat(PublishRetry.classify(new OutOfOrderSequenceException("gap"))).isEqualTo(Failure.RECREATE_PRODUCER);
        assertThat(PublishRetry.classify(new RecordTooLargeException("5 MB"))).isEqualTo(Failure.FATAL);
        assertThat(PublishRetry.classify(new SerializationException("bad"))).isEqualTo(Failure.FATAL);
        assertThat(PublishRetry.classify(new TopicAuthorizationException("no ACL"))).isEqualTo(Failure.FATAL);
        assertThat(PublishRetry.classify(new SaslAuthenticationException("bad password"))).isEqualTo(Failure.FATAL);
        assertThat(PublishRetry.classify(new IllegalArgumentException("bug"))).isEqualTo(Failure.FATAL);
    }

    @Test
    void retriesTimeoutsUntilTheBrokerAcknowledges() throws Exception {
        // Prepare: two delivery timeouts, then an acknowledgement
        PublishRetry retry = new PublishRetry(Duration.ofMillis(1), Duration.ofMillis(4), 1L);
        AtomicInteger attempts = new AtomicInteger();

        // Execute
        String result = retry.call("update u-1", () -> {
            if (attempts.incrementAndGet() <= 2) {
                throw new TimeoutException("Expiring 1 record(s): 3000 ms has passed since batch creation");
            }
            return "acked";
        }, () -> { });

        // Assert
        assertThat(result).isEqualTo("acked");
        assertThat(attempts).hasValue(3);
    }

    @Test
    void countsEveryRetryOverItsLifeButNotAFirstAttemptThatSucceeds() throws Exception {
        // Prepare
        PublishRetry retry = new PublishRetry(Duration.ofMillis(1), Duration.ofMillis(4), 1L);
        AtomicInteger attempts = new AtomicInteger();

        // Execute: u-1 acked at once; u-2 after two timeouts; u-3 after a fenced producer
        retry.call("update u-1", () -> "acked", () -> { });
        retry.call("update u-2", () -> {
            if (attempts.incrementAndGet() <= 2) {
                throw new TimeoutException("delivery timeout");
            }
            return "acked";
        }, () -> { });
        AtomicInteger third = new AtomicInteger();
        retry.call("update u-3", () -> {
            if (third.incrementAndGet() == 1) {
                throw new ProducerFencedException("epoch bumped");
            }
            return "acked";
        }, () -> { });

        // Assert
        assertThat(retry.retries()).isEqualTo(3);
    }

    @Test
    void recreatesTheProducerAfterItWasFencedThenSendsAgain() throws Exception {
        PublishRetry retry = new PublishRetry(Duration.ofMillis(1), Duration.ofMillis(4), 1L);
        AtomicInteger attempts = new AtomicInteger();
        AtomicInteger recreated = new AtomicInteger();

        String result = retry.call("update u-2", () -> {
            if (attempts.incrementAndGet() == 1) {
                throw new ProducerFencedException("epoch bumped");
            }
            return "acked";
        }, recreated::incrementAndGet);

        assertThat(result).isEqualTo("acked");
        assertThat(recreated).hasValue(1);
    }

    @Test
    void aReplacementProducerThatCannotBeBuiltYetIsRetriedNotThrown() throws Exception {
        PublishRetry retry = new PublishRetry(Duration.ofMillis(1), Duration.ofMillis(4), 1L);
        AtomicInteger sends = new AtomicInteger();
        AtomicInteger replacements = new AtomicInteger();

        // the first send is fenced; the first replacement times out (broker away), the second works
        String result = retry.call("update u-3", () -> {
            if (sends.incrementAndGet() == 1) {
                throw new ProducerFencedException("epoch bumped");
            }
            return "acked";
        }, () -> {
            if (replacements.incrementAndGet() == 1) {
                throw new TimeoutException("broker away while initialising the new producer");
            }
        });

        assertThat(result).isEqualTo("acked");
        assertThat(replacements).hasValue(2);
        assertThat(sends).as("no send through the broken producer after the failed replacement").hasValue(2);
    }

    @Test
    void aFailureRetryingCannotFixSurfacesAtOnce() {
        PublishRetry retry = new PublishRetry(Duration.ofMillis(1), Duration.ofMillis(4), 1L);
        AtomicInteger attempts = new AtomicInteger();
        RecordTooLargeException tooLarge = new RecordTooLargeException("The message is 9000000 bytes");

        assertThatThrownBy(() -> retry.call("update u-3", () -> {
            attempts.incrementAndGet();
            throw tooLarge;
        }, () -> { }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("update u-3").hasMessageContaining("retrying cannot fix")
                .hasCause(tooLarge);
        assertThat(attempts).hasValue(1);
    }

    @Test
    void stopEndsAWaitBetweenAttempts() throws Exception {
        // Prepare: a 10 s wait after the first timeout, so only stop() can end the call in time
        PublishRetry retry = new PublishRetry(Duration.ofSeconds(10), Duration.ofSeconds(10), 1L);
        CountDownLatch firstAttempt = new CountDownLatch(1);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread publishing = new Thread(() -> {
            try {
                retry.call("update u-4", () -> {
                    firstAttempt.countDown();
                    throw new TimeoutException("broker away");
                }, () -> { });
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        publishing.start();
        assertThat(firstAttempt.await(5, TimeUnit.SECONDS)).isTrue();

        // Execute
        long t0 = System.nanoTime();
        retry.stop();
        publishing.join(5_000);

        // Assert
        assertThat(publishing.isAlive()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        assertThat(thrown.get()).isInstanceOf(PublishRetry.StoppedException.class).hasMessageContaining("update u-4");
    }

    @Test
    void interruptEndsAWaitBetweenAttempts() throws Exception {
        PublishRetry retry = new PublishRetry(Duration.ofSeconds(10), Duration.ofSeconds(10), 1L);
        CountDownLatch firstAttempt = new CountDownLatch(1);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread publishing = new Thread(() -> {
            try {
                retry.call("update u-5", () -> {
                    firstAttempt.countDown();
                    throw new TimeoutException("broker away");
                }, () -> { });
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        publishing.start();
        assertThat(firstAttempt.await(5, TimeUnit.SECONDS)).isTrue();

        publishing.interrupt();
        publishing.join(5_000);

        assertThat(publishing.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    }

    @Test
    void rejectsAFirstDelayAboveTheCap() {
        assertThatThrownBy(() -> new PublishRetry(Duration.ofSeconds(5), Duration.ofSeconds(1), 1L))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDelay");
    }

    private static List<Duration> delays(PublishRetry retry) {
        List<Duration> out = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            out.add(retry.delayAfter(i));
        }
        return out;
    }
}
