package io.floe.trainer.data;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017, "Fashion-MNIST: a Novel Image Dataset for
 * Benchmarking Machine Learning Algorithms", arXiv:1708.07747) as two {@link Dataset}s: 60,000
 * training and 10,000 test images of 28 x 28 grey pixels in ten balanced clothing classes.
 *
 * <p>It is one of the image benchmarks of Li et al. (2022), "Federated Learning on Non-IID Data
 * Silos: An Experimental Study" (NIID-Bench), so {@link NiidPartition} splits of it can be compared
 * with their tables.
 *
 * <p>Each image becomes one row of 784 features {@code px0..px783}, row-major (pixel
 * {@code (r, c)} is feature {@code 28 * r + c}), scaled from {@code 0..255} to {@code [0, 1]} as
 * torchvision's {@code ToTensor} does; no mean/std normalisation, which is the trainer's choice.
 *
 * <p>The four files keep their distributed names, {@code train-images-idx3-ubyte},
 * {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte} and
 * {@code t10k-labels-idx1-ubyte}, each raw or with {@code .gz}. Debian's
 * {@code dataset-fashion-mnist} package installs them, gzipped, into {@link #DEFAULT_DIR};
 * {@code scripts/setup-fashion-mnist.sh} installs that package.
 *
 * <p>{@code
 * FashionMnist.Splits data = FashionMnist.load(FashionMnist.DEFAULT_DIR);
 * PartySplit parties = NiidPartition.parse("dirichlet:0.5").split(data.train(), 10, 42);
 * }
 */
public final class FashionMnist {
    /** Where Debian's {@code dataset-fashion-mnist} package puts the files. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    public static final int ROWS = 28;
    public static final int COLUMNS = 28;
    public static final int TRAIN_SIZE = 60_000;
    public static final int TEST_SIZE = 10_000;
    /** The label order of the Fashion-MNIST README: label {@code i} is {@code CLASS_NAMES.get(i)}. */
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    /** {@code px0..px783}, row-major. */
    public static final List<String> FEATURE_NAMES = pixelNames(ROWS * COLUMNS);

    static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

    private FashionMnist() {}

    /** The training and the test set. */
    public record Splits(Dataset train, Dataset test) {
        public Splits {
            Objects.requireNonNull(train, "train");
            Objects.requireNonNull(test, "test");
        }
    }

    /** All 60,000 training and 10,000 test images from {@code dir}. */
    public static Splits load(Path dir) throws IOException {
        return load(dir, Integer.MAX_VALUE);
    }

    /**
     * The first {@code maxRows} images of the training set and the first {@code maxRows} of the
     * test set (each whole set if it is smaller), for tests and quick runs. The files are in
     * no particular class order, so a prefix of a few thousand rows holds every class.
     *
     * @throws FileNotFoundException if a file is missing; the message says how to install them
     */
    public static Splits load(Path dir, int maxRows) throws IOException {
        return new Splits(loadTrain(dir, maxRows), loadTest(dir, maxRows));
    }

    /** The first {@code maxRows} training images from {@code dir}. */
    public static Dataset loadTrain(Path dir, int maxRows) throws IOException {
        return read(find(dir, TRAIN_IMAGES), find(dir, TRAIN_LABELS), maxRows);
    }

    /** The first {@code maxRows} test images from {@code dir}. */
    public static Dataset loadTest(Path dir, int maxRows) throws IOException {
        return read(find(dir, TEST_IMAGES), find(dir, TEST_LABELS), maxRows);
    }

    /** Whether all four files are in {@code dir}, raw or gzipped. */
    public static boolean isPresent(Path dir) {
        for (String name : List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)) {
            if (resolve(dir, name) == null) {
                return false;
            }
        }
        return true;
    }

    /**
     * Images and labels of one split as a dataset. Generic over image size, so the same code
     * reads MNIST or a test's 2 x 2 images; the feature names follow the image width.
     */
    static Dataset read(Path imagesFile, Path labelsFile, int maxRows) throws IOException {
        IdxReader.IdxArray images = IdxReader.readImages(imagesFile, maxRows);
        IdxReader.IdxArray labels = IdxReader.readLabels(labelsFile, maxRows);
        int imageCount = images.dimensions()[0];
        int labelCount = labels.dimensions()[0];
        if (imageCount != labelCount) {
            throw new IllegalArgumentException(imagesFile + " holds " + imageCount + " images but " + labelsFile
                    + " holds " + labelCount + " labels; they must come from the same split");
        }
        byte[] pixels = images.data();
        float[] features = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            features[i] = (pixels[i] & 0xff) / 255f;
        }
        byte[] labelBytes = labels.data();
        int[] y = new int[labelBytes.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = labelBytes[i] & 0xff;
            if (y[i] >= CLASS_NAMES.size()) {
                throw new IllegalArgumentException(labelsFile + ": label " + y[i] + " of item " + i
                        + " is not a class in 0.." + (CLASS_NAMES.size() - 1));
            }
        }
        int width = images.itemSize();
        List<String> names = width == FEATURE_NAMES.size() ? FEATURE_NAMES : pixelNames(width);
        return new Dataset(features, y, names, CLASS_NAMES);
    }

    /** {@code dir/name}, else {@code dir/name.gz}; a message saying how to get the files if neither exists. */
    static Path find(Path dir, String name) throws FileNotFoundException {
        Objects.requireNonNull(dir, "dir");
        Path found = resolve(dir, name);
        if (found == null) {
            throw new FileNotFoundException("Fashion-MNIST file " + name + "[.gz] not found in " + dir
                    + ". Run scripts/setup-fashion-mnist.sh (it installs Debian's dataset-fashion-mnist package into "
                    + DEFAULT_DIR + "), or download the four *-ubyte.gz files from"
                    + " https://github.com/zalandoresearch/fashion-mnist into a directory and point the loader at it");
        }
        return found;
    }

    private static Path resolve(Path dir, String name) {
        for (Path candidate : List.of(dir.resolve(name), dir.resolve(name + ".gz"))) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static List<String> pixelNames(int count) {
        List<String> names = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            names.add("px" + i);
        }
        return List.copyOf(names);
    }
}
