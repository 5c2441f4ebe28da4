package io.floe.trainer.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One dataset cut into a shared test set and the private training data of each site.
 *
 * <p>The test set is what the coordinator scores the global model on; the sites are the
 * hospitals. Alongside the data it keeps which source rows went where, so a run can record
 * (and a test can check) that no patient sits at two hospitals or in both train and test.
 */
public final class Partition {
    private final Dataset test;
    private final List<Dataset> sites;
    private final int[] testRows;
    private final List<int[]> siteRows;

    /**
     * @param source the dataset the row numbers refer to
     * @param testRows source rows of the test set
     * @param siteRows source rows of each site, in site order
     */
    Partition(Dataset source, int[] testRows, List<int[]> siteRows) {
        this.testRows = testRows.clone();
        this.test = source.subset(testRows);
        List<Dataset> s = new ArrayList<>(siteRows.size());
        List<int[]> rows = new ArrayList<>(siteRows.size());
        for (int[] r : siteRows) {
            s.add(source.subset(r));
            rows.add(r.clone());
        }
        this.sites = List.copyOf(s);
        this.siteRows = rows;
    }

    /** The held-out test set, stratified like the source. */
    public Dataset test() {
        return test;
    }

    /** The sites' training data; index {@code k} is site {@code k}. */
    public List<Dataset> sites() {
        return sites;
    }

    public int siteCount() {
        return sites.size();
    }

    /** Source rows of the test set, ascending. */
    public int[] testRows() {
        return testRows.clone();
    }

    /** Source rows held by site {@code site}, ascending. */
    public int[] siteRows(int site) {
        return siteRows.get(site).clone();
    }

    /** One line per site, {@code site 3: 41 rows, classes [9, 32]}, for logs and run records. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("test: ").append(test.size()).append(" rows, classes ").append(Arrays.toString(test.classCounts()));
        for (int k = 0; k < sites.size(); k++) {
            Dataset site = sites.get(k);
            sb.append(System.lineSeparator()).append("site ").append(k).append(": ").append(site.size())
                    .append(" rows, classes ").append(Arrays.toString(site.classCounts()));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "Partition[test " + test.size() + " rows, " + sites.size() + " sites]";
    }
}
