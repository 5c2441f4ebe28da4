package io.floe.deploy.local;

import io.floe.trainer.data.Dataset;
import io.floe.trainer.data.StandardScaler;
import io.floe.core.spec.Architecture;
import io.floe.trainer.model.LocalModels;
import io.floe.trainer.model.EpochListener;
import io.floe.trainer.model.LocalModel;
import io.floe.trainer.model.TrainingConfig;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * What federated learning is compared with, on the same model, split and evaluation set:
 * <ul>
 *   <li>centralised: all sites' training data pooled in one place (what privacy forbids);
 *   <li>single site: each site training alone on its own data.
 * </ul>
 * Both train for the same number of epochs a federated client runs in total
 * ({@code rounds * localEpochs}) from the same initial weights, with the clients' learning rate,
 * batch size and momentum, and standardise their training data with statistics fitted on that data.
 * Any architecture ({@link Architecture#newModel}): dense or convolutional, binary or multiclass.
 * A {@link Choice} picks which are trained: on Fashion-MNIST the single sites together cost as
 * much as the centralised model, and both together dominated the demo's run time.
 */
public final class Baselines {
    /** Print a progress line at most this often (and after the last epoch). */
    private static final long PROGRESS_EVERY_NANOS = 5_000_000_000L;

    private Baselines() {
    }

    /** Which baselines a run trains ({@code --baselines}). */
    public enum Choice {
        /** None: the table and the system metrics' centralised gap say "not measured". */
        NONE,
        /** The centralised model only (what the centralised gap needs). */
        CENTRAL,
        /** The centralised model and every site alone. */
        ALL;

        /** {@code none}, {@code central} or {@code all} (case-insensitive). */
        public static Choice parse(String value) {
            return switch (value == null ? "" : value.trim().toLowerCase(Locale.ROOT)) {
                case "none" -> NONE;
                case "central" -> CENTRAL;
                case "all" -> ALL;
                default -> throw new IllegalArgumentException("--baselines must be none, central or all, was '" + value + "'");
            };
        }

        public boolean centralized() {
            return this != NONE;
        }

        public boolean singleSites() {
            return this == ALL;
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param centralized the pooled-data model's scores, null when not trained
     * @param singleSites each site's own model's scores in site order, empty when not trained
     */
    public record Result(TestScores centralized, List<TestScores> singleSites) {
        public Result {
            singleSites = List.copyOf(singleSites);
        }

        public boolean hasCentralized() {
            return centralized != null;
        }

        public boolean hasSingleSites() {
            return !singleSites.isEmpty();
        }

        /** The single site with the best headline score (AUC for a binary model, else accuracy); throws when none was trained. */
        public TestScores bestSingleSite() {
            return singleSites.stream().max(Comparator.comparingDouble(TestScores::headline))
                    .orElseThrow(() -> new IllegalStateException("no single-site baselines were trained"));
        }

        public double meanSingleSiteAuc() {
            return singleSites.stream().mapToDouble(TestScores::auc).average().orElse(Double.NaN);
        }

        public double meanSingleSiteAccuracy() {
            return singleSites.stream().mapToDouble(TestScores::accuracy).average().orElse(Double.NaN);
        }
    }

    /** All baselines, quietly (the hospitals demo: a second or two). */
    public static Result run(FederatedScenario scenario, Architecture arch, long initSeed, TrainingConfig perRound, int rounds) {
        return run(scenario, arch, initSeed, perRound, rounds, Choice.ALL, null);
    }

    /**
     * The baselines {@code choice} names.
     *
     * @param progress where to print a line per baseline and epoch progress (at most every 5 s), or null for none
     */
    public static Result run(FederatedScenario scenario, Architecture arch, long initSeed, TrainingConfig perRound, int rounds,
            Choice choice, PrintStream progress) {
        TestScores central = null;
        if (choice.centralized()) {
            Dataset pooled = pooled(scenario.sites());
            central = new GlobalModelEvaluator(scenario.evaluationSet()).evaluate(trained(arch, initSeed, pooled, total(perRound, rounds),
                    scenario.standardizes(), progress == null ? EpochListener.NONE
                            : new Progress(progress, "centralised baseline", pooled.size())));
        }
        List<TestScores> single = choice.singleSites() ? singleSites(scenario, arch, initSeed, perRound, rounds, progress) : List.of();
        return new Result(central, single);
    }

    /** The pooled-data model after {@code rounds * localEpochs} epochs. */
    public static TestScores centralized(FederatedScenario scenario, Architecture arch, long initSeed, TrainingConfig perRound,
            int rounds) {
        return run(scenario, arch, initSeed, perRound, rounds, Choice.CENTRAL, null).centralized();
    }

    /** Each site's own model after {@code rounds * localEpochs} epochs, in site order. */
    public static List<TestScores> singleSites(FederatedScenario scenario, Architecture arch, long initSeed,
            TrainingConfig perRound, int rounds) {
        return singleSites(scenario, arch, initSeed, perRound, rounds, null);
    }

    private static List<TestScores> singleSites(FederatedScenario scenario, Architecture arch, long initSeed,
            TrainingConfig perRound, int rounds, PrintStream progress) {
        GlobalModelEvaluator evaluator = new GlobalModelEvaluator(scenario.evaluationSet());
        List<TestScores> single = new ArrayList<>();
        for (int i = 0; i < scenario.sites().size(); i++) {
            Dataset site = scenario.sites().get(i);
            EpochListener listener = progress == null ? EpochListener.NONE
                    : new Progress(progress, String.format(Locale.ROOT, "%s alone (%d/%d)", scenario.siteName(i), i + 1,
                            scenario.sites().size()), site.size());
            single.add(evaluator.evaluate(trained(arch, initSeed, site, total(perRound, rounds), scenario.standardizes(), listener)));
        }
        return single;
    }

    private static TrainingConfig total(TrainingConfig perRound, int rounds) {
        return perRound.withLocalEpochs(perRound.localEpochs() * rounds);
    }

    private static LocalModel trained(Architecture arch, long initSeed, Dataset raw, TrainingConfig cfg, boolean standardize,
            EpochListener progress) {
        LocalModel model = LocalModels.create(arch, initSeed);
        model.train(standardize ? StandardScaler.fit(raw).transform(raw) : raw, cfg, progress);
        return model;
    }

    static Dataset pooled(List<Dataset> sites) {
        int n = sites.stream().mapToInt(Dataset::size).sum();
        int d = sites.get(0).featureCount();
        float[] x = new float[Math.multiplyExact(n, d)];
        int[] y = new int[n];
        int row = 0;
        for (Dataset s : sites) {
            System.arraycopy(s.featuresRowMajor(), 0, x, row * d, s.size() * d);
            System.arraycopy(s.labels(), 0, y, row, s.size());
            row += s.size();
        }
        return new Dataset(x, y, sites.get(0).featureNames(), sites.get(0).classNames());
    }

    /** "centralised baseline: epoch 12/30, 20000 images, loss 0.4123, 14.2s": the first epoch, then every 5 s, and the last. */
    private static final class Progress implements EpochListener {
        private final PrintStream out;
        private final String what;
        private final int rows;
        private final long started = System.nanoTime();
        private long lastPrinted = Long.MIN_VALUE;

        Progress(PrintStream out, String what, int rows) {
            this.out = out;
            this.what = what;
            this.rows = rows;
        }

        @Override
        public void epochDone(int epoch, int epochs, double meanLoss) {
            long now = System.nanoTime();
            if (epoch == 1 || epoch == epochs || now - lastPrinted >= PROGRESS_EVERY_NANOS) {
                lastPrinted = now;
                out.printf(Locale.ROOT, "  %s: epoch %d/%d, %d images, loss %.4f, %.1fs%n", what, epoch, epochs, rows, meanLoss,
                        (now - started) / 1e9);
            }
        }
    }
}
