package io.floe.trainer.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A training set dealt out to federated parties by a {@link NiidPartition}: which source rows each
 * party holds and, for feature skew, how much Gaussian noise it adds to them.
 *
 * <p>Unlike {@link Partition} it holds no test set: NIID-Bench scores every party's model on
 * the dataset's own test split, so the split only covers training rows. The rows are kept as
 * indices and a party's {@link Dataset} is built when asked for, so ten parties of Fashion-MNIST
 * do not hold a second 188 MB copy of the pixels until a trainer needs them.
 *
 * <p>Rows of a party are ascending; NIID-Bench's order within a party is a shuffle that its data
 * loader reshuffles every epoch anyway. The noise of a party is drawn from its own seed, so
 * {@code party(k)} gives the same values on every call and on every JVM.
 */
public final class PartySplit {
    private final Dataset source;
    private final String spec;
    private final List<int[]> rows;
    private final double[] noiseStd;
    private final long[] noiseSeeds;

    /**
     * @param source the dataset the rows refer to
     * @param spec the partition that made this split, for run records
     * @param rows source rows of each party, in party order
     * @param noiseStd standard deviation of the Gaussian noise each party adds, 0 for none
     * @param noiseSeeds the seed of each party's noise
     */
    PartySplit(Dataset source, String spec, List<int[]> rows, double[] noiseStd, long[] noiseSeeds) {
        this.source = Objects.requireNonNull(source, "source");
        this.spec = Objects.requireNonNull(spec, "spec");
        if (noiseStd.length != rows.size() || noiseSeeds.length != rows.size()) {
            throw new IllegalArgumentException(rows.size() + " parties need as many noise levels and seeds, got "
                    + noiseStd.length + " and " + noiseSeeds.length);
        }
        List<int[]> sorted = new ArrayList<>(rows.size());
        for (int[] r : rows) {
            int[] copy = r.clone();
            Arrays.sort(copy);
            sorted.add(copy);
        }
        this.rows = List.copyOf(sorted);
        this.noiseStd = noiseStd.clone();
        this.noiseSeeds = noiseSeeds.clone();
    }

    /** A split without feature noise. */
    PartySplit(Dataset source, String spec, List<int[]> rows) {
        this(source, spec, rows, new double[rows.size()], new long[rows.size()]);
    }

    /** The partition spec that made this split, e.g. {@code dirichlet:0.5}. */
    public String spec() {
        return spec;
    }

    public int partyCount() {
        return rows.size();
    }

    /** Source rows held by {@code party}, ascending. */
    public int[] rows(int party) {
        return rows.get(party).clone();
    }

    /** How many rows {@code party} holds. */
    public int size(int party) {
        return rows.get(party).length;
    }

    /** How many rows of each class {@code party} holds. */
    public int[] classCounts(int party) {
        int[] counts = new int[source.classCount()];
        for (int r : rows.get(party)) {
            counts[source.label(r)]++;
        }
        return counts;
    }

    /** Standard deviation of the Gaussian noise {@code party} adds to every feature; 0 for none. */
    public double noiseStd(int party) {
        return noiseStd[Objects.checkIndex(party, noiseStd.length)];
    }

    /**
     * The data of {@code party}: its rows of the source, plus its noise if it has any. Built anew
     * on each call, with the same values each time.
     */
    public Dataset party(int party) {
        Dataset data = source.subset(rows.get(party));
        if (noiseStd[party] == 0.0) {
            return data;
        }
        float[] features = data.featuresRowMajor();
        SplittableRandom random = new SplittableRandom(noiseSeeds[party]);
        float std = (float) noiseStd[party];
        for (int i = 0; i < features.length; i++) {
            features[i] += std * (float) random.nextGaussian();
        }
        return data.withFeatures(features);
    }

    /** Every party's data, in party order; see {@link #party(int)}. */
    public List<Dataset> parties() {
        List<Dataset> all = new ArrayList<>(rows.size());
        for (int k = 0; k < rows.size(); k++) {
            all.add(party(k));
        }
        return all;
    }

    /** One line per party, {@code party 3: 5012 rows, classes [...]}, for logs and run records. */
    public String describe() {
        StringBuilder sb = new StringBuilder(spec).append(" over ").append(rows.size()).append(" parties");
        for (int k = 0; k < rows.size(); k++) {
            sb.append(System.lineSeparator()).append("party ").append(k).append(": ").append(size(k))
                    .append(" rows, classes ").append(Arrays.toString(classCounts(k)));
            if (noiseStd[k] > 0.0) {
                sb.append(", noise std ").append(noiseStd[k]);
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "PartySplit[" + spec + ", " + rows.size() + " parties of " + source.size() + " rows]";
    }
}
