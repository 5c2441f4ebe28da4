package io.floe.core.spec;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shape of a model, written as a short descriptor that every party of a federation agrees on:
 * {@code logreg(D)}, {@code mlp(D,H1,...,K)} or {@code cnn(H,W,C,K)}.
 *
 * <ul>
 *   <li>{@code logreg(D)}: logistic regression, one dense layer {@code D -> 1} and a sigmoid.</li>
 *   <li>{@code mlp(D,H1,...,K)}: dense layers {@code D -> H1 -> ... -> K} with ReLU between them.
 *       With {@code K = 1} the output is a sigmoid trained on binary cross-entropy (binary
 *       classification; {@code mlp(D,1)} is the same function as {@code logreg(D)}); with
 *       {@code K >= 2} it is a softmax over {@code K} classes trained on categorical
 *       cross-entropy. NIID-Bench's MLP for MNIST-like data is {@code mlp(784,200,200,10)}.</li>
 *   <li>{@code cnn(H,W,C,K)}: the "SimpleCNN" of Li et al. 2022, "Federated Learning on Non-IID
 *       Data Silos: An Experimental Study" (ICDE), for {@code C}-channel {@code H x W} images:
 *       conv 5x5 {@code C -> 6}, ReLU, maxpool 2x2; conv 5x5 {@code 6 -> 16}, ReLU, maxpool 2x2;
 *       dense {@code F -> 120}, ReLU; dense {@code 120 -> 84}, ReLU; dense {@code 84 -> K}; softmax
 *       cross-entropy. For 28x28x1: 24x24x6, 12x12x6, 8x8x16, 4x4x16 = 256 = F.</li>
 * </ul>
 *
 * <p>Dense layer {@code i} (from 0) owns two tensors, in this order: {@code dense{i}.W} of shape
 * {@code [in, out]} and {@code dense{i}.b} of shape {@code [out]}, so {@code y = x W + b} for a
 * row vector {@code x}. A {@code cnn} first owns {@code conv0.W [6, C, 5, 5]}, {@code conv0.b [6]},
 * {@code conv1.W [16, 6, 5, 5]}, {@code conv1.b [16]} (PyTorch's {@code [out, in, kH, kW]}), then
 * its three dense layers. The 16 feature maps of the second pool are flattened in channel, row,
 * column order (index {@code c*h*w + y*w + x}), PyTorch's {@code x.view(-1, 16*4*4)} on NCHW.
 * An image row of a dataset holds its {@code C*H*W} values in the same channel, row, column order.
 * That name, order and shape is the wire layout of {@link ModelWeights}: a delta from a site with
 * another architecture fails {@link #accepts} before it can be averaged.
 *
 * <p>Plain Java, so that the job can check a spec's tensors against its descriptor
 * ({@link io.floe.core.settings.SpecValidator}); trainers build a trainable model from it with
 * {@code io.floe.trainer.model.LocalModels}:
 * {@code
 * Architecture arch = Architecture.parse("cnn(28,28,1,10)");
 * LocalModel model = LocalModels.create(arch, 42);
 * }
 */
public final class Architecture {
    /** Side of the square convolution kernels of a {@code cnn}. */
    public static final int CNN_KERNEL = 5;
    /** Output channels of the two convolutions of a {@code cnn}. */
    public static final int[] CNN_CHANNELS = {6, 16};
    /** Widths of the two hidden dense layers of a {@code cnn}. */
    public static final int[] CNN_HIDDEN = {120, 84};

    private static final Pattern DESCRIPTOR = Pattern.compile("\\s*([A-Za-z]+)\\s*\\(([^()]*)\\)\\s*");
    private static final String USAGE = "expected logreg(D), mlp(D,H1,...,K) or cnn(H,W,C,K) with positive sizes,"
            + " e.g. mlp(30,16,1)";

    private enum Kind { LOGREG, MLP, CNN }

    private final Kind kind;
    /** logreg/mlp: the dense widths; cnn: {@code [H, W, C, K]}. */
    private final int[] sizes;

    private Architecture(Kind kind, int[] sizes) {
        this.kind = kind;
        this.sizes = sizes;
    }

    /** {@code logreg(inputDim)}. */
    public static Architecture logisticRegression(int inputDim) {
        requirePositive(new int[] {inputDim});
        return new Architecture(Kind.LOGREG, new int[] {inputDim, 1});
    }

    /** {@code mlp(sizes[0], ..., sizes[last])}: input width, hidden widths, output width. */
    public static Architecture mlp(int... sizes) {
        if (sizes.length < 2) {
            throw new IllegalArgumentException("an mlp needs an input and an output size, got "
                    + Arrays.toString(sizes) + "; " + USAGE);
        }
        requirePositive(sizes);
        return new Architecture(Kind.MLP, sizes.clone());
    }

    /**
     * {@code cnn(height, width, channels, classes)}: NIID-Bench's SimpleCNN (see the class doc).
     *
     * @throws IllegalArgumentException if the image is too small for two 5x5 convolutions and two
     *     2x2 pools, or {@code classes < 2}
     */
    public static Architecture cnn(int height, int width, int channels, int classes) {
        int[] s = {height, width, channels, classes};
        requirePositive(s);
        if (classes < 2) {
            throw new IllegalArgumentException("a cnn classifies into K >= 2 classes, got K = " + classes);
        }
        if (pooledSide(height) < 1 || pooledSide(width) < 1) {
            throw new IllegalArgumentException("a cnn needs images of at least 16x16 for two 5x5 convolutions and"
                    + " two 2x2 pools, got " + height + "x" + width);
        }
        return new Architecture(Kind.CNN, s);
    }

    /** Side after conv 5, pool 2, conv 5, pool 2 (pools drop an odd last row, as PyTorch's do). */
    private static int pooledSide(int side) {
        int first = (side - CNN_KERNEL + 1) / 2;
        return first < CNN_KERNEL ? 0 : (first - CNN_KERNEL + 1) / 2;
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
        String kind = m.group(1).toLowerCase(Locale.ROOT);
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
                case "cnn":
                    if (sizes.length != 4) {
                        throw new IllegalArgumentException("cnn takes exactly four sizes: height, width, channels,"
                                + " classes");
                    }
                    return cnn(sizes[0], sizes[1], sizes[2], sizes[3]);
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

    /** True for {@code cnn(...)}. */
    public boolean isConvolutional() {
        return kind == Kind.CNN;
    }

    /**
     * True when the output is a softmax over {@link #outputDim()} {@code >= 2} classes; false for
     * the single sigmoid output of binary classification.
     */
    public boolean isMulticlass() {
        return outputDim() >= 2;
    }

    /** Features per example: {@code D}, or {@code C*H*W} for a cnn. */
    public int inputDim() {
        return kind == Kind.CNN ? sizes[0] * sizes[1] * sizes[2] : sizes[0];
    }

    /** Outputs per example: {@code K}, 1 for binary classification. */
    public int outputDim() {
        return sizes[sizes.length - 1];
    }

    /** Number of dense layers (weight matrices); for a cnn, those after the convolutions. */
    public int layerCount() {
        return denseSizes().length - 1;
    }

    /**
     * Widths of the dense layers from input to output: {@code [D, H1, ..., K]}; for a cnn
     * {@code [F, 120, 84, K]} with {@code F} the flattened feature maps.
     */
    public int[] layerSizes() {
        return denseSizes().clone();
    }

    /** For a cnn, {@code [H, W, C]} of an input image. */
    public int[] imageShape() {
        requireCnn();
        return new int[] {sizes[0], sizes[1], sizes[2]};
    }

    private int[] denseSizes() {
        if (kind != Kind.CNN) {
            return sizes;
        }
        int flat = CNN_CHANNELS[1] * pooledSide(sizes[0]) * pooledSide(sizes[1]);
        return new int[] {flat, CNN_HIDDEN[0], CNN_HIDDEN[1], sizes[3]};
    }

    private void requireCnn() {
        if (kind != Kind.CNN) {
            throw new IllegalStateException(this + " is not a cnn");
        }
    }

    /** {@code dense{layer}.W}. */
    public static String weightName(int layer) {
        return "dense" + layer + ".W";
    }

    /** {@code dense{layer}.b}. */
    public static String biasName(int layer) {
        return "dense" + layer + ".b";
    }

    /** {@code conv{layer}.W}. */
    public static String convWeightName(int layer) {
        return "conv" + layer + ".W";
    }

    /** {@code conv{layer}.b}. */
    public static String convBiasName(int layer) {
        return "conv" + layer + ".b";
    }

    /** Total number of scalar parameters. */
    public long parameterCount() {
        long n = 0;
        for (Tensor t : zeroWeights().tensors()) {
            n += t.values().length;
        }
        return n;
    }

    /** All parameters zero, in wire order: a template, or the base of an accumulated sum. */
    public ModelWeights zeroWeights() {
        List<Tensor> tensors = new ArrayList<>();
        for (ParameterSpec p : parameterSpecs()) {
            tensors.add(Tensor.zeros(p.name, p.shape));
        }
        return new ModelWeights(tensors);
    }

    /**
     * Starting weights for round 0, drawn from one {@link SplittableRandom} seeded with
     * {@code seed}, tensor by tensor in wire order and row-major within a tensor, so a seed gives
     * the same model on any JVM or backend.
     *
     * <ul>
     *   <li>{@code logreg} and {@code mlp}: each {@code W} from the Glorot/Xavier uniform
     *       distribution {@code U(-r, r)}, {@code r = sqrt(6 / (in + out))} (Glorot and Bengio 2010,
     *       "Understanding the difficulty of training deep feedforward neural networks", eq. 16),
     *       biases zero.</li>
     *   <li>{@code cnn}: PyTorch's default for {@code Conv2d} and {@code Linear}, which NIID-Bench
     *       trains from: kaiming-uniform with {@code a = sqrt(5)}, i.e. {@code U(-r, r)} with
     *       {@code r = 1 / sqrt(fan_in)} for weights and biases alike ({@code fan_in = C*5*5} for a
     *       convolution, {@code in} for a dense layer).</li>
     * </ul>
     */
    public ModelWeights initialWeights(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Tensor> tensors = new ArrayList<>();
        for (ParameterSpec p : parameterSpecs()) {
            double limit;
            if (kind == Kind.CNN) {
                limit = 1.0 / Math.sqrt(p.fanIn);
            } else if (p.bias) {
                tensors.add(Tensor.zeros(p.name, p.shape));
                continue;
            } else {
                limit = Math.sqrt(6.0 / (p.shape[0] + p.shape[1]));
            }
            int n = 1;
            for (int d : p.shape) {
                n = Math.multiplyExact(n, d);
            }
            float[] v = new float[n];
            for (int k = 0; k < n; k++) {
                v[k] = (float) ((2.0 * random.nextDouble() - 1.0) * limit);
            }
            tensors.add(new Tensor(p.name, p.shape, v));
        }
        return new ModelWeights(tensors);
    }

    /** True when {@code weights} has exactly this architecture's tensor names, order and shapes. */
    public boolean accepts(ModelWeights weights) {
        return zeroWeights().sameLayout(weights);
    }

    private record ParameterSpec(String name, int[] shape, int fanIn, boolean bias) {
    }

    private List<ParameterSpec> parameterSpecs() {
        List<ParameterSpec> specs = new ArrayList<>();
        if (kind == Kind.CNN) {
            int in = sizes[2];
            for (int i = 0; i < CNN_CHANNELS.length; i++) {
                int out = CNN_CHANNELS[i];
                int fanIn = in * CNN_KERNEL * CNN_KERNEL;
                specs.add(new ParameterSpec(convWeightName(i), new int[] {out, in, CNN_KERNEL, CNN_KERNEL}, fanIn, false));
                specs.add(new ParameterSpec(convBiasName(i), new int[] {out}, fanIn, true));
                in = out;
            }
        }
        int[] dense = denseSizes();
        for (int i = 0; i < dense.length - 1; i++) {
            specs.add(new ParameterSpec(weightName(i), new int[] {dense[i], dense[i + 1]}, dense[i], false));
            specs.add(new ParameterSpec(biasName(i), new int[] {dense[i + 1]}, dense[i], true));
        }
        return specs;
    }

    /** The canonical descriptor, e.g. {@code logreg(30)} or {@code mlp(30,16,1)}; parses back to an equal value. */
    @Override
    public String toString() {
        if (kind == Kind.LOGREG) {
            return "logreg(" + sizes[0] + ")";
        }
        StringBuilder sb = new StringBuilder(kind == Kind.CNN ? "cnn(" : "mlp(");
        for (int i = 0; i < sizes.length; i++) {
            sb.append(i == 0 ? "" : ",").append(sizes[i]);
        }
        return sb.append(')').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Architecture a && a.kind == kind && Arrays.equals(a.sizes, sizes);
    }

    @Override
    public int hashCode() {
        return 31 * kind.hashCode() + Arrays.hashCode(sizes);
    }
}
