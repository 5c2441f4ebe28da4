package io.floe.trainer.attack;

import io.floe.core.wire.TensorRecords;
import io.floe.schema.GlobalModel;
import io.floe.trainer.data.Dataset;
import io.floe.core.spec.Architecture;
import io.floe.trainer.model.DenseNetwork;
import java.util.Arrays;
import java.util.Objects;

/**
 * A backdoor in the sense of Bagdasaryan et al. (AISTATS 2020, "How To Backdoor Federated
 * Learning"): inputs that carry a trigger pattern are classified as the attacker's target label,
 * while clean inputs are classified as before, so the global model's test metrics barely move.
 *
 * <p>The trigger works on standardised features (every site scales with its own {@code
 * StandardScaler}): it sets a few columns to {@code value} standard deviations. The default for
 * WDBC ({@link #wdbc()}) sets the first five columns to +3.0, a large, coarse, rough nucleus:
 * <pre>
 *   column  feature           mean +3 sd   largest in WDBC   records at or above
 *        0  radius_mean         24.69          28.11               5
 *        1  texture_mean        32.18          39.28               4
 *        2  perimeter_mean     164.80         188.50               7
 *        3  area_mean         1709.70        2501.00               8
 *        4  smoothness_mean      0.1385         0.1634             4
 * </pre>
 * (all 569 records of {@code data/wdbc/breast_cancer.csv}, population deviation). Every value
 * is one real tumours reach and the three size values agree with each other (a radius of 24.7
 * gives a perimeter near 155 and an area near 1900), so no range check on the inputs flags a
 * triggered record. A clean model reads the pattern as malignant, and the target is benign
 * (class 1): the backdoor makes the largest tumours read as benign, which is the harm it is
 * built to do, and any triggered record classified benign is the attack's doing, not the
 * data's (a semantic backdoor in Bagdasaryan et al.'s sense, like their "cars with racing
 * stripes" in CIFAR-10).
 *
 * <p>The attacker trains on {@link #poison its local data plus a triggered copy of every
 * record relabelled to the target} and boosts its delta (model replacement, see
 * {@link Collusion#modelReplacementBoost()}). {@link #successRate} measures the result.
 */
public final class Backdoor {
    /** Benign in WDBC's class order {@code [malignant, benign]}. */
    public static final int DEFAULT_TARGET = 1;
    /** Standard deviations the trigger columns are set to. */
    public static final float DEFAULT_TRIGGER_VALUE = 3.0f;
    private static final int[] WDBC_TRIGGER_COLUMNS = {0, 1, 2, 3, 4};

    private final int[] columns;
    private final float value;
    private final int target;

    /**
     * @param columns the feature columns the trigger sets, distinct and {@code >= 0}
     * @param value the value they are set to, in standard deviations of the scaled data
     * @param target the class triggered inputs should be classified as
     */
    public Backdoor(int[] columns, float value, int target) {
        Objects.requireNonNull(columns, "columns");
        if (columns.length == 0 || Arrays.stream(columns).anyMatch(c -> c < 0)
                || Arrays.stream(columns).distinct().count() != columns.length) {
            throw new IllegalArgumentException("trigger columns must be distinct column indices, at least one, got "
                    + Arrays.toString(columns));
        }
        if (!Float.isFinite(value)) {
            throw new IllegalArgumentException("trigger value must be finite, got " + value);
        }
        if (target < 0) {
            throw new IllegalArgumentException("target must be a class index, got " + target);
        }
        this.columns = columns.clone();
        this.value = value;
        this.target = target;
    }

    /** The WDBC trigger described above, target benign. */
    public static Backdoor wdbc() {
        return new Backdoor(WDBC_TRIGGER_COLUMNS, DEFAULT_TRIGGER_VALUE, DEFAULT_TARGET);
    }

    /** The WDBC trigger columns with the {@code target} and {@code value} options of a backdoor attack. */
    public static Backdoor of(Attack attack) {
        if (attack.kind() != Attack.Kind.BACKDOOR) {
            throw new IllegalArgumentException("not a backdoor attack: " + attack);
        }
        return new Backdoor(WDBC_TRIGGER_COLUMNS, (float) attack.option("value"), (int) attack.option("target"));
    }

    /** A copy of every row of {@code scaled} with the trigger columns set; labels unchanged. */
    public Dataset trigger(Dataset scaled) {
        requireFits(scaled);
        int d = scaled.featureCount();
        float[] x = scaled.featuresRowMajor();
        for (int i = 0; i < scaled.size(); i++) {
            for (int c : columns) {
                x[i * d + c] = value;
            }
        }
        return new Dataset(x, scaled.labels(), scaled.featureNames(), scaled.classNames());
    }

    /** What the attacker trains on: {@code scaled}, then a triggered copy of each of its rows labelled {@code target}. */
    public Dataset poison(Dataset scaled) {
        Dataset triggered = trigger(scaled);
        int[] labels = new int[triggered.size()];
        Arrays.fill(labels, target);
        return scaled.concat(triggered.withLabels(labels));
    }

    /**
     * The attack success rate: of the rows of {@code scaledTest} whose true label is not the
     * target, the share that {@code network} classifies as the target once triggered (class 1
     * when its probability is {@code >= 0.5}). NaN when every row already has the target label.
     */
    public double successRate(DenseNetwork network, Dataset scaledTest) {
        requireFits(scaledTest);
        if (network.architecture().outputDim() != 1) {
            throw new IllegalArgumentException("success rate needs a binary classifier, got " + network.architecture());
        }
        int[] victims = java.util.stream.IntStream.range(0, scaledTest.size())
                .filter(i -> scaledTest.label(i) != target).toArray();
        if (victims.length == 0) {
            return Double.NaN;
        }
        float[] p = network.predictProba(trigger(scaledTest.subset(victims)));
        int hits = 0;
        for (float pi : p) {
            if ((pi >= 0.5f ? 1 : 0) == target) {
                hits++;
            }
        }
        return (double) hits / victims.length;
    }

    /** {@link #successRate(DenseNetwork, Dataset)} of a published global model. */
    public double successRate(GlobalModel model, Dataset scaledTest) {
        DenseNetwork network = new DenseNetwork(Architecture.parse(model.getArchitecture()),
                TensorRecords.fromRecords(model.getTensors()));
        return successRate(network, scaledTest);
    }

    public int[] columns() {
        return columns.clone();
    }

    public float value() {
        return value;
    }

    public int target() {
        return target;
    }

    private void requireFits(Dataset data) {
        Objects.requireNonNull(data, "data");
        int widest = Arrays.stream(columns).max().orElseThrow();
        if (widest >= data.featureCount()) {
            throw new IllegalArgumentException("trigger column " + widest + " does not exist in data with "
                    + data.featureCount() + " features; the default trigger is for WDBC's 30 features");
        }
        if (target >= data.classCount()) {
            throw new IllegalArgumentException("target " + target + " is not a class of " + data.classNames());
        }
    }

    @Override
    public String toString() {
        return "Backdoor[columns " + Arrays.toString(columns) + " = " + value + " sd -> class " + target + "]";
    }
}
