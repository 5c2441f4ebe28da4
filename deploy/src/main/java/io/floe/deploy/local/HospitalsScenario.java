package io.floe.deploy.local;

import io.floe.trainer.data.CsvDatasetLoader;
import io.floe.trainer.data.Dataset;
import io.floe.trainer.data.LabelSkewPartitioner;
import io.floe.trainer.data.Partition;
import io.floe.trainer.data.StandardScaler;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The "hospitals" scenario: the Wisconsin Diagnostic Breast Cancer data split over N hospitals,
 * non-IID (each hospital's malignant/benign mix drawn from a Dirichlet, sizes unequal; see
 * {@link LabelSkewPartitioner}), with a stratified held-out test set that no hospital sees.
 */
public final class HospitalsScenario implements FederatedScenario {
    private final Partition partition;
    private final Dataset scaledTest;

    private HospitalsScenario(Partition partition) {
        this.partition = partition;
        // The test set stands for a new site: it is standardised with its own statistics,
        // exactly as every hospital standardises its own data.
        this.scaledTest = StandardScaler.fit(partition.test()).transform(partition.test());
    }

    public static HospitalsScenario load(Path csv, int hospitals, long seed, double labelSkew, double sizeSkew) throws IOException {
        return load(csv, LabelSkewPartitioner.builder().sites(hospitals).alpha(labelSkew).sizeSigma(sizeSkew).seed(seed).build());
    }

    /** The data split by any partitioner (e.g. many small sites for central-DP experiments). */
    public static HospitalsScenario load(Path csv, LabelSkewPartitioner partitioner) throws IOException {
        return new HospitalsScenario(partitioner.partition(CsvDatasetLoader.defaults().load(csv)));
    }

    /** Each hospital's raw (unscaled) local data. */
    public List<Dataset> hospitals() {
        return partition.sites();
    }

    @Override
    public String name() {
        return "hospitals";
    }

    @Override
    public List<Dataset> sites() {
        return hospitals();
    }

    /** {@code hospital-NN}. */
    @Override
    public String siteName(int site) {
        return String.format("hospital-%02d", site);
    }

    @Override
    public Dataset evaluationSet() {
        return scaledTest;
    }

    @Override
    public int classCount() {
        return partition.test().classCount();
    }

    public Dataset rawTest() {
        return partition.test();
    }

    public Dataset scaledTest() {
        return scaledTest;
    }

    public int featureCount() {
        return partition.test().featureCount();
    }

    /** One line per hospital: size and malignant share (class 0 in WDBC). */
    @Override
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < hospitals().size(); i++) {
            Dataset d = hospitals().get(i);
            int malignant = d.rowsOfClass(0).length;
            sb.append(String.format("  hospital-%02d  %4d records  %3.0f%% malignant%n", i, d.size(), 100.0 * malignant / d.size()));
        }
        return sb.toString();
    }
}
