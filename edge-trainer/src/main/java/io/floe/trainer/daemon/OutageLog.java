package io.floe.trainer.daemon;

import java.time.Duration;
import org.slf4j.Logger;

/**
 * The log lines of one Kafka client while its broker is unreachable: one WARN when the outage
 * starts, at most one INFO per {@link PublishRetry#PROGRESS_LOG_INTERVAL} while it lasts, one INFO
 * when the broker answers again. An unattended trainer's log then tells when and for how long it
 * waited, without a line per failed attempt.
 */
final class OutageLog {
    private final Logger log;
    private final String what;
    private int failures;
    private long startedAt;
    private long lastLogged;

    /** @param what the client in FL terms, e.g. {@code "alice: heartbeats for model wdbc"} */
    OutageLog(Logger log, String what) {
        this.log = log;
        this.what = what;
    }

    /** Records a failed attempt; {@code next} says what happens now, e.g. "retrying every 1 s". */
    synchronized void failed(String next, Throwable cause) {
        long now = System.nanoTime();
        failures++;
        if (failures == 1) {
            startedAt = now;
            lastLogged = now;
            log.warn("{}: broker unreachable, {}: {}", what, next, cause.toString());
        } else if (now - lastLogged >= PublishRetry.PROGRESS_LOG_INTERVAL.toNanos()) {
            lastLogged = now;
            log.info("{}: broker still unreachable after {} attempts / {} s: {}", what, failures,
                    Duration.ofNanos(now - startedAt).toSeconds(), cause.toString());
        }
    }

    /** Records a success; logs the end of an outage if one was going on. */
    synchronized void succeeded() {
        if (failures > 0) {
            log.info("{}: broker reachable again after {} failed attempts / {} s", what, failures,
                    Duration.ofNanos(System.nanoTime() - startedAt).toSeconds());
            failures = 0;
        }
    }
}
