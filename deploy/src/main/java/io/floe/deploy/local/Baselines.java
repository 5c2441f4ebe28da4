package io.floe.deploy.local;

import io.floe.trainer.data.Dataset;
import io.floe.trainer.data.StandardScaler;
import io.floe.trainer.model.Architecture;
import io.floe.trainer.model.LocalModel;
import io.floe.trainer.model.TrainingConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

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
 */
public final class Baselines {
    private Baselines() {
    }

    public record Result(TestScores centralized, List<TestScores> singleSites) {
        /** The single site with the best headline score (AUC for a binary model, else accuracy). */
        public TestScores bestSingleSite() {
            return singleSites.stream().max(Comparator.comparingDouble(TestScores::headline)).orElseThrow();
        }

        public double meanSingleSiteAuc() {
            return singleSites.stream().mapToDouble(TestScores::auc).average().orElse(Double.NaN);
        }

        public double meanSingleSiteAccuracy() {
            return singleSites.stream().mapToDouble(TestScores::accuracy).average().orElse(Double.NaN);
        }
    }

    public static Result run(FederatedScenario scenario, Architecture arch, long initSeed, TrainingConfig perRound, int rounds) {
        return new Result(centralized(scenario, arch, initSeed, perRound, rounds), singleSites(scenario, arch, initSeed, perRound, rounds));
    }

    /** The pooled-data model after {@code rounds * localEpochs} epochs. */
    public static TestScores centralized(FederatedScenario scenario, Architecture arch, long initSeed, TrainingConfig perRound,
            int rounds) {
        GlobalModelEvaluator evaluator = new GlobalModelEvaluator(scenario.evaluationSet());
        return evaluator.evaluate(trained(arch, initSeed, pooled(scenario.sites()), total(perRound, rounds), scenario.standardizes()));
    }

    /** Each site's own model after {@code rounds * localEpochs} epochs, in site order. */
    public static List<TestScores> singleSites(FederatedScenario scenario, Architecture arch, long initSeed,
            TrainingConfig perRound, int rounds) {
        GlobalModelEvaluator evaluator = new GlobalModelEvaluator(scenario.evaluationSet());
        List<TestScores> single = new ArrayList<>();
        for (Dataset site : scenario.sites()) {
            single.add(evaluator.evaluate(trained(arch, initSeed, site, total(perRound, rounds), scenario.standardizes())));
        }
        return single;
    }

    private static TrainingConfig total(TrainingConfig perRound, int rounds) {
        return perRound.withLocalEpochs(perRound.localEpochs() * rounds);
    }

    private static LocalModel trained(Architecture arch, long initSeed, Dataset raw, TrainingConfig cfg, boolean standardize) {
        LocalModel model = arch.newModel(initSeed);
        model.train(standardize ? StandardScaler.fit(raw).transform(raw) : raw, cfg);
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
}
