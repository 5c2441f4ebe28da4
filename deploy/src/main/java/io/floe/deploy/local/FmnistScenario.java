package io.floe.deploy.local;

import io.floe.trainer.data.Dataset;
import io.floe.trainer.data.FashionMnist;
import io.floe.trainer.data.NiidPartition;
import io.floe.trainer.data.PartySplit;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The "fmnist" scenario: the Fashion-MNIST training split (or its first {@code trainRows} rows)
 * dealt out to N clients by a NIID-Bench partition ({@link NiidPartition}: {@code iid},
 * {@code dirichlet:B}, {@code labels:K}, {@code quantity:B}, {@code noise:S}), and the 10,000-image
 * test split (or its first {@code testRows} rows) as the held-out evaluation set, as in Li et al.
 * (2022), "Federated Learning on Non-IID Data Silos: An Experimental Study" (ICDE), which scores
 * the global model on the dataset's own test split.
 *
 * <p>Pixels are in [0, 1] ({@link FashionMnist}). Every trainer ({@code NetworkTraining})
 * standardises its local data with statistics fitted on that data, so the evaluation set is
 * standardised with its own statistics too, as a new site would; NIID-Bench does not standardise
 * (torchvision {@code ToTensor} only), one of the differences docs/benchmarks.md lists.
 *
 * <p>{@code
 * FmnistScenario s = FmnistScenario.load(FashionMnist.DEFAULT_DIR, 10, "dirichlet:0.5", 42, 6000, 1000);
 * }
 */
public final class FmnistScenario implements FederatedScenario {
    private final PartySplit split;
    private final List<Dataset> sites;
    private final Dataset rawTest;
    private final Dataset evaluationSet;

    private FmnistScenario(PartySplit split, Dataset test) {
        this.split = split;
        this.sites = split.parties();
        this.rawTest = test;
        // pixels are in [0, 1] already; like the sites (standardizes() = false), the test set is used raw
        this.evaluationSet = test;
    }

    /**
     * Loads Fashion-MNIST from {@code dataDir} and splits it.
     *
     * @param dataDir the directory of the four IDX files (raw or .gz)
     * @param clients parties to deal the training rows to
     * @param partition a {@link NiidPartition} spec, e.g. {@code dirichlet:0.5}
     * @param seed seeds the split
     * @param trainRows use the first this many training rows ({@code <= 0}: all 60,000)
     * @param testRows score on the first this many test rows ({@code <= 0}: all 10,000)
     * @throws java.io.FileNotFoundException if the files are missing; the message says to run
     *     {@code scripts/setup-fashion-mnist.sh}
     */
    public static FmnistScenario load(Path dataDir, int clients, String partition, long seed, int trainRows, int testRows)
            throws IOException {
        Objects.requireNonNull(dataDir, "dataDir");
        NiidPartition p = NiidPartition.parse(partition);
        Dataset train = FashionMnist.loadTrain(dataDir, trainRows <= 0 ? Integer.MAX_VALUE : trainRows);
        Dataset test = FashionMnist.loadTest(dataDir, testRows <= 0 ? Integer.MAX_VALUE : testRows);
        return of(train, test, p, clients, seed);
    }

    /** Splits {@code train} over {@code clients} by {@code partition}; {@code test} is the evaluation set. */
    public static FmnistScenario of(Dataset train, Dataset test, NiidPartition partition, int clients, long seed) {
        Objects.requireNonNull(test, "test");
        if (test.size() == 0) {
            throw new IllegalArgumentException("the evaluation set is empty; use --test-rows > 0");
        }
        return new FmnistScenario(partition.split(train, clients, seed), test);
    }

    /** The split the sites were dealt, with each party's source rows and class counts. */
    public PartySplit split() {
        return split;
    }

    /** The partition spec, e.g. {@code dirichlet:0.5}. */
    public String partition() {
        return split.spec();
    }

    /** Training rows over all sites. */
    public int trainingRows() {
        return sites.stream().mapToInt(Dataset::size).sum();
    }

    public Dataset rawTest() {
        return rawTest;
    }

    @Override
    public String name() {
        return "fmnist";
    }

    @Override
    public List<Dataset> sites() {
        return sites;
    }

    /** {@code client-NN}. */
    @Override
    public String siteName(int site) {
        return String.format("client-%02d", site);
    }

    @Override
    public Dataset evaluationSet() {
        return evaluationSet;
    }

    @Override
    public int classCount() {
        return FashionMnist.CLASS_NAMES.size();
    }

    /** One line per client: size, classes held and the count of each class. */
    @Override
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sites.size(); i++) {
            int[] counts = split.classCounts(i);
            long held = Arrays.stream(counts).filter(c -> c > 0).count();
            sb.append(String.format("  %s  %5d records  %2d classes  per class %s%n", siteName(i), split.size(i), held,
                    Arrays.toString(counts)));
        }
        return sb.toString();
    }

    /** Raw pixels in [0, 1], as NIID-Bench trains on them. */
    @Override
    public boolean standardizes() {
        return false;
    }
}
