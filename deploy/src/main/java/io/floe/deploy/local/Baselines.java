package io.floe.deploy.local;

import io.floe.trainer.data.Dataset;
import io.floe.trainer.data.StandardScaler;
import io.floe.trainer.eval.BinaryMetrics;
import io.floe.trainer.model.Architecture;
import io.floe.trainer.model.DenseNetwork;
import io.floe.trainer.model.TrainingConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * What federated learning is compared with, on the same model, split and test set:
 * <ul>
 *   <li>centralised: all hospitals' training data pooled in one place (what privacy forbids);
 *   <li>single site: each hospital training alone on its own data.
 * </ul>
 * Both train for the same number of epochs a federated client runs in total
 * ({@code rounds * localEpochs}) from the same initial weights, and standardise their training
 * data with statistics fitted on that data.
 */
public final class Baselines {
    private Baselines() {
    }

    public record Result(BinaryMetrics centralized, List<BinaryMetrics> singleSites) {
        public BinaryMetrics bestSingleSite() {
            return singleSites.stream().max((a, b) -> Double.compare(a.auc(), b.auc())).orElseThrow();
        }

        public double meanSingleSiteAuc() {
            return singleSites.stream().mapToDouble(BinaryMetrics::auc).average().orElse(Double.NaN);
        }

        public double meanSingleSiteAccuracy() {
            return singleSites.stream().mapToDouble(BinaryMetrics::accuracy).average().orElse(Double.NaN);
        }
    }

    public static Result run(HospitalsScenario scenario, Architecture arch, long initSeed, TrainingConfig perRound, int rounds) {
        GlobalModelEvaluator evaluator = new GlobalModelEvaluator(scenario.scaledTest());
        TrainingConfig total = new TrainingConfig(perRound.learningRate(), perRound.localEpochs() * rounds,
                perRound.batchSize(), perRound.seed());
        List<Dataset> sites = scenario.hospitals();
        BinaryMetrics centralized = evaluator.evaluate(trained(arch, initSeed, pooled(sites), total));
        List<BinaryMetrics> single = new ArrayList<>();
        for (Dataset site : sites) {
            single.add(evaluator.evaluate(trained(arch, initSeed, site, total)));
        }
        return new Result(centralized, single);
    }

    private static DenseNetwork trained(Architecture arch, long initSeed, Dataset raw, TrainingConfig cfg) {
        DenseNetwork net = new DenseNetwork(arch, arch.initialWeights(initSeed));
        net.train(StandardScaler.fit(raw).transform(raw), cfg);
        return net;
    }

    static Dataset pooled(List<Dataset> sites) {
        int n = sites.stream().mapToInt(Dataset::size).sum();
        int d = sites.get(0).featureCount();
        float[] x = new float[n * d];
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
