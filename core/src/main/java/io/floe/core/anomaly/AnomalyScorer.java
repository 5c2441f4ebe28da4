package io.floe.core.anomaly;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.kernel.CoordinateKernels;
import io.floe.core.kernel.PairwiseDistances;
import io.floe.core.kernel.SquaresAndDots;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Scores every update of a round against the others:
 * <ul>
 *   <li>the L2 norm and the robust z-score of the norm per local step,
 *       {@code (r_i - median(r)) / (1.4826 · MAD(r))} with {@code r_i = ‖Δ_i‖ / τ_i} (Hampel's
 *       median/MAD estimator; 1.4826 makes the MAD consistent with the standard deviation under
 *       normality), so one huge update cannot mask itself by inflating a mean and a standard
 *       deviation. Dividing by the local steps τ_i (as FedNova, Wang et al. 2020, normalises
 *       updates) keeps an honest site with much more data, hence more steps and a longer delta,
 *       from looking boosted; a client that over-reports τ to hide a boost also claims more
 *       work, which the example cap (and, under the Krum rules, the Krum score) still sees;
 *   <li>the cosine similarity to the coordinate-wise median of the deltas (Yin et al. 2018's
 *       robust centre): a sign-flipped or random update points away from it;
 *   <li>the Krum score (Blanchard et al., NeurIPS 2017): the sum of squared distances to its
 *       {@code K - f - 2} nearest neighbours (at least one, at most {@code K - 1}); the job
 *       computes it under the Krum rules only ({@link #score(List, int, boolean)}).
 * </ul>
 * Scores are returned in updateId order, whatever order the updates came in.
 */
public final class AnomalyScorer {
    /** Consistency constant of the MAD for normally distributed data. */
    public static final double MAD_SCALE = 1.4826;

    private AnomalyScorer() {
    }

    /** @param byzantineClients f, the number of clients assumed Byzantine (for the Krum neighbourhood) */
    public static List<UpdateScores> score(List<ClientUpdate> updates, int byzantineClients) {
        return score(updates, byzantineClients, true);
    }

    /**
     * As above; the Krum score only {@code withKrum} (NaN otherwise). No anomaly policy judges by it,
     * and its K^2 pairwise distances cost about four fifths of the scoring at K = 32 (issue 13:
     * scoring costs only what the model uses), so the job computes it under the Krum rules only.
     * Every sum runs tensor by tensor over the updates' own arrays (no flattened copy), with four
     * interleaved partial sums, in a fixed order: the same bits whatever the arrival order.
     */
    public static List<UpdateScores> score(List<ClientUpdate> updates, int byzantineClients, boolean withKrum) {
        List<ClientUpdate> sorted = new ArrayList<>(updates);
        sorted.sort(Comparator.comparing(ClientUpdate::updateId).thenComparing(ClientUpdate::clientId));
        int k = sorted.size();
        if (k == 0) {
            return List.of();
        }
        double[] squares = new double[k];
        double[] dots = new double[k];
        double medianSquares = 0;
        double[][] d2 = withKrum ? new double[k][k] : null;
        int tensors = sorted.get(0).delta().tensors().size();
        for (int t = 0; t < tensors; t++) {
            float[][] columns = new float[k][];
            for (int i = 0; i < k; i++) {
                columns[i] = sorted.get(i).delta().tensors().get(t).values();
            }
            float[] median = new float[columns[0].length];
            CoordinateKernels.median(columns, median);
            SquaresAndDots.addInto(columns, median, squares, dots);
            medianSquares += SquaresAndDots.of(median, median)[0];
            if (withKrum) {
                double[][] part = PairwiseDistances.squaredL2(columns);
                for (int i = 0; i < k; i++) {
                    for (int j = 0; j < k; j++) {
                        d2[i][j] += part[i][j];
                    }
                }
            }
        }
        // the norm scores as the chunked path computes them, from the same squared norms
        List<NormScores.Norm> squared = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            ClientUpdate u = sorted.get(i);
            squared.add(new NormScores.Norm(u.updateId(), u.clientId(), u.localSteps(), squares[i]));
        }
        List<UpdateScores> normScores = NormScores.of(squared); // the same order as sorted
        double medianNorm = Math.sqrt(medianSquares);
        double[] krum = withKrum ? krumScores(d2, byzantineClients) : null;
        List<UpdateScores> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            UpdateScores n = normScores.get(i);
            out.add(new UpdateScores(n.updateId(), n.clientId(), n.l2Norm(), n.normZ(), cosine(dots[i], n.l2Norm(), medianNorm),
                    withKrum ? krum[i] : Double.NaN, n.normRatio()));
        }
        return out;
    }

    /**
     * Each update's Krum score as a report carries it, from the round's squared distances {@code d2}:
     * the sum of its max(1, min(K - 1, K - f - 2)) smallest distances to the others (a chunked round
     * passes the sum of its chunks' shares).
     */
    public static double[] krumScores(double[][] d2, int byzantineClients) {
        int k = d2.length;
        int neighbours = Math.max(1, Math.min(k - 1, k - byzantineClients - 2));
        double[] out = new double[k];
        for (int i = 0; i < k; i++) {
            out[i] = krumScore(d2, i, neighbours);
        }
        return out;
    }

    /** Cosine similarity from a dot product and both norms; 0 when either vector is zero (no direction to agree with). */
    static double cosine(double dot, double norm, double centreNorm) {
        return norm == 0 || centreNorm == 0 ? 0 : dot / (norm * centreNorm);
    }

    /** Robust z-scores of {@code values}: {@code (x - median) / (1.4826 MAD)}; 0 for every value when all are equal. */
    public static double[] robustZ(double[] values) {
        double med = median(values);
        double[] dev = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            dev[i] = Math.abs(values[i] - med);
        }
        double mad = median(dev);
        // A round where most norms are identical has MAD 0: fall back to a tiny scale so that an
        // outlier still gets a huge z while the identical ones get 0.
        double scale = Math.max(MAD_SCALE * mad, 1e-12 * Math.max(1.0, Math.abs(med)));
        double[] z = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            z[i] = (values[i] - med) / scale;
        }
        return z;
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
    }

    private static double krumScore(double[][] d2, int i, int neighbours) {
        double[] row = new double[d2.length - 1];
        int at = 0;
        for (int j = 0; j < d2.length; j++) {
            if (j != i) {
                row[at++] = d2[i][j];
            }
        }
        Arrays.sort(row);
        double s = 0;
        for (int j = 0; j < neighbours && j < row.length; j++) {
            s += row[j];
        }
        return s;
    }
}
