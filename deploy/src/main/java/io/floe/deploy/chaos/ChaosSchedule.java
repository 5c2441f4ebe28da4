package io.floe.deploy.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The faults a demo run injects, parsed from its {@code --chaos} options, one fault per option
 * (repeat the option for several):
 *
 * <pre>{@code
 * --chaos broker-outage:at=10s,for=90s       the broker stops 10 s into the run, back 90 s later
 * --chaos taskmanager-loss:at=10s            the job's TaskManager is lost, a new one joins at once
 * --chaos taskmanager-loss:at=40s,for=5s     ... and the new one joins 5 s later
 * }</pre>
 *
 * Times take a unit: {@code ms}, {@code s} or {@code m} ({@code 1.5s}, {@code 500ms}, {@code 2m}).
 * Faults of one kind may not overlap (the broker cannot stop while it is down); faults of
 * different kinds may. Every fault ends before {@link #MAX_OUTAGE}: the job's sink keeps a
 * transaction open for at most 10 minutes ({@code transaction.timeout.ms}, docs/operations.md), and
 * an outage that long loses the versions of a checkpoint that completed but did not commit.
 */
public final class ChaosSchedule {
    /** Longest fault: under the sink's 10-minute transaction timeout by a minute for checkpoints and restarts. */
    public static final Duration MAX_OUTAGE = Duration.ofMinutes(9);
    static final String SYNTAX = "broker-outage:at=10s,for=90s or taskmanager-loss:at=10s[,for=5s]";
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m)");
    private static final ChaosSchedule NONE = new ChaosSchedule(List.of());

    private final List<Fault> faults;

    private ChaosSchedule(List<Fault> faults) {
        this.faults = List.copyOf(faults);
    }

    /** No faults: a calm run. */
    public static ChaosSchedule none() {
        return NONE;
    }

    /**
     * Parses one fault per spec; none for an empty list.
     *
     * @throws IllegalArgumentException naming the spec and how to write it
     */
    public static ChaosSchedule parse(List<String> specs) {
        if (specs == null || specs.isEmpty()) {
            return NONE;
        }
        List<Fault> faults = new ArrayList<>();
        for (String spec : specs) {
            faults.add(parseFault(spec));
        }
        return of(faults);
    }

    /** The faults, checked as {@link #parse} checks them, in order of their start. */
    public static ChaosSchedule of(List<Fault> faults) {
        List<Fault> sorted = new ArrayList<>(faults);
        sorted.sort(Comparator.comparing(Fault::at));
        for (int i = 0; i < sorted.size(); i++) {
            Fault f = sorted.get(i);
            if (f.duration().compareTo(MAX_OUTAGE) > 0) {
                throw new IllegalArgumentException("--chaos " + f + ": at most " + MAX_OUTAGE.toMinutes() + " minutes; the job's"
                        + " sink aborts a transaction open for 10 minutes and a longer outage can lose versions (docs/operations.md,"
                        + " the transaction-timeout rule)");
            }
            for (int j = 0; j < i; j++) {
                Fault earlier = sorted.get(j);
                boolean overlaps = earlier.kind() == f.kind()
                        && (f.at().compareTo(earlier.end()) < 0 || f.at().equals(earlier.at()));
                if (overlaps) {
                    throw new IllegalArgumentException("--chaos " + earlier + " and --chaos " + f + " overlap: the "
                            + f.kind().subject() + " is still failed at " + Fault.describe(f.at())
                            + "; start the second after the first ends (" + Fault.describe(earlier.end()) + ")");
                }
            }
        }
        return new ChaosSchedule(sorted);
    }

    static Fault parseFault(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("--chaos needs a fault, e.g. " + SYNTAX);
        }
        String s = spec.trim().toLowerCase(Locale.ROOT);
        int colon = s.indexOf(':');
        String name = colon < 0 ? s : s.substring(0, colon);
        Fault.Kind kind = Fault.Kind.byOptionName(name);
        if (kind == null) {
            throw new IllegalArgumentException("--chaos '" + spec + "': unknown fault '" + name + "'; known: broker-outage,"
                    + " taskmanager-loss (e.g. " + SYNTAX + ")");
        }
        Map<String, Duration> options = new LinkedHashMap<>();
        if (colon >= 0) {
            for (String kv : s.substring(colon + 1).split(",", -1)) {
                String[] p = kv.split("=", -1);
                if (p.length != 2 || p[0].isBlank() || p[1].isBlank()) {
                    throw new IllegalArgumentException("--chaos '" + spec + "': '" + kv.trim() + "' is not key=value (e.g. "
                            + SYNTAX + ")");
                }
                String key = p[0].trim();
                if (!key.equals("at") && !key.equals("for")) {
                    throw new IllegalArgumentException("--chaos '" + spec + "': unknown option '" + key + "'; " + kind.optionName()
                            + " takes at= (when, from the start of the run) and for= (how long)");
                }
                if (options.put(key, duration(spec, key, p[1].trim())) != null) {
                    throw new IllegalArgumentException("--chaos '" + spec + "': '" + key + "' appears twice");
                }
            }
        }
        if (!options.containsKey("at")) {
            throw new IllegalArgumentException("--chaos '" + spec + "': say when with at=, e.g. " + kind.optionName() + ":at=10s"
                    + (kind == Fault.Kind.BROKER_OUTAGE ? ",for=90s" : ""));
        }
        Duration length = options.get("for");
        if (kind == Fault.Kind.BROKER_OUTAGE && (length == null || length.isZero())) {
            throw new IllegalArgumentException("--chaos '" + spec + "': a broker outage needs a length above zero, e.g."
                    + " broker-outage:at=10s,for=90s");
        }
        return new Fault(kind, options.get("at"), length == null ? Duration.ZERO : length);
    }

    private static Duration duration(String spec, String key, String text) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("--chaos '" + spec + "': " + key + "=" + text + " is not a time; write it with a"
                    + " unit: 10s, 1.5s, 500ms or 2m");
        }
        double value = Double.parseDouble(m.group(1));
        double millis = switch (m.group(2)) {
            case "ms" -> value;
            case "s" -> value * 1_000;
            default -> value * 60_000;
        };
        return Duration.ofMillis(Math.round(millis));
    }

    /** The faults in order of their start. */
    public List<Fault> faults() {
        return faults;
    }

    public boolean isEmpty() {
        return faults.isEmpty();
    }

    /**
     * How long the planned faults keep the system down, all together: the time a run may go
     * without a new version on top of its usual stall timeout.
     */
    public Duration plannedDowntime() {
        return faults.stream().map(Fault::duration).reduce(Duration.ZERO, Duration::plus);
    }

    /** The option texts, e.g. {@code [broker-outage:at=10s,for=90s]}. */
    @Override
    public String toString() {
        return faults.toString();
    }
}
