package io.floe.bench.niid;

import io.floe.core.drift.DriftAlgorithm;
import io.floe.deploy.local.Baselines;
import io.floe.deploy.local.EmbeddedFloe;
import io.floe.deploy.local.FederatedRun;
import io.floe.deploy.local.FmnistScenario;
import io.floe.deploy.local.RoundRecord;
import io.floe.deploy.local.RunSettings;
import io.floe.deploy.local.TestScores;
import io.floe.schema.AggregationConfig;
import io.floe.trainer.daemon.ModelRegistration;
import io.floe.trainer.data.Dataset;
import io.floe.trainer.data.FashionMnist;
import io.floe.trainer.data.NiidPartition;
import io.floe.core.spec.Architecture;
import io.floe.trainer.model.TrainingConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Fashion-MNIST over 10 clients, every NIID-Bench partition of the plan x every algorithm against
 * client drift, each run through the real broker and the aggregation job (one {@link EmbeddedFloe}
 * for all runs, a model id per run), all clients in every round, FedAvg's weighted mean on the
 * server. Then the baselines on the same model and training budget ({@code rounds * localEpochs}
 * epochs): centralised on all training rows, and each client alone per partition.
 *
 * <p>Partitions after Li et al. (2022), "Federated Learning on Non-IID Data Silos: An Experimental
 * Study" (ICDE), section III-B ({@link NiidPartition}); algorithms FedAvg (McMahan et al. 2017),
 * FedProx (Li et al. 2020), SCAFFOLD (Karimireddy et al. 2020), FedNova (Wang et al. 2020), as
 * {@link DriftAlgorithm} specs. Results are written after every run, so an interrupted run keeps
 * what it measured.
 */
public final class NiidExperiment {
    /**
     * @param dataDir the Fashion-MNIST IDX directory
     * @param profile data slice, model and training budget
     * @param partitions NIID-Bench partition specs
     * @param algorithms drift algorithm specs
     * @param clients parties
     * @param seed seeds the split, initial weights and shuffling
     * @param baselines whether to train the centralised and single-client baselines
     */
    public record Plan(Path dataDir, NiidProfile profile, List<String> partitions, List<String> algorithms, int clients, long seed,
            boolean baselines) {
        public Plan {
            partitions.forEach(NiidPartition::parse);
            algorithms.forEach(DriftAlgorithm::parse);
            Architecture.parse(profile.model());
        }
    }

    /** The baselines: centralised (null when not trained) and each partition's single-client scores. */
    public record BaselineScores(TestScores centralized, Map<String, List<TestScores>> singleSites) {
    }

    private NiidExperiment() {
    }

    public static List<NiidCell> run(Plan plan, Path outDir, PrintStream log) throws Exception {
        NiidProfile p = plan.profile();
        long started = System.nanoTime();
        log.println("bench niid: " + p.describe() + "; " + plan.clients() + " clients, seed " + plan.seed());
        Dataset train = FashionMnist.loadTrain(plan.dataDir(), p.trainRows() <= 0 ? Integer.MAX_VALUE : p.trainRows());
        Dataset test = FashionMnist.loadTest(plan.dataDir(), p.testRows() <= 0 ? Integer.MAX_VALUE : p.testRows());
        Architecture arch = Architecture.parse(p.model());
        TrainingConfig perRound = new TrainingConfig(p.learningRate(), p.localEpochs(), p.batchSize(), plan.seed())
                .withMomentum(p.momentum());
        List<NiidCell> cells = new ArrayList<>();
        Map<String, FmnistScenario> scenarios = new LinkedHashMap<>();
        BaselineScores none = new BaselineScores(null, new LinkedHashMap<>());
        try (EmbeddedFloe floe = EmbeddedFloe.start(2, 2, Duration.ofMillis(300), "0")) {
            int n = 0;
            for (String partition : plan.partitions()) {
                FmnistScenario scenario = FmnistScenario.of(train, test, NiidPartition.parse(partition), plan.clients(), plan.seed());
                scenarios.put(partition, scenario);
                for (String algorithm : plan.algorithms()) {
                    String spec = DriftAlgorithm.parse(algorithm).toSpec();
                    AggregationConfig agg = AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(plan.clients())
                            .setAlgorithm(spec).build();
                    RunSettings s = new RunSettings(String.format(Locale.ROOT, "niid-%d", n++), p.model(), plan.seed(), p.rounds(), agg,
                            ModelRegistration.training(p.learningRate(), p.localEpochs(), p.batchSize(), p.momentum()), "none", 0);
                    long t0 = System.nanoTime();
                    List<RoundRecord> h = FederatedRun.run(floe, scenario, s, null);
                    NiidCell cell = new NiidCell(scenario.partition(), spec, h, (System.nanoTime() - t0) / 1e9);
                    cells.add(cell);
                    log.printf(Locale.ROOT, "[%6.0fs] %-14s %-18s accuracy %.4f (v%d, best %.4f), %.1f s/round, run %.0f s%n",
                            (System.nanoTime() - started) / 1e9, cell.partition(), cell.algorithm(), cell.finalAccuracy(),
                            cell.last().version(), cell.bestAccuracy(), cell.meanRoundSeconds(), cell.seconds());
                    NiidReport.write(cells, none, plan, outDir, (System.nanoTime() - started) / 1e9);
                }
            }
        }
        BaselineScores baselines = none;
        if (plan.baselines()) {
            Map<String, List<TestScores>> solo = new LinkedHashMap<>();
            for (Map.Entry<String, FmnistScenario> e : scenarios.entrySet()) {
                long t0 = System.nanoTime();
                solo.put(e.getKey(), Baselines.singleSites(e.getValue(), arch, plan.seed(), perRound, p.rounds()));
                log.printf(Locale.ROOT, "[%6.0fs] %-14s single clients: mean accuracy %.4f (%.0f s)%n", (System.nanoTime() - started) / 1e9,
                        e.getKey(), solo.get(e.getKey()).stream().mapToDouble(TestScores::accuracy).average().orElse(Double.NaN),
                        (System.nanoTime() - t0) / 1e9);
            }
            long t0 = System.nanoTime();
            // all training rows of the slice in one place: the iid split deals every row out
            FmnistScenario all = FmnistScenario.of(train, test, NiidPartition.parse("iid"), plan.clients(), plan.seed());
            TestScores central = Baselines.centralized(all, arch, plan.seed(), perRound, p.rounds());
            log.printf(Locale.ROOT, "[%6.0fs] centralised: accuracy %.4f (%.0f s)%n", (System.nanoTime() - started) / 1e9,
                    central.accuracy(), (System.nanoTime() - t0) / 1e9);
            baselines = new BaselineScores(central, solo);
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        NiidReport.write(cells, baselines, plan, outDir, elapsed);
        log.println();
        NiidReport.systemMetrics(cells, baselines, plan).print(log);
        log.printf(Locale.ROOT, "bench niid: %d runs in %.0f s%n", cells.size(), elapsed);
        return cells;
    }
}
