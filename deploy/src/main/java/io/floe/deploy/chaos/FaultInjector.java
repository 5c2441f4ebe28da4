package io.floe.deploy.chaos;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Strikes a {@link FaultTarget} by a {@link ChaosSchedule}, from a thread of its own, and measures
 * how each fault was ridden out: a line when a fault starts and when it ends ("chaos: broker
 * stopped at 10.0 s", "chaos: broker back at 100.0 s"), one when the next version is published
 * after it, and {@link #recoveries()} at the end.
 *
 * <p>Call order: {@link #start(long)} when the run starts (times in the schedule count from
 * there), {@link #versionPublished(long)} for every version the run sees published, {@link #close()}
 * when the run is over. A fault still under way at close is ended (the broker restarted, a
 * TaskManager started) so that the system is whole again for its own shutdown.
 */
public final class FaultInjector implements AutoCloseable {
    private final ChaosSchedule schedule;
    private final FaultTarget target;
    private final PrintStream out;
    private final List<Recovery> recoveries = new ArrayList<>();
    private long originNanos;
    private Thread thread;
    private volatile Throwable failure;

    /** @param out where the chaos lines go, or null for none */
    public FaultInjector(ChaosSchedule schedule, FaultTarget target, PrintStream out) {
        this.schedule = schedule;
        this.target = target;
        this.out = out;
        schedule.faults().forEach(f -> recoveries.add(new Recovery(f)));
    }

    /** An injector of no faults. */
    public static FaultInjector none() {
        return new FaultInjector(ChaosSchedule.none(), null, null);
    }

    /** How much longer than usual the run may go without a new version: the planned faults' total length. */
    public Duration plannedDowntime() {
        return schedule.plannedDowntime();
    }

    /** Starts the clock of the schedule at {@code originNanos} ({@link System#nanoTime()}) and the faults' thread. */
    public synchronized void start(long originNanos) {
        if (thread != null) {
            throw new IllegalStateException("started already");
        }
        this.originNanos = originNanos;
        if (schedule.isEmpty()) {
            return;
        }
        thread = new Thread(this::strike, "chaos");
        thread.setDaemon(true);
        thread.start();
    }

    /** The run saw {@code version} published just now. */
    public void versionPublished(long version) {
        long now = System.nanoTime();
        for (Recovery r : recoveries) {
            if (r.recoveredNanos > 0 && r.nextVersion < 0) {
                r.nextVersion = version;
                r.nextVersionNanos = now;
                if (r.tasksRunningSinceMillis < 0) {
                    r.tasksRunningSinceMillis = tasksRunningSince();
                }
                say(r.nextVersionLine());
            }
        }
    }

    /** @throws IllegalStateException if striking or restoring a fault failed (the run cannot go on as planned) */
    public void checkHealthy() {
        Throwable t = failure;
        if (t != null) {
            throw new IllegalStateException("chaos: injecting a fault failed: " + t, t);
        }
    }

    /** One entry per fault, in the schedule's order. */
    public List<Recovery> recoveries() {
        return List.copyOf(recoveries);
    }

    /** How long a lost TaskManager's job may take to run all its tasks again before the injector stops waiting. */
    private static final Duration RESTART_WAIT = Duration.ofMinutes(2);

    private record Step(Recovery fault, boolean start, Duration at) {
        /**
         * Order among steps at the same time: a fault that ends makes room for the next of its
         * kind to start, but a fault of zero length starts before it ends.
         */
        int rank() {
            return start ? 1 : fault.fault.duration().isZero() ? 2 : 0;
        }
    }

    private void strike() {
        List<Step> steps = new ArrayList<>();
        for (Recovery r : recoveries) {
            steps.add(new Step(r, true, r.fault.at()));
            steps.add(new Step(r, false, r.fault.end()));
        }
        steps.sort(Comparator.comparing(Step::at).thenComparingInt(Step::rank));
        try {
            for (Step step : steps) {
                long wait = originNanos + step.at.toNanos() - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                act(step.fault, step.start);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception | Error e) {
            failure = e;
            say("chaos: " + e);
        }
    }

    private void act(Recovery r, boolean start) throws Exception {
        boolean broker = r.fault.kind() == Fault.Kind.BROKER_OUTAGE;
        if (start) {
            r.startedMillis = System.currentTimeMillis();
            r.startedNanos = System.nanoTime();
            if (broker) {
                target.stopBroker();
            } else {
                target.loseTaskManager();
            }
            say(String.format(Locale.ROOT, "chaos: %s at %.1f s", broker ? "broker stopped" : "TaskManager lost", since(r.startedNanos)));
        } else {
            if (broker) {
                target.restartBroker();
            } else {
                target.replaceTaskManager();
            }
            r.endedNanos = System.nanoTime();
            say(String.format(Locale.ROOT, "chaos: %s at %.1f s", broker ? "broker back" : "new TaskManager started",
                    since(r.endedNanos)));
            if (!broker) {
                awaitRestart(r);
            }
            r.recoveredNanos = System.nanoTime();
        }
    }

    /**
     * Waits until the job runs all its tasks again after a TaskManager loss, so that the next
     * version counted is one the restarted job published, not one committed just before the loss
     * and seen just after it.
     */
    private void awaitRestart(Recovery r) throws InterruptedException {
        long deadline = System.nanoTime() + RESTART_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            long since = tasksRunningSince();
            if (since > r.startedMillis) {
                r.tasksRunningSinceMillis = since;
                say(String.format(Locale.ROOT, "chaos: the job's tasks all RUNNING again %.1f s after the loss",
                        (since - r.startedMillis) / 1e3));
                return;
            }
            Thread.sleep(50);
        }
        say("chaos: the job's tasks were not all RUNNING again within " + RESTART_WAIT.toMinutes() + " minutes of the loss");
    }

    private long tasksRunningSince() {
        try {
            return target.allTasksRunningSince();
        } catch (Exception e) {
            return -1;
        }
    }

    private double since(long nanos) {
        return (nanos - originNanos) / 1e9;
    }

    private void say(String line) {
        if (out != null) {
            out.println(line);
        }
    }

    /** Waits for the faults' thread to stop, ending a fault still under way. */
    @Override
    public void close() throws Exception {
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t == null) {
            return;
        }
        t.interrupt();
        t.join(TimeUnit.MINUTES.toMillis(2));
        for (Recovery r : recoveries) {
            if (r.startedNanos > 0 && r.endedNanos == 0) {
                act(r, false);
            }
        }
    }

    /** How one fault went: when it struck and ended, and when the job and the next version were back. */
    public static final class Recovery {
        private final Fault fault;
        private volatile long startedMillis;
        private volatile long startedNanos;
        private volatile long endedNanos;
        /** From when a published version counts as the next one: the end, or after a TaskManager loss the job's restart. */
        private volatile long recoveredNanos;
        private volatile long nextVersion = -1;
        private volatile long nextVersionNanos;
        private volatile long tasksRunningSinceMillis = -1;

        private Recovery(Fault fault) {
            this.fault = fault;
        }

        public Fault fault() {
            return fault;
        }

        /** Whether the fault struck before the run ended. */
        public boolean struck() {
            return startedNanos > 0;
        }

        /** The first version published after the fault ended, -1 if none. */
        public long nextVersion() {
            return nextVersion;
        }

        /** From the fault's end to the next version seen published; null if none was. */
        public Duration nextVersionAfterEnd() {
            return nextVersion < 0 ? null : Duration.ofNanos(nextVersionNanos - endedNanos);
        }

        /** From the fault's start to the next version seen published; null if none was. */
        public Duration nextVersionAfterStart() {
            return nextVersion < 0 ? null : Duration.ofNanos(nextVersionNanos - startedNanos);
        }

        /**
         * From the fault's start until the last of the job's tasks ran again, as seen when the next
         * version was published; null if the job did not restart (its tasks had run since before the fault).
         */
        public Duration jobRestartedAfter() {
            return tasksRunningSinceMillis <= startedMillis ? null : Duration.ofMillis(tasksRunningSinceMillis - startedMillis);
        }

        private String nextVersionLine() {
            Duration restart = jobRestartedAfter();
            String job = restart == null ? "the job did not restart"
                    : String.format(Locale.ROOT, "the job's tasks all RUNNING again %.1f s after the fault", restart.toMillis() / 1e3);
            return String.format(Locale.ROOT, "chaos: next version (%d) %.1f s after the %s %s, %.1f s after the fault; %s",
                    nextVersion, nextVersionAfterEnd().toMillis() / 1e3, fault.kind().subject(),
                    fault.kind() == Fault.Kind.BROKER_OUTAGE ? "was back" : "was replaced",
                    nextVersionAfterStart().toMillis() / 1e3, job);
        }

        /** One line for the run's summary. */
        public String summary() {
            if (!struck()) {
                return fault + ": not injected, the run ended first";
            }
            if (nextVersion < 0) {
                return fault + ": no version published after it";
            }
            Duration restart = jobRestartedAfter();
            return String.format(Locale.ROOT, "%-36s next version %d after %6.1f s from the fault, %5.1f s from its end; job %s",
                    fault, nextVersion, nextVersionAfterStart().toMillis() / 1e3, nextVersionAfterEnd().toMillis() / 1e3,
                    restart == null ? "not restarted" : String.format(Locale.ROOT, "tasks RUNNING %.1f s after the fault",
                            restart.toMillis() / 1e3));
        }
    }
}
