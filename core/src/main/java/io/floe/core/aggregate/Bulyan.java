package io.floe.core.aggregate;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bulyan: Krum chooses θ = K - 2f updates one after another, then each coordinate of the delta is
 * the mean of the β = θ - 2f values of the chosen updates closest to their coordinate-wise median.
 *
 * <p>El Mhamdi, Guerraoui, Rouault, "The Hidden Vulnerability of Distributed Learning in
 * Byzantium", ICML 2018, Section 4 (Algorithm "Bulyan" with A = Krum): the selection set S is
 * built by applying Krum to the received set, moving the chosen update from it to S, θ times; then
 * {@code G_i = (1/β) Σ_{X ∈ M_i} X_i} with {@code M_i = argmin_{R ⊂ S, |R| = β} Σ_{X ∈ R} |X_i - median_i|}.
 * It needs K >= 4f + 3 ({@link #requireEnoughUpdates}).
 *
 * <p>Details where the paper leaves a choice, taken as Flower's {@code aggregate_bulyan} takes
 * them: each Krum step scores against {@code max(1, K' - f - 2)} neighbours among the K' updates
 * still unchosen (late steps would otherwise have none; a lone update scores 0); the median of an
 * even count is the mean of the two middle values. Unweighted: numExamples does not enter. Ties
 * are broken deterministically, where Flower leaves them to numpy: a Krum score tie goes to the
 * smaller updateId, and of two values equally far from the median the smaller is taken first
 * (Flower's {@code np.argpartition} may take either). Distances are over all tensors as one
 * vector, in double; the β values of a coordinate are summed in double.
 *
 * <p>Report weights: 0 for the updates Krum did not choose, 1/θ for each chosen one (its nominal
 * share: which chosen updates count differs from coordinate to coordinate).
 */
public final class Bulyan implements AggregationRule {
    public static final String NAME = "bulyan";

    private final int byzantine;

    /** @param byzantine f, the number of clients assumed Byzantine */
    public Bulyan(int byzantine) {
        this.byzantine = KrumScores.checkedByzantine(NAME, byzantine);
    }

    public int byzantine() {
        return byzantine;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** El Mhamdi et al.'s condition K >= 4f + 3, with a message that says what to change. */
    public static void requireEnoughUpdates(int k, int byzantine) {
        if (k < 4 * byzantine + 3) {
            throw new IllegalArgumentException("bulyan with f = " + byzantine + " Byzantine clients needs at least 4f + 3 = "
                    + (4 * byzantine + 3) + " updates per round (El Mhamdi et al. 2018), got " + k
                    + "; raise clientsPerRound or lower byzantineClients");
        }
    }

    /** @throws IllegalArgumentException when K < 4f + 3 */
    @Override
    public AggregationResult aggregate(List<ClientUpdate> updates) {
        SortedRound round = SortedRound.of(updates, NAME);
        int k = round.size();
        requireEnoughUpdates(k, byzantine);
        int theta = k - 2 * byzantine;
        int beta = theta - 2 * byzantine;
        List<Integer> chosen = chooseByKrum(KrumScores.squaredDistances(round), theta);

        ModelWeights layout = round.get(0).delta();
        List<Tensor> out = new ArrayList<>(layout.tensorCount());
        float[] column = new float[theta];
        for (int t = 0; t < layout.tensorCount(); t++) {
            float[][] values = new float[theta][];
            for (int s = 0; s < theta; s++) {
                values[s] = round.get(chosen.get(s)).delta().tensors().get(t).values();
            }
            float[] result = new float[layout.tensors().get(t).size()];
            for (int i = 0; i < result.length; i++) {
                for (int s = 0; s < theta; s++) {
                    column[s] = values[s][i];
                }
                result[i] = meanOfClosestToMedian(column, beta);
            }
            out.add(layout.tensors().get(t).withValues(result));
        }
        Map<String, Double> weights = new LinkedHashMap<>();
        for (int i = 0; i < k; i++) {
            weights.put(round.get(i).updateId(), chosen.contains(i) ? 1.0 / theta : 0.0);
        }
        return new AggregationResult(new ModelWeights(out), weights);
    }

    /**
     * Round indices in the order Krum chose them: θ times, the unchosen update with the lowest
     * Krum score among the unchosen (ties: the smaller index, i.e. updateId).
     */
    List<Integer> chooseByKrum(double[][] squaredDistances, int theta) {
        List<Integer> left = new ArrayList<>();
        for (int i = 0; i < squaredDistances.length; i++) {
            left.add(i);
        }
        List<Integer> chosen = new ArrayList<>(theta);
        double[] others = new double[squaredDistances.length];
        while (chosen.size() < theta) {
            int neighbours = Math.max(1, left.size() - byzantine - 2);
            int best = -1;
            double bestScore = Double.POSITIVE_INFINITY;
            for (int i : left) {
                int n = 0;
                for (int j : left) {
                    if (j != i) {
                        others[n++] = squaredDistances[i][j];
                    }
                }
                Arrays.sort(others, 0, n);
                double score = 0;
                for (int r = 0; r < Math.min(neighbours, n); r++) {
                    score += others[r];
                }
                if (score < bestScore) {
                    bestScore = score;
                    best = i;
                }
            }
            chosen.add(best);
            left.remove(Integer.valueOf(best));
        }
        return chosen;
    }

    /**
     * The mean of the {@code beta} values closest to the median of {@code column} (sorted in
     * place): a contiguous window of the sorted values, grown from the median outwards, the
     * smaller value first on a tie.
     */
    static float meanOfClosestToMedian(float[] column, int beta) {
        return closestToMedianMean(column, beta);
    }

    /**
     * Bulyan's second step on one chunk of a chunked model: per coordinate, the mean of the
     * {@code beta} values of the {@code chosen} members (one array each) closest to their median,
     * exactly as {@link #aggregate} computes it on whole updates.
     */
    public static float[] closestToMedianMeans(List<float[]> chosen, int beta, int length) {
        float[] out = new float[length];
        float[] column = new float[chosen.size()];
        for (int i = 0; i < length; i++) {
            for (int s = 0; s < column.length; s++) {
                column[s] = chosen.get(s)[i];
            }
            out[i] = closestToMedianMean(column, beta);
        }
        return out;
    }

    private static float closestToMedianMean(float[] column, int beta) {
        Arrays.sort(column);
        int n = column.length;
        double median = n % 2 == 1 ? column[n / 2] : ((double) column[n / 2 - 1] + column[n / 2]) / 2;
        int below = 0;
        while (below < n && column[below] < median) {
            below++;
        }
        int lo = below - 1;
        int hi = below;
        double sum = 0;
        for (int taken = 0; taken < beta; taken++) {
            boolean takeLow = hi >= n || (lo >= 0 && median - column[lo] <= column[hi] - median);
            sum += takeLow ? column[lo--] : column[hi++];
        }
        return (float) (sum / beta);
    }
}
