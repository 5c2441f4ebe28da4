package io.floe.trainer.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * Centres each feature on its mean and divides by its standard deviation: {@code (x - mean) / std}.
 *
 * <p>In floe every hospital fits its own scaler on its own training rows and never shares the
 * statistics: means and deviations of a small cohort leak information about its patients, and
 * the federated model only ever sees locally scaled inputs. Fit on training rows only, then
 * transform training, validation and test rows with the same scaler, so held-out rows do not
 * leak into the statistics.
 *
 * <p>The deviation is the population one ({@code ddof = 0}, as scikit-learn's
 * {@code StandardScaler}); a constant feature gets deviation 1, so it maps to 0 instead of NaN.
 * Sums run in double so a 30-feature table with values near 4000 (WDBC's areas) loses nothing.
 */
public final class StandardScaler {
    private final float[] mean;
    private final float[] std;

    private StandardScaler(float[] mean, float[] std) {
        this.mean = mean;
        this.std = std;
    }

    /** Learns per-feature mean and deviation from {@code data}, which must not be empty. */
    public static StandardScaler fit(Dataset data) {
        Objects.requireNonNull(data, "data");
        if (data.size() == 0) {
            throw new IllegalArgumentException("cannot fit a scaler on an empty dataset");
        }
        int n = data.size();
        int d = data.featureCount();
        float[] x = data.featuresRowMajor();
        double[] sum = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                sum[j] += x[i * d + j];
            }
        }
        double[] mu = new double[d];
        for (int j = 0; j < d; j++) {
            mu[j] = sum[j] / n;
        }
        // Two passes (centre, then square) rather than E[x^2] - E[x]^2, which cancels badly.
        double[] squares = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double c = x[i * d + j] - mu[j];
                squares[j] += c * c;
            }
        }
        float[] mean = new float[d];
        float[] std = new float[d];
        for (int j = 0; j < d; j++) {
            mean[j] = (float) mu[j];
            double s = Math.sqrt(squares[j] / n);
            std[j] = s > 0.0 ? (float) s : 1.0f;
        }
        return new StandardScaler(mean, std);
    }

    /** A scaler from known statistics, e.g. read back from a site's local state. */
    public static StandardScaler of(float[] mean, float[] std) {
        if (mean.length != std.length) {
            throw new IllegalArgumentException(mean.length + " means but " + std.length + " deviations");
        }
        for (int j = 0; j < std.length; j++) {
            if (!(std[j] > 0.0f) || !Float.isFinite(std[j]) || !Float.isFinite(mean[j])) {
                throw new IllegalArgumentException("feature " + j + " has mean " + mean[j] + " and deviation "
                        + std[j] + "; need finite values and a positive deviation");
            }
        }
        return new StandardScaler(mean.clone(), std.clone());
    }

    /** The scaled copy of {@code data}; labels and names are unchanged. */
    public Dataset transform(Dataset data) {
        if (data.featureCount() != mean.length) {
            throw new IllegalArgumentException("scaler was fitted on " + mean.length + " features, data has "
                    + data.featureCount());
        }
        float[] x = data.featuresRowMajor();
        int d = mean.length;
        for (int k = 0; k < x.length; k++) {
            int j = k % d;
            x[k] = (x[k] - mean[j]) / std[j];
        }
        return data.withFeatures(x);
    }

    public int featureCount() {
        return mean.length;
    }

    /** A copy of the per-feature means. */
    public float[] mean() {
        return mean.clone();
    }

    /** A copy of the per-feature deviations (1 where the feature was constant). */
    public float[] std() {
        return std.clone();
    }

    @Override
    public String toString() {
        return "StandardScaler[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
