package io.floe.trainer.daemon;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.UnknownProducerIdException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a trainer keeps publishing one update while the broker is away: exponential backoff from
 * {@code firstDelay}, doubling up to {@code maxDelay}, each wait drawn uniformly from the upper half
 * of its step ("equal jitter") so that a fleet of trainers cut off by the same outage does not
 * reconnect in lock-step. The jitter comes from a {@link Random} seeded per client, so a test (or a
 * replayed run) sees the same waits.
 *
 * <p>Retrying is safe because the update's {@code updateId} is its idempotency key: should an
 * attempt that timed out have landed after all, the job drops the second copy.
 *
 * <p>What is retried ({@link #classify}): Kafka's {@link RetriableException}s, the producer's
 * timeouts among them (delivery, request and metadata timeouts while the broker is down). An
 * idempotent producer whose sequence state broke (fenced, unknown producer id, out-of-order
 * sequence, invalid epoch) cannot send again, so it is recreated and the send retried. Anything else
 * (a record too large, serialization, authentication or authorization failures) cannot be fixed by
 * waiting and fails the call at once.
 *
 * <p>Logs one WARN when an outage starts, at most one INFO per {@link #PROGRESS_LOG_INTERVAL} while
 * it lasts and one INFO when the update is acknowledged again.
 */
public final class PublishRetry {
    private static final Logger LOG = LoggerFactory.getLogger(PublishRetry.class);

    public static final Duration DEFAULT_FIRST_DELAY = Duration.ofSeconds(1);
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(30);
    /** While an outage lasts, a progress line at most this often. */
    static final Duration PROGRESS_LOG_INTERVAL = Duration.ofMinutes(1);

    /** What to do after a failed attempt. */
    public enum Failure {
        /** Wait and send again with the same producer. */
        RETRY,
        /** The producer cannot send any more: replace it, then send again. */
        RECREATE_PRODUCER,
        /** Retrying cannot help: give up and report. */
        FATAL
    }

    /** One attempt to send; throws what the client threw (ExecutionException unwrapped). */
    @FunctionalInterface
    public interface Attempt<T> {
        T send() throws Exception;
    }

    /** Thrown by {@link #call} when {@link #stop()} ended the waiting before an attempt succeeded. */
    public static final class StoppedException extends RuntimeException {
        StoppedException(String what, int attempts) {
            super(what + " was not acknowledged: retrying stopped after " + attempts + " attempts");
        }
    }

    private final long firstDelayMs;
    private final long maxDelayMs;
    private final Random jitter;
    private final Object wakeUp = new Object();
    private final AtomicLong retries = new AtomicLong();
    private volatile boolean stopped;

    /** Default backoff (1 s doubling up to 30 s), jitter seeded by the client id. */
    public static PublishRetry forClient(String clientId) {
        return new PublishRetry(DEFAULT_FIRST_DELAY, DEFAULT_MAX_DELAY, clientId.hashCode());
    }

    /** @param seed of the jitter: the same seed gives the same waits */
    public PublishRetry(Duration firstDelay, Duration maxDelay, long seed) {
        if (firstDelay == null || firstDelay.toMillis() < 1) {
            throw new IllegalArgumentException("firstDelay must be at least 1 ms, was " + firstDelay);
        }
        if (maxDelay == null || maxDelay.compareTo(firstDelay) < 0) {
            throw new IllegalArgumentException("maxDelay must be at least firstDelay (" + firstDelay + "), was " + maxDelay);
        }
        this.firstDelayMs = firstDelay.toMillis();
        this.maxDelayMs = maxDelay.toMillis();
        this.jitter = new Random(seed);
    }

    /**
     * The wait after the {@code failures}-th failed attempt in a row: uniform in
     * {@code [step/2, step]} with {@code step = min(maxDelay, firstDelay * 2^(failures-1))}.
     */
    public Duration delayAfter(int failures) {
        if (failures < 1) {
            throw new IllegalArgumentException("failures must be >= 1, was " + failures);
        }
        long step = firstDelayMs << Math.min(failures - 1, 30);
        if (step <= 0 || step > maxDelayMs) {
            step = maxDelayMs;
        }
        long half = step / 2;
        synchronized (jitter) {
            return Duration.ofMillis(step - half + (half == 0 ? 0 : (long) (jitter.nextDouble() * (half + 1))));
        }
    }

    /** Whether a failed attempt is retried, retried with a new producer, or reported. */
    public static Failure classify(Throwable failure) {
        if (failure instanceof ProducerFencedException || failure instanceof InvalidProducerEpochException
                || failure instanceof UnknownProducerIdException || failure instanceof OutOfOrderSequenceException) {
            return Failure.RECREATE_PRODUCER;
        }
        return failure instanceof RetriableException ? Failure.RETRY : Failure.FATAL;
    }

    /**
     * Runs {@code attempt} until it succeeds, waiting between failures.
     *
     * @param what names the record in log lines and errors, e.g. {@code "update u-17"}
     * @param recreateProducer called before the next attempt after a {@link Failure#RECREATE_PRODUCER} failure; what it
     *     throws counts as that attempt's failure (a retriable one is retried, and the producer replaced again)
     * @throws InterruptedException when interrupted, in an attempt or while waiting
     * @throws StoppedException when {@link #stop()} was called before an attempt succeeded
     * @throws IllegalStateException on a {@link Failure#FATAL} failure, with it as the cause
     */
    public <T> T call(String what, Attempt<T> attempt, Runnable recreateProducer) throws InterruptedException {
        long start = System.nanoTime();
        long lastLogged = start;
        int attempts = 0;
        boolean replaceProducer = false;
        while (true) {
            if (stopped) {
                throw new StoppedException(what, attempts);
            }
            attempts++;
            Throwable failure;
            try {
                if (replaceProducer) {
                    // inside the attempt: a replacement that fails is a failed attempt, retried like one
                    recreateProducer.run();
                    replaceProducer = false;
                }
                T result = attempt.send();
                if (attempts > 1) {
                    LOG.info("published {} after {} attempts / {} s", what, attempts, seconds(System.nanoTime() - start));
                }
                return result;
            } catch (InterruptedException | InterruptException e) {
                throw e;
            } catch (Exception e) {
                failure = e;
            }
            if (stopped) {
                // closing the producer under a waiting send fails it; that is the stop, not a broker fault
                throw new StoppedException(what, attempts);
            }
            Failure kind = classify(failure);
            if (kind == Failure.FATAL) {
                throw new IllegalStateException("cannot publish " + what + " (retrying cannot fix this): " + failure, failure);
            }
            Duration delay = delayAfter(attempts);
            long now = System.nanoTime();
            if (attempts == 1) {
                LOG.warn("broker unreachable, retrying {} every {} ms, backing off to {} ms, until acknowledged: {}", what,
                        firstDelayMs, maxDelayMs, failure.toString());
                lastLogged = now;
            } else if (now - lastLogged >= PROGRESS_LOG_INTERVAL.toNanos()) {
                LOG.info("still retrying {}: {} attempts in {} s, next in {} ms: {}", what, attempts, seconds(now - start),
                        delay.toMillis(), failure.toString());
                lastLogged = now;
            }
            retries.incrementAndGet();
            if (kind == Failure.RECREATE_PRODUCER) {
                LOG.warn("recreating the producer for {} after {}", what, failure.toString());
                replaceProducer = true;
            }
            await(delay);
        }
    }

    /**
     * Failed attempts that were followed by another one, over this retry's life (all records): a
     * trainer's count of broker trouble, exported as {@code floe_trainer_publish_retries_total}.
     */
    public long retries() {
        return retries.get();
    }

    /** True once {@link #stop()} was called. */
    boolean isStopped() {
        return stopped;
    }

    /** Counts a failed attempt made outside {@link #call} (a chunk sent without waiting) that is retried through it. */
    void countRetry() {
        retries.incrementAndGet();
    }

    /** Ends current and future waits: {@link #call} then throws {@link StoppedException}. */
    public void stop() {
        stopped = true;
        synchronized (wakeUp) {
            wakeUp.notifyAll();
        }
    }

    private void await(Duration delay) throws InterruptedException {
        long until = System.nanoTime() + delay.toNanos();
        synchronized (wakeUp) {
            long left;
            while (!stopped && (left = until - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(wakeUp, left);
            }
        }
    }

    private static long seconds(long nanos) {
        return Math.round(nanos / 1e9);
    }
}
