package io.floe.deploy.local;

import io.floe.schema.GlobalModel;
import io.floe.schema.ModelUpdate;
import io.floe.trainer.daemon.LocalTraining;
import java.util.SplittableRandom;

/**
 * A trainer on a simulated device ({@link ClientConditions}): trains for real, then takes the
 * device's simulated time, and with the dropout probability vanishes for the round (returns no
 * update, which {@link io.floe.trainer.daemon.TrainerLoop} treats as a round it did not report).
 * Draws are seeded per (client seed, version), so a run can be replayed.
 */
public final class SimulatedDevice implements LocalTraining {
    private final LocalTraining inner;
    private final long latencyMs;
    private final double dropout;
    private final long seed;

    /** @param slowdown 1 for a normal device, the straggler factor for a straggler */
    public SimulatedDevice(LocalTraining inner, long latencyMs, double slowdown, double dropout, long seed) {
        this.inner = inner;
        this.latencyMs = Math.round(latencyMs * slowdown);
        this.dropout = dropout;
        this.seed = seed;
    }

    @Override
    public ModelUpdate train(GlobalModel base) {
        ModelUpdate update = inner.train(base);
        SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + base.getVersion());
        long wait = Math.round(latencyMs * (0.8 + 0.4 * rnd.nextDouble()));
        boolean dropsOut = rnd.nextDouble() < dropout;
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        return dropsOut ? null : update;
    }
}
