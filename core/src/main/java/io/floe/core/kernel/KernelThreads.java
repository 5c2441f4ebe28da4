package io.floe.core.kernel;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.function.IntConsumer;

/**
 * The threads the kernels split large inputs over: one small pool shared by every caller, as
 * many threads as the JVM sees processors, so concurrent aggregations (several Flink slots in
 * one task manager) share the cores instead of multiplying threads.
 *
 * <p>Work below {@link #MIN_ELEMENTS_PER_TASK} elements per task runs on the calling thread:
 * handing a block range to another thread costs microseconds, and a few hundred thousand
 * elements take about that long. The default thread count is the number of processors, or the
 * system property {@code floe.kernel.threads} when set (1 turns splitting off). Idle pool
 * threads exit after the pool's one-minute keep-alive, so a finished Flink job does not keep its
 * class loader alive through them.
 */
final class KernelThreads {
    /** Fewer elements than this per task are not worth a hand-off to another thread. */
    static final long MIN_ELEMENTS_PER_TASK = 1L << 19;

    private static volatile ForkJoinPool pool;

    private KernelThreads() {
    }

    /** {@code floe.kernel.threads} when set to a positive number, else the processor count. */
    static int defaultMaxThreads() {
        Integer configured = Integer.getInteger("floe.kernel.threads");
        return configured != null && configured > 0 ? configured : Runtime.getRuntime().availableProcessors();
    }

    static int checkThreads(int maxThreads) {
        if (maxThreads < 1) {
            throw new IllegalArgumentException("maxThreads must be at least 1, was " + maxThreads);
        }
        return maxThreads;
    }

    /**
     * How many tasks to split {@code units} independent pieces of work into, given their total
     * {@code elements}: at most {@code maxThreads}, at most {@code units}, and each with at least
     * {@link #MIN_ELEMENTS_PER_TASK} elements.
     */
    static int taskCount(long elements, int units, int maxThreads) {
        long bySize = Math.max(1, elements / MIN_ELEMENTS_PER_TASK);
        return (int) Math.max(1, Math.min(Math.min(maxThreads, units), bySize));
    }

    /** First unit of task {@code task} when {@code units} are split into {@code tasks} contiguous ranges. */
    static int rangeStart(int units, int tasks, int task) {
        return (int) ((long) units * task / tasks);
    }

    /** Runs {@code body} for tasks 0..tasks-1: task 0 on the calling thread, the rest on the pool. */
    static void forEachTask(int tasks, IntConsumer body) {
        if (tasks <= 1) {
            body.accept(0);
            return;
        }
        ForkJoinPool p = pool();
        ForkJoinTask<?>[] forked = new ForkJoinTask<?>[tasks];
        for (int t = 1; t < tasks; t++) {
            int task = t;
            forked[t] = p.submit(() -> body.accept(task));
        }
        RuntimeException failure = null;
        try {
            body.accept(0);
        } catch (RuntimeException e) {
            failure = e;
        }
        // join every task even after a failure, so none still writes into the caller's arrays
        for (int t = tasks - 1; t >= 1; t--) {
            try {
                forked[t].join();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static ForkJoinPool pool() {
        ForkJoinPool p = pool;
        if (p == null) {
            synchronized (KernelThreads.class) {
                p = pool;
                if (p == null) {
                    p = new ForkJoinPool(Runtime.getRuntime().availableProcessors(), KernelThreads::newThread, null, false);
                    pool = p;
                }
            }
        }
        return p;
    }

    private static ForkJoinWorkerThread newThread(ForkJoinPool p) {
        ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
        t.setName("floe-kernel-" + t.getPoolIndex());
        t.setDaemon(true);
        return t;
    }
}
