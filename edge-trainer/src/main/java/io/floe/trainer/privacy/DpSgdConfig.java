package io.floe.trainer.privacy;

import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * How a trainer runs DP-SGD on its own records (sample-level DP inside one site): the clipping
 * norm {@code C}, and either a fixed noise multiplier {@code sigma} or a target
 * {@code (epsilon, delta)} from which {@code sigma} is derived.
 *
 * <p><b>Target-epsilon mode</b> spends the budget over a planned number of rounds: at the first
 * round the site picks the smallest {@code sigma} with
 * {@code RdpAccountant.noiseMultiplier(epsilon, delta, q, T) }, where {@code q = B / n} and
 * {@code T = plannedRounds x localEpochs x ceil(n / B)}, taking {@code localEpochs} and (unless
 * set here) {@code B} from that round's training config, as Opacus's
 * {@code make_private_with_epsilon} does for a planned number of epochs. If the coordinator later
 * asks for more local epochs, or the site for more rounds than planned, the budget runs out
 * sooner: the ledger refuses the round that would exceed it ({@link PrivacyBudgetExhaustedException}).
 *
 * <p>The Poisson sampling and the noise are seeded from a secret: by default drawn from
 * {@link java.security.SecureRandom} when the ledger is created, so no two runs match. An
 * explicit {@link Builder#secretSeed} makes runs reproducible for tests and experiments; whoever
 * knows it can subtract the noise, so it must not be shared.
 *
 * <pre>{@code
 * DpSgdConfig dp = DpSgdConfig.builder()
 *         .clipNorm(1.0)
 *         .targetEpsilon(4.0).delta(1e-5).plannedRounds(20)
 *         .build();
 * }</pre>
 */
public final class DpSgdConfig {
    public static final double DEFAULT_DELTA = 1e-5;

    private final double clipNorm;
    private final double noiseMultiplier;
    private final double targetEpsilon;
    private final double delta;
    private final int plannedRounds;
    private final int expectedBatchSize;
    private final Long secretSeed;

    private DpSgdConfig(Builder b) {
        this.clipNorm = b.clipNorm;
        this.noiseMultiplier = b.noiseMultiplier;
        this.targetEpsilon = b.targetEpsilon;
        this.delta = b.delta;
        this.plannedRounds = b.plannedRounds;
        this.expectedBatchSize = b.expectedBatchSize;
        this.secretSeed = b.secretSeed;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code C}: each example's gradient is clipped to this L2 norm. */
    public double clipNorm() {
        return clipNorm;
    }

    /** The fixed {@code sigma}; empty in target-epsilon mode. */
    public OptionalDouble noiseMultiplier() {
        return Double.isNaN(noiseMultiplier) ? OptionalDouble.empty() : OptionalDouble.of(noiseMultiplier);
    }

    /** The epsilon to stay within over the planned rounds; empty when sigma is fixed. */
    public OptionalDouble targetEpsilon() {
        return Double.isNaN(targetEpsilon) ? OptionalDouble.empty() : OptionalDouble.of(targetEpsilon);
    }

    /** The delta at which epsilon is reported (and targeted). */
    public double delta() {
        return delta;
    }

    /** Rounds the target epsilon is spread over; 0 when sigma is fixed. */
    public int plannedRounds() {
        return plannedRounds;
    }

    /** {@code B}; empty to use the batch size of the round's training config. */
    public OptionalInt expectedBatchSize() {
        return expectedBatchSize == 0 ? OptionalInt.empty() : OptionalInt.of(expectedBatchSize);
    }

    /** The secret seed; empty to draw one from {@link java.security.SecureRandom}. */
    public OptionalLong secretSeed() {
        return secretSeed == null ? OptionalLong.empty() : OptionalLong.of(secretSeed);
    }

    @Override
    public String toString() {
        String noise = targetEpsilon().isPresent()
                ? "target epsilon " + targetEpsilon + " over " + plannedRounds + " rounds"
                : "noise multiplier " + noiseMultiplier;
        return "DP-SGD[clip norm " + clipNorm + ", " + noise + ", delta " + delta + ", expected batch "
                + (expectedBatchSize == 0 ? "from the round" : expectedBatchSize) + "]";
    }

    /** Builds a {@link DpSgdConfig}; each setter checks its argument, {@link #build} the combination. */
    public static final class Builder {
        private double clipNorm = Double.NaN;
        private double noiseMultiplier = Double.NaN;
        private double targetEpsilon = Double.NaN;
        private double delta = DEFAULT_DELTA;
        private int plannedRounds;
        private int expectedBatchSize;
        private Long secretSeed;

        private Builder() {
        }

        /**
         * {@code C > 0}; required. Abadi et al. 2016 suggest the median of the unclipped gradient
         * norms over training.
         */
        public Builder clipNorm(double clipNorm) {
            if (!(clipNorm > 0) || Double.isInfinite(clipNorm)) {
                throw new IllegalArgumentException("DP-SGD clip norm must be positive and finite, got " + clipNorm);
            }
            this.clipNorm = clipNorm;
            return this;
        }

        /** A fixed {@code sigma > 0}; excludes {@link #targetEpsilon}. */
        public Builder noiseMultiplier(double noiseMultiplier) {
            if (!(noiseMultiplier > 0) || Double.isInfinite(noiseMultiplier)) {
                throw new IllegalArgumentException("DP-SGD noise multiplier must be positive and finite (0 gives no "
                        + "privacy), got " + noiseMultiplier);
            }
            this.noiseMultiplier = noiseMultiplier;
            return this;
        }

        /** The epsilon to reach after {@link #plannedRounds} rounds; excludes {@link #noiseMultiplier}. */
        public Builder targetEpsilon(double targetEpsilon) {
            if (!(targetEpsilon > 0) || Double.isInfinite(targetEpsilon)) {
                throw new IllegalArgumentException("DP-SGD target epsilon must be positive and finite, got "
                        + targetEpsilon);
            }
            this.targetEpsilon = targetEpsilon;
            return this;
        }

        /** In (0, 1), and below 1/n for n local records; default {@value DpSgdConfig#DEFAULT_DELTA}. */
        public Builder delta(double delta) {
            if (!(delta > 0 && delta < 1)) {
                throw new IllegalArgumentException("DP-SGD delta must be in (0, 1), typically below 1/n for n records, "
                        + "got " + delta);
            }
            this.delta = delta;
            return this;
        }

        /** Rounds this site plans to train in; required with {@link #targetEpsilon}. */
        public Builder plannedRounds(int plannedRounds) {
            if (plannedRounds < 1) {
                throw new IllegalArgumentException("DP-SGD planned rounds must be >= 1, got " + plannedRounds);
            }
            this.plannedRounds = plannedRounds;
            return this;
        }

        /** {@code B >= 1}; by default the batch size the global model's training config asks for. */
        public Builder expectedBatchSize(int expectedBatchSize) {
            if (expectedBatchSize < 1) {
                throw new IllegalArgumentException("DP-SGD expected batch size must be >= 1, got " + expectedBatchSize);
            }
            this.expectedBatchSize = expectedBatchSize;
            return this;
        }

        /** Seeds sampling and noise for reproducible runs; keep it secret, or the noise can be removed. */
        public Builder secretSeed(long secretSeed) {
            this.secretSeed = secretSeed;
            return this;
        }

        /**
         * @throws IllegalArgumentException when C is missing, or not exactly one of noise
         *     multiplier and target epsilon is set, or planned rounds do not match the mode
         */
        public DpSgdConfig build() {
            if (Double.isNaN(clipNorm)) {
                throw new IllegalArgumentException("DP-SGD needs a clip norm C: set clipNorm(C), e.g. 1.0");
            }
            boolean fixed = !Double.isNaN(noiseMultiplier);
            boolean target = !Double.isNaN(targetEpsilon);
            if (fixed && target) {
                throw new IllegalArgumentException("DP-SGD noise multiplier and target epsilon are mutually exclusive: "
                        + "give a noise multiplier, or a target epsilon (with planned rounds) to derive one from");
            }
            if (!fixed && !target) {
                throw new IllegalArgumentException("DP-SGD needs a noise multiplier, or a target epsilon with planned "
                        + "rounds to derive one from");
            }
            if (target && plannedRounds == 0) {
                throw new IllegalArgumentException("DP-SGD target epsilon " + targetEpsilon + " needs the number of "
                        + "planned rounds it is spread over: set plannedRounds(R)");
            }
            if (fixed && plannedRounds != 0) {
                throw new IllegalArgumentException("DP-SGD planned rounds only apply to a target epsilon; with a fixed "
                        + "noise multiplier epsilon simply grows with each round and is reported in the update");
            }
            return new DpSgdConfig(this);
        }
    }
}
