package io.floe.trainer.model;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shape of a model, written as a short descriptor that every party of a federation agrees on:
 * {@code logreg(D)} or {@code mlp(D,H1,...,K)}.
 *
 * <ul>
 *   <li>{@code logreg(D)}: logistic regression, one dense layer {@code D -> 1} and a sigmoid.</li>
 *   <li>{@code mlp(D,H1,...,K)}: dense layers {@code D -> H1 -> ... -> K}, ReLU between them and
 *       a sigmoid on the {@code K} outputs. {@code mlp(D,1)} is the same function as
 *       {@code logreg(D)} under another name. Binary classification uses {@code K = 1}.</li>
 * </ul>
 *
 * <p>Layer {@code i} (from 0) owns two tensors, in this order: {@code dense{i}.W} of shape
 * {@code [in, out]} and {@code dense{i}.b} of shape {@code [out]}, so {@code y = x W + b} for a
 * row vector {@code x}. That name and order is the wire layout of {@link ModelWeights}: a delta
 * from a site with another architecture fails {@link #accepts} before it can be averaged.
 *
 * <p>{@code
 * Architecture arch = Architecture.parse("mlp(30,16,1)");
 * ModelWeights w0 = arch.initialWeights(42);
 * }
 */
public final class Architecture {
    private static final Pattern DESCRIPTOR = Pattern.compile("\\s*([A-Za-z]+)\\s*\\(([^()]*)\\)\\s*");
    private static final String USAGE = "expected logreg(D) or mlp(D,H1,...,K) with positive sizes, e.g. mlp(30,16,1)";

    private final boolean logisticRegression;
    private final int[] sizes;

    private Architecture(boolean logisticRegression, int[] sizes) {
        this.logisticRegression = logisticRegression;
        this.sizes = sizes;
    }

    /** {@code logreg(inputDim)}. */
    public static Architecture logisticRegression(int inputDim) {
        requirePositive(new int[] {inputDim});
        return new Architecture(true, new int[] {inputDim, 1});
    }

    /** {@code mlp(sizes[0], ..., sizes[last])}: input width, hidden widths, output width. */
    public static Architecture mlp(int... sizes) {
        if (sizes.length < 2) {
            throw new IllegalArgumentException("an mlp needs an input and an output size, got "
                    + Arrays.toString(sizes) + "; " + USAGE);
        }
        requirePositive(sizes);
        return new Architecture(false, sizes.clone());
    }

    /**
     * Parses a descriptor; spaces are ignored and the kind is case-insensitive.
     *
     * @throws IllegalArgumentException naming the problem, e.g. {@code "mlp(30,0,1)": sizes must be positive}
     */
    public static Architecture parse(String descriptor) {
        if (descriptor == null) {
            throw new IllegalArgumentException("architecture descriptor is null; " + USAGE);
        }
        Matcher m = DESCRIPTOR.matcher(descriptor);
        if (!m.matches()) {
            throw new IllegalArgumentException("cannot parse architecture '" + descriptor + "'; " + USAGE);
        }
        String kind = m.group(1).toLowerCase(java.util.Locale.ROOT);
        String[] parts = m.group(2).split(",", -1);
        int[] sizes = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                sizes[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("architecture '" + descriptor + "': size " + (i + 1) + " '"
                        + parts[i].trim() + "' is not an integer; " + USAGE);
            }
        }
        try {
            switch (kind) {
                case "logreg":
                    if (sizes.length != 1) {
                        throw new IllegalArgumentException("logreg takes exactly one size, the input dimension");
                    }
                    return logisticRegression(sizes[0]);
                case "mlp":
                    return mlp(sizes);
                default:
                    throw new IllegalArgumentException("unknown model kind '" + m.group(1) + "'");
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("architecture '" + descriptor + "': " + e.getMessage()
                    + (e.getMessage().contains(USAGE) ? "" : "; " + USAGE), e);
        }
    }

    private static void requirePositive(int[] sizes) {
        for (int s : sizes) {
            if (s < 1) {
                throw new IllegalArgumentException("sizes must be positive, got " + Arrays.toString(sizes));
            }
        }
    }

    public int inputDim() {
        return sizes[0];
    }

    public int outputDim() {
        return sizes[sizes.length - 1];
    }

    /** Number of dense layers (weight matrices). */
    public int layerCount() {
        return sizes.length - 1;
    }

    /** Widths from input to output: {@code [D, H1, ..., K]}. */
    public int[] layerSizes() {
        return sizes.clone();
    }

    /** {@code dense{layer}.W}. */
    public static String weightName(int layer) {
        return "dense" + layer + ".W";
    }

    /** {@code dense{layer}.b}. */
    public static String biasName(int layer) {
        return "dense" + layer + ".b";
    }

    /** Total number of scalar parameters. */
    public long parameterCount() {
        long n = 0;
        for (int i = 0; i < layerCount(); i++) {
            n += (long) sizes[i] * sizes[i + 1] + sizes[i + 1];
        }
        return n;
    }

    /** All parameters zero, in wire order: a template, or the base of an accumulated sum. */
    public ModelWeights zeroWeights() {
        List<Tensor> tensors = new ArrayList<>(2 * layerCount());
        for (int i = 0; i < layerCount(); i++) {
            tensors.add(Tensor.zeros(weightName(i), sizes[i], sizes[i + 1]));
            tensors.add(Tensor.zeros(biasName(i), sizes[i + 1]));
        }
        return new ModelWeights(tensors);
    }

    /**
     * Starting weights for round 0: each {@code W} drawn from the Glorot/Xavier uniform
     * distribution {@code U(-r, r)}, {@code r = sqrt(6 / (in + out))} (Glorot and Bengio 2010,
     * "Understanding the difficulty of training deep feedforward neural networks", eq. 16),
     * biases zero. Values come from one {@link SplittableRandom} seeded with {@code seed},
     * layer by layer in row-major order, so a seed gives the same model on any JVM or backend.
     */
    public ModelWeights initialWeights(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Tensor> tensors = new ArrayList<>(2 * layerCount());
        for (int i = 0; i < layerCount(); i++) {
            int in = sizes[i];
            int out = sizes[i + 1];
            double limit = Math.sqrt(6.0 / (in + out));
            float[] w = new float[Math.multiplyExact(in, out)];
            for (int k = 0; k < w.length; k++) {
                w[k] = (float) ((2.0 * random.nextDouble() - 1.0) * limit);
            }
            tensors.add(new Tensor(weightName(i), new int[] {in, out}, w));
            tensors.add(Tensor.zeros(biasName(i), out));
        }
        return new ModelWeights(tensors);
    }

    /** True when {@code weights} has exactly this architecture's tensor names, order and shapes. */
    public boolean accepts(ModelWeights weights) {
        return zeroWeights().sameLayout(weights);
    }

    /** The canonical descriptor, e.g. {@code logreg(30)} or {@code mlp(30,16,1)}; parses back to an equal value. */
    @Override
    public String toString() {
        if (logisticRegression) {
            return "logreg(" + sizes[0] + ")";
        }
        StringBuilder sb = new StringBuilder("mlp(");
        for (int i = 0; i < sizes.length; i++) {
            sb.append(i == 0 ? "" : ",").append(sizes[i]);
        }
        return sb.append(')').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Architecture a && a.logisticRegression == logisticRegression
                && Arrays.equals(a.sizes, sizes);
    }

    @Override
    public int hashCode() {
        return 31 * Boolean.hashCode(logisticRegression) + Arrays.hashCode(sizes);
    }
}
