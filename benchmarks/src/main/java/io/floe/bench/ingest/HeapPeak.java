package io.floe.bench.ingest;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The most heap this JVM has had in use: the larger of the heap in use just before each garbage
 * collection (summed over the heap pools, from GC notifications: the true peaks, which come right
 * before a collection) and a 10 ms sample of the heap in use (for peaks no collection followed).
 * The collector lets garbage fill the heap before it runs, so this peak says how much heap the JVM
 * used, at most; the most left right after a collection ({@link #maxAfterGcBytes}) is closer to
 * what the job needed.
 */
final class HeapPeak {
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong liveAfterGc = new AtomicLong();
    private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());

    static HeapPeak start() {
        HeapPeak h = new HeapPeak();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener((n, hb) -> {
                    if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                        long before = 0;
                        for (var e : info.getGcInfo().getMemoryUsageBeforeGc().entrySet()) {
                            if (h.heapPools.contains(e.getKey())) {
                                before += e.getValue().getUsed();
                            }
                        }
                        h.peak.accumulateAndGet(before, Math::max);
                        long after = 0;
                        for (var e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                            if (h.heapPools.contains(e.getKey())) {
                                after += e.getValue().getUsed();
                            }
                        }
                        h.liveAfterGc.accumulateAndGet(after, Math::max);
                    }
                }, null, null);
            }
        }
        Thread sampler = new Thread(() -> {
            while (true) {
                MemoryUsage u = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
                h.peak.accumulateAndGet(u.getUsed(), Math::max);
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-peak");
        sampler.setDaemon(true);
        sampler.start();
        return h;
    }

    long peakBytes() {
        peak.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
        return peak.get();
    }

    /** The most heap left in use right after a collection: the largest live set (and what the collection could not free yet). */
    long maxAfterGcBytes() {
        return liveAfterGc.get();
    }

    static long maxBytes() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
    }
}
