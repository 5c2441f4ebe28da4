package io.floe.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class KernelThreadsTest {

    @Test
    void splitsOnlyWhenEachTaskGetsEnoughWork() {
        // Execute / Assert
        assertThat(KernelThreads.taskCount(1000, 100, 8)).isEqualTo(1);
        assertThat(KernelThreads.taskCount(KernelThreads.MIN_ELEMENTS_PER_TASK * 3, 100, 8)).isEqualTo(3);
        assertThat(KernelThreads.taskCount(KernelThreads.MIN_ELEMENTS_PER_TASK * 100, 100, 2)).isEqualTo(2);
        assertThat(KernelThreads.taskCount(KernelThreads.MIN_ELEMENTS_PER_TASK * 100, 3, 8)).isEqualTo(3);
    }

    @Test
    void rangesCoverEveryUnitOnce() {
        // Execute / Assert
        assertThat(KernelThreads.rangeStart(10, 3, 0)).isZero();
        assertThat(KernelThreads.rangeStart(10, 3, 1)).isEqualTo(3);
        assertThat(KernelThreads.rangeStart(10, 3, 2)).isEqualTo(6);
        assertThat(KernelThreads.rangeStart(10, 3, 3)).isEqualTo(10);
    }

    @Test
    void runsEveryTaskAndRethrowsAFailure() {
        // Prepare
        AtomicIntegerArray ran = new AtomicIntegerArray(4);

        // Execute
        KernelThreads.forEachTask(4, ran::incrementAndGet);

        // Assert
        for (int t = 0; t < 4; t++) {
            assertThat(ran.get(t)).isEqualTo(1);
        }
        assertThatThrownBy(() -> KernelThreads.forEachTask(3, t -> {
            if (t == 2) {
                throw new IllegalStateException("task 2 failed");
            }
        })).hasMessageContaining("task 2 failed");
    }
}
