package io.floe.deploy.local;

import io.floe.core.wire.WireCodec;
import io.floe.schema.DeadLetter;
import io.floe.schema.GlobalModel;
import java.time.Duration;
import java.util.List;

/** Waits, in the integration tests, for what the job commits: a model's version, a number of dead letters. */
final class CommittedWait {
    private CommittedWait() {
    }

    /** Every committed version of {@code modelId} on the models topic, oldest first. */
    static List<GlobalModel> models(EmbeddedFloe floe, String modelId) {
        return CommittedRecords.read(floe.bootstrapServers(), floe.topics().models(), Duration.ofSeconds(10)).stream()
                .map(r -> WireCodec.GLOBAL_MODEL.decode(r.value())).filter(m -> m.getModelId().equals(modelId)).toList();
    }

    /** Version {@code version} of {@code modelId} once committed; fails after {@code wait}. */
    static GlobalModel version(EmbeddedFloe floe, String modelId, long version, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            for (GlobalModel m : models(floe, modelId)) {
                if (m.getVersion() == version) {
                    return m;
                }
            }
            Thread.sleep(300);
        }
        throw new AssertionError("version " + version + " of " + modelId + " not committed within " + wait);
    }

    /** The committed dead letters once there are at least {@code count}; fails after {@code wait}. */
    static List<DeadLetter> deadLetters(EmbeddedFloe floe, int count, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        List<DeadLetter> letters = List.of();
        while (System.nanoTime() < deadline) {
            letters = CommittedRecords.read(floe.bootstrapServers(), floe.topics().deadLetter(), Duration.ofSeconds(10)).stream()
                    .map(r -> WireCodec.DEAD_LETTER.decode(r.value())).toList();
            if (letters.size() >= count) {
                return letters;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("only " + letters.size() + " dead letters within " + wait + ": " + letters);
    }
}
