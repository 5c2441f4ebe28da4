package io.floe.trainer.attack;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.wire.TensorRecords;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelUpdate;
import io.floe.trainer.daemon.LocalTraining;
import io.floe.trainer.daemon.NetworkTraining;
import io.floe.trainer.data.Dataset;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A site that attacks: it trains like an honest {@link NetworkTraining} on its own data (poisoned
 * first for {@code label-flip} and {@code backdoor}), then replaces the delta by the one its
 * {@link Attack} prescribes. Everything else in the update (updateId, numExamples, local steps,
 * validation metrics) is what the honest training reports, so only the delta can give the
 * attacker away.
 *
 * <p>Call order per round: {@link #train} runs the honest training, then the attack; for
 * {@code alie} it blocks in {@link Collusion#share} until the other attackers of the round
 * arrive (or the collusion's timeout passes). Not thread-safe: one instance per trainer thread,
 * one {@link Collusion} shared by all attackers of a run.
 *
 * <p>{@code
 * Collusion collusion = new Collusion(hospitals, byzantine);
 * LocalTraining training = i < byzantine
 *         ? new AttackingTraining(clientId, data, seed, Attack.parse(name), collusion)
 *         : new NetworkTraining(clientId, data, NetworkTraining.DEFAULT_VALIDATION_FRACTION, seed);
 * }
 */
public final class AttackingTraining implements LocalTraining {
    private static final Logger LOG = LoggerFactory.getLogger(AttackingTraining.class);

    private final String clientId;
    private final long seed;
    private final Attack attack;
    private final Collusion collusion;
    private final NetworkTraining honest;
    /** ALIE's z, or the boost of scale and backdoor; unused by the other attacks. */
    private final double strength;

    /** An attacker with {@link NetworkTraining#DEFAULT_VALIDATION_FRACTION} of its data held out. */
    public AttackingTraining(String clientId, Dataset localData, long seed, Attack attack, Collusion collusion) {
        this(clientId, localData, NetworkTraining.DEFAULT_VALIDATION_FRACTION, seed, attack, collusion);
    }

    /**
     * @param clientId the attacker's client id
     * @param localData the attacker's own records (unscaled, as for {@link NetworkTraining})
     * @param validationFraction the share held out for the reported metrics
     * @param seed seeds the split and training as for {@link NetworkTraining}, and the random attacks
     * @param attack what to send
     * @param collusion the federation size and attacker count ({@code n}, {@code f}) and, for ALIE,
     *     where the attackers meet; one instance shared by all attackers of a run
     * @throws IllegalArgumentException when the attack cannot work here, e.g. ALIE with a majority of
     *     attackers and no explicit {@code z}, or a backdoor trigger outside the data's columns
     */
    public AttackingTraining(String clientId, Dataset localData, double validationFraction, long seed, Attack attack,
            Collusion collusion) {
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.seed = seed;
        this.attack = Objects.requireNonNull(attack, "attack");
        this.collusion = Objects.requireNonNull(collusion, "collusion");
        this.strength = switch (attack.kind()) {
            case ALIE -> attack.isSet("z") ? attack.option("z")
                    : LittleIsEnough.zMax(collusion.clients(), collusion.attackers());
            case BACKDOOR -> attack.isSet("boost") ? attack.option("boost") : collusion.modelReplacementBoost();
            case SCALE -> attack.option("boost");
            case SIGN_FLIP -> attack.option("factor");
            case FREE_RIDER -> attack.option("noise");
            case GAUSSIAN, LABEL_FLIP -> Double.NaN;
        };
        this.honest = new NetworkTraining(clientId, localData, validationFraction, seed, poisoning(attack));
        LOG.info("{} attacks with {} ({} of {} clients attack)", clientId, attack, collusion.attackers(),
                collusion.clients());
    }

    private static UnaryOperator<Dataset> poisoning(Attack attack) {
        return switch (attack.kind()) {
            case LABEL_FLIP -> DataPoisoning::flipLabels;
            case BACKDOOR -> Backdoor.of(attack)::poison;
            default -> UnaryOperator.identity();
        };
    }

    @Override
    public ModelUpdate train(GlobalModel base) {
        ModelUpdate update = honest.train(base);
        ModelWeights delta = TensorRecords.fromRecords(update.getTensors());
        ModelWeights sent = switch (attack.kind()) {
            case SIGN_FLIP -> ModelPoisoning.scaled(delta, -strength);
            case SCALE, BACKDOOR -> ModelPoisoning.scaled(delta, strength);
            case GAUSSIAN -> ModelPoisoning.gaussianOfNorm(delta, roundSeed(base));
            case LABEL_FLIP -> delta;
            case FREE_RIDER -> ModelPoisoning.freeRide(delta, strength, roundSeed(base));
            case ALIE -> {
                Collusion.Statistics pooled = collusion.share(base.getModelId(), base.getVersion(), clientId,
                        ModelPoisoning.flatten(delta));
                yield ModelPoisoning.withValues(delta, LittleIsEnough.craft(pooled, strength));
            }
        };
        return ModelUpdate.newBuilder(update).setTensors(TensorRecords.toRecords(sent)).build();
    }

    /** A seed of its own for each (model, client, version), for the random attacks. */
    private long roundSeed(GlobalModel base) {
        String source = "attack|" + base.getModelId() + "|" + clientId + "|" + base.getVersion() + "|" + seed;
        return UUID.nameUUIDFromBytes(source.getBytes(StandardCharsets.UTF_8)).getMostSignificantBits();
    }

    public Attack attack() {
        return attack;
    }

    /** Rows of the attacker's own local training part: the numExamples it claims. */
    public int trainingExamples() {
        return honest.trainingExamples();
    }
}
