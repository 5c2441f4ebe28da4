package io.floe.deploy.chaos;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * One planned failure: what fails, when (from the start of the run) and for how long.
 *
 * @param kind what fails
 * @param at when it fails, from the start of the run
 * @param duration how long it stays failed: the broker's outage, or how long the job is without a
 *     TaskManager before a replacement joins (zero: at once, as an orchestrator replaces a pod)
 */
public record Fault(Kind kind, Duration at, Duration duration) {

    /** The kinds of failure, by the name the option uses. */
    public enum Kind {
        /** The broker stops (controlled shutdown) and comes back on the same port with its data. */
        BROKER_OUTAGE("broker-outage", "broker"),
        /** The TaskManager running the job is shut down; a new one joins after the duration. */
        TASKMANAGER_LOSS("taskmanager-loss", "TaskManager");

        private final String optionName;
        private final String subject;

        Kind(String optionName, String subject) {
            this.optionName = optionName;
            this.subject = subject;
        }

        /** The name in {@code --chaos NAME:...}. */
        public String optionName() {
            return optionName;
        }

        /** What fails, for messages ("broker"). */
        public String subject() {
            return subject;
        }

        static Kind byOptionName(String name) {
            for (Kind k : values()) {
                if (k.optionName.equals(name)) {
                    return k;
                }
            }
            return null;
        }
    }

    public Fault {
        Objects.requireNonNull(kind, "kind");
        if (at == null || at.isNegative()) {
            throw new IllegalArgumentException("a fault's start must be zero or later: " + at);
        }
        if (duration == null || duration.isNegative()) {
            throw new IllegalArgumentException("a fault's duration must be zero or longer: " + duration);
        }
    }

    /** When the failure ends (the broker is back, the replacement TaskManager starts), from the start of the run. */
    public Duration end() {
        return at.plus(duration);
    }

    /** The option text that parses back to this fault, e.g. {@code broker-outage:at=10s,for=90s}. */
    @Override
    public String toString() {
        return kind.optionName + ":at=" + seconds(at) + ",for=" + seconds(duration);
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    static String describe(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
