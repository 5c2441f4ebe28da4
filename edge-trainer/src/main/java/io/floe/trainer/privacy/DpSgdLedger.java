package io.floe.trainer.privacy;

import io.floe.core.privacy.PrivacySpent;
import io.floe.core.privacy.RdpAccountant;
import io.floe.trainer.model.DpSgd;
import io.floe.trainer.model.TrainingConfig;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The privacy ledger of one trainer: every DP-SGD round it has trained, composed in Renyi DP by
 * an {@link RdpAccountant} (the same accounting as Opacus), so the site can say what epsilon its
 * records have spent so far at its delta.
 *
 * <p>A round of {@code E} local epochs on {@code n} records with expected batch {@code B} is
 * {@code E ceil(n / B)} steps of the sampled Gaussian mechanism at {@code q = min(1, B / n)}
 * and the round's sigma; steps compose across rounds, whatever the global model in between (the
 * global model is post-processing of what earlier rounds released, plus other sites' data).
 *
 * <p>The ledger lives in memory: a trainer that restarts starts from zero and would understate
 * what its records have already spent. Not thread-safe; one ledger per trainer.
 *
 * <pre>{@code
 * DpSgdLedger ledger = new DpSgdLedger(config);
 * DpSgd dp = ledger.charge(train.size(), roundConfig);   // throws when past the target epsilon
 * network.train(train, roundConfig.withSeed(ledger.roundSeed(version)), dp);
 * double epsilon = ledger.epsilon();
 * }</pre>
 */
public final class DpSgdLedger {
    private static final Logger LOG = LoggerFactory.getLogger(DpSgdLedger.class);
    /** Slack for the budget check, so a run of exactly the planned rounds is not refused for rounding. */
    private static final double BUDGET_SLACK = 1e-9;

    private final DpSgdConfig config;
    private final long secretSeed;
    private final RdpAccountant accountant = new RdpAccountant();
    /** Fixed, or derived from the target epsilon at the first round. */
    private double noiseMultiplier;
    private int rounds;

    public DpSgdLedger(DpSgdConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.secretSeed = config.secretSeed().orElseGet(() -> new SecureRandom().nextLong());
        this.noiseMultiplier = config.noiseMultiplier().orElse(Double.NaN);
    }

    public DpSgdConfig config() {
        return config;
    }

    /**
     * Charges one round of DP-SGD on {@code examples} records trained with {@code round} (its local
     * epochs, and its batch size unless the config sets one) and returns the mechanism to train it
     * with. In target-epsilon mode the first call derives sigma for the planned rounds.
     *
     * @throws PrivacyBudgetExhaustedException when the round would take epsilon past the target;
     *     nothing is charged
     * @throws IllegalArgumentException when no noise multiplier up to 10^6 reaches the target
     */
    public DpSgd charge(int examples, TrainingConfig round) {
        Objects.requireNonNull(round, "round");
        int batch = config.expectedBatchSize().orElse(round.batchSize());
        if (Double.isNaN(noiseMultiplier)) {
            noiseMultiplier = calibrate(examples, batch, round.localEpochs());
        }
        if (rounds == 0 && config.delta() >= 1.0 / examples) {
            LOG.warn("DP-SGD delta {} is not below 1/n = {} for n = {} records: a mechanism that publishes one "
                    + "record outright would meet it; choose delta well below 1/n", config.delta(), 1.0 / examples,
                    examples);
        }
        DpSgd dp = new DpSgd(config.clipNorm(), noiseMultiplier, batch);
        double q = dp.sampleRate(examples);
        long steps = (long) round.localEpochs() * dp.stepsPerEpoch(examples);
        if (config.targetEpsilon().isPresent()) {
            double target = config.targetEpsilon().getAsDouble();
            double projected = copyOfAccountant().step(q, noiseMultiplier, steps).epsilon(config.delta());
            if (projected > target * (1 + BUDGET_SLACK)) {
                throw new PrivacyBudgetExhaustedException(String.format(
                        "privacy budget exhausted: round %d (%d steps at q = %.4g, sigma = %.4g) would bring epsilon "
                                + "from %.4g to %.4g, past the target %.4g at delta %.3g (planned %d rounds)",
                        rounds + 1, steps, q, noiseMultiplier, epsilon(), projected, target, config.delta(),
                        config.plannedRounds()), epsilon(), projected, target);
            }
        }
        accountant.step(q, noiseMultiplier, steps);
        rounds++;
        return dp;
    }

    /**
     * The seed of the sampling and noise of the round trained from global version {@code version}:
     * derived from the secret, so it is as secret as the secret; the same version gives the same
     * seed, hence the same update from the same base and data.
     */
    public long roundSeed(long version) {
        return new SplittableRandom(secretSeed + 0x9E3779B97F4A7C15L * version).nextLong();
    }

    /** Epsilon spent so far at the config's delta; 0 before the first round. */
    public double epsilon() {
        return rounds == 0 ? 0.0 : spent().epsilon();
    }

    /** (epsilon, delta) spent so far, with the RDP order that gives it. */
    public PrivacySpent spent() {
        return accountant.privacySpent(config.delta());
    }

    /** Sigma in use: the fixed one, or the one derived at the first round; empty before it in target mode. */
    public OptionalDouble noiseMultiplier() {
        return Double.isNaN(noiseMultiplier) ? OptionalDouble.empty() : OptionalDouble.of(noiseMultiplier);
    }

    /** Rounds charged so far. */
    public int rounds() {
        return rounds;
    }

    /** DP-SGD steps charged so far, over all rounds. */
    public long steps() {
        return accountant.steps();
    }

    private double calibrate(int examples, int batch, int localEpochs) {
        DpSgd probe = new DpSgd(config.clipNorm(), 0.0, batch);
        double q = probe.sampleRate(examples);
        long plannedSteps = (long) config.plannedRounds() * localEpochs * probe.stepsPerEpoch(examples);
        double target = config.targetEpsilon().getAsDouble();
        double sigma;
        try {
            sigma = RdpAccountant.noiseMultiplier(target, config.delta(), q, plannedSteps);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot reach DP-SGD target epsilon " + target + " at delta "
                    + config.delta() + " with " + plannedSteps + " steps at q = " + q + ": " + e.getMessage(), e);
        }
        LOG.info("DP-SGD: noise multiplier {} for epsilon {} at delta {} over {} planned rounds ({} steps at q = {})",
                sigma, target, config.delta(), config.plannedRounds(), plannedSteps, q);
        return sigma;
    }

    private RdpAccountant copyOfAccountant() {
        RdpAccountant copy = new RdpAccountant();
        for (RdpAccountant.Phase p : accountant.phases()) {
            copy.step(p.sampleRate(), p.noiseMultiplier(), p.steps());
        }
        return copy;
    }
}
