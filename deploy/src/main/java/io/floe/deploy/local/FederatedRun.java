package io.floe.deploy.local;

import io.floe.deploy.chaos.FaultInjector;
import io.floe.schema.AggregationReport;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.RejectedUpdate;
import io.floe.schema.UpdateScore;
import io.floe.trainer.attack.Attack;
import io.floe.trainer.attack.AttackingTraining;
import io.floe.trainer.attack.Backdoor;
import io.floe.trainer.attack.Collusion;
import io.floe.trainer.daemon.GlobalModelFollower;
import io.floe.trainer.daemon.HeartbeatPublisher;
import io.floe.trainer.daemon.LocalTraining;
import io.floe.trainer.daemon.ModelRegistration;
import io.floe.trainer.daemon.NetworkTraining;
import io.floe.trainer.daemon.TrainerLoop;
import io.floe.trainer.daemon.UpdatePublisher;
import io.floe.trainer.privacy.DpSgdConfig;
import io.floe.core.spec.Architecture;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.security.PrivateKey;
import java.util.Set;
import java.util.TreeSet;

/**
 * One federated run against a running {@link EmbeddedFloe}: registers the model, starts one
 * trainer thread per site of a {@link FederatedScenario} (the first {@code byzantine} of them
 * attacking), follows the published versions and scores each on the scenario's held-out
 * evaluation set, until the last round is published.
 * Several runs can share one broker and job, one after another, with distinct model ids.
 */
public final class FederatedRun {
    /**
     * A run fails when no new version is published for this long (a stalled job), however long it
     * runs; planned faults ({@link FaultInjector#plannedDowntime()}) add their length.
     */
    private static final Duration STALL_TIMEOUT = Duration.ofMinutes(10);

    private FederatedRun() {
    }

    /** @param out where to print a line per version, or null for a quiet run */
    public static List<RoundRecord> run(EmbeddedFloe floe, FederatedScenario scenario, RunSettings s, PrintStream out)
            throws Exception {
        return run(floe, scenario, s, out, FaultInjector.none());
    }

    /**
     * As above, with planned faults: {@code chaos} is started when the run starts (its schedule's
     * times count from there) and told of every version published; the caller closes it.
     */
    public static List<RoundRecord> run(EmbeddedFloe floe, FederatedScenario scenario, RunSettings s, PrintStream out,
            FaultInjector chaos) throws Exception {
        Duration stallTimeout = STALL_TIMEOUT.plus(chaos.plannedDowntime());
        Architecture arch = Architecture.parse(s.architecture());
        int sites = scenario.sites().size();
        boolean multiclass = scenario.multiclass();
        ModelSpec spec = ModelRegistration.spec(s.modelId(), arch, s.seed(), s.aggregation(), s.training());
        Optional<FederationKeys> keys = floe.federation();
        if (keys.isPresent()) {
            spec = ModelRegistration.authenticated(spec, "required", keys.get().operatorKey());
        }
        long started = System.nanoTime();
        ModelRegistration.publish(floe.bootstrapServers(), floe.topics().control(), spec, new Properties());
        if (keys.isPresent()) {
            TrustedFederation.enrol(floe, spec.getModelId(), scenario, keys.get());
            if (out != null) {
                out.printf("authentication required: %d sites enrolled by the operator; updates and heartbeats signed by the sites,"
                        + " versions by the job%n", sites);
            }
        }
        if (out != null && spec.getAggregation().getChunkBytes() != null) {
            out.printf("chunked model: every update and version travels as %d chunk(s) of up to %d bytes (%d parameters)%n",
                    ModelRegistration.chunkCount(spec), spec.getAggregation().getChunkBytes(), arch.parameterCount());
        }

        Optional<TrustAttack> trustAttack = s.attacked() ? TrustAttack.parse(s.attack()) : Optional.empty();
        Attack attack = s.attacked() && trustAttack.isEmpty() ? Attack.parse(s.attack()) : null;
        Optional<Backdoor> backdoor = attack != null && attack.kind() == Attack.Kind.BACKDOOR
                ? Optional.of(Backdoor.of(attack)) : Optional.empty();
        Collusion collusion = attack != null ? new Collusion(sites, s.byzantine()) : null;
        Set<String> attackers = new TreeSet<>();
        boolean dp = s.aggregation().getDpNoiseMultiplier() > 0;
        ClientConditions conditions = s.conditions();
        Set<Integer> stragglers = conditions.stragglers(sites, s.seed());
        // Trainers keep training until the run ends where rounds can close without them (async
        // modes, deadlines) or may skip versions (dropouts); otherwise one update per round.
        boolean openEnded = !"sync".equals(s.aggregation().getMode()) || s.aggregation().getRoundDeadlineMs() > 0
                || conditions.simulated() || conditions.durationSeconds() > 0;

        List<Thread> threads = new ArrayList<>();
        List<TrainerLoop> loops = new ArrayList<>();
        List<AutoCloseable> clients = new ArrayList<>();
        GlobalModelEvaluator evaluator = new GlobalModelEvaluator(scenario.evaluationSet());
        List<RoundRecord> history = new ArrayList<>();
        UplinkLedger uplink = new UplinkLedger();
        TrustAttacker trustAttacker = null;
        Set<String> aggregated = new HashSet<>();
        try (RoundObserver observer = new RoundObserver(floe.bootstrapServers(), floe.topics(), s.modelId())) {
            for (int i = 0; i < sites; i++) {
                String clientId = scenario.siteName(i);
                LocalTraining training;
                if (attack != null && i < s.byzantine()) {
                    training = new AttackingTraining(clientId, scenario.sites().get(i), s.seed() + i, attack, collusion);
                    attackers.add(clientId);
                } else {
                    NetworkTraining.Builder b = NetworkTraining.builder(clientId, scenario.sites().get(i)).seed(s.seed() + i)
                            .standardize(scenario.standardizes());
                    if (s.localDp() != null) {
                        b.dpSgd(DpSgdConfig.builder().clipNorm(s.localDp().clipNorm()).targetEpsilon(s.localDp().targetEpsilon())
                                .delta(s.localDp().delta()).plannedRounds(s.rounds()).build());
                    }
                    training = b.build();
                }
                if (conditions.simulated()) {
                    training = new SimulatedDevice(training, conditions.latencyMs(),
                            stragglers.contains(i) ? conditions.slowdown() : 1.0, conditions.dropout(), s.seed() * 31 + i);
                }
                PrivateKey clientKey = keys.map(k -> k.site(clientId).getPrivate()).orElse(null);
                GlobalModelFollower follower = new GlobalModelFollower(floe.bootstrapServers(), floe.topics().models(),
                        s.modelId(), new Properties(), keys.map(FederationKeys::jobPublicKey).orElse(null));
                UpdatePublisher publisher = new UpdatePublisher(floe.bootstrapServers(), floe.topics().updates(), new Properties(), null,
                        clientKey);
                HeartbeatPublisher heartbeats = new HeartbeatPublisher(floe.bootstrapServers(), floe.topics().clients(),
                        s.modelId(), clientId, scenario.sites().get(i).size(), new Properties(), clientKey);
                clients.add(follower);
                clients.add(publisher);
                clients.add(heartbeats);
                TrainerLoop loop = new TrainerLoop(clientId, follower, uplink.wrap(publisher), training, openEnded ? 0 : s.rounds(), u -> { },
                        heartbeats, TrainerLoop.DEFAULT_HEARTBEAT_INTERVAL);
                loops.add(loop);
                Thread t = new Thread(loop, s.modelId() + "/" + clientId);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
            if (out != null && conditions.simulated()) {
                out.println("devices: " + conditions.describe() + (stragglers.isEmpty() ? ""
                        : "; stragglers: " + stragglers.stream().map(scenario::siteName).toList()));
            }
            if (out != null) {
                out.println();
                out.println((multiclass ? "version  participants  rejected  test acc  test loss  clients' local acc"
                        : "version  participants  rejected  test AUC  test acc  clients' local AUC")
                        + (backdoor.isPresent() ? "  backdoor" : "") + (dp ? "   epsilon" : "") + (openEnded ? "  late  mean tau" : "")
                        + "  uplink KiB   elapsed");
            }
            if (trustAttack.isPresent()) {
                trustAttacker = TrustedFederation.startAttacker(trustAttack.get(), floe, spec, scenario, s.byzantine(), keys, out);
                clients.add(trustAttacker);
            }
            chaos.start(started);
            long deadline = System.nanoTime() + stallTimeout.toNanos();
            long stopAt = conditions.durationSeconds() > 0 ? started + (long) (conditions.durationSeconds() * 1e9) : Long.MAX_VALUE;
            double lastPrinted = -1;
            GlobalModel newest = null;
            boolean asyncMode = !"sync".equals(s.aggregation().getMode());
            while (history.isEmpty() || history.get(history.size() - 1).version() < s.rounds()) {
                if (System.nanoTime() > stopAt) {
                    if (out != null) {
                        out.printf("  stopped after %.0f s at version %d%n", conditions.durationSeconds(),
                                history.isEmpty() ? 0 : history.get(history.size() - 1).version());
                    }
                    break;
                }
                if (observer.exhaustedReport() != null) {
                    if (out != null) {
                        out.println("  " + observer.exhaustedReport().getNote());
                    }
                    break;
                }
                chaos.checkHealthy();
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("model " + s.modelId() + ": no new version for "
                            + stallTimeout.toSeconds() + " s (last: " + (history.isEmpty() ? "none" : "version "
                            + history.get(history.size() - 1).version()) + " of " + s.rounds() + "); job status " + floe.jobStatus());
                }
                for (RoundObserver.PublishedVersion v : observer.poll(Duration.ofMillis(200))) {
                    RoundRecord r = record(v.model(), v.report(), evaluator, backdoor, scenario, attackers, uplink, started,
                            TrustedFederation.attackerUpdatesIn(v.model(), attackers, v.report(), aggregated));
                    newest = v.model();
                    history.add(r);
                    chaos.versionPublished(r.version());
                    deadline = System.nanoTime() + stallTimeout.toNanos();
                    // async modes publish many versions a second: print at most two lines a second
                    boolean print = !asyncMode || r.seconds() - lastPrinted >= 0.5 || r.version() >= s.rounds() || r.version() <= 1;
                    if (out != null && print) {
                        lastPrinted = r.seconds();
                        double first = multiclass ? r.testAccuracy() : r.testAuc();
                        double second = multiclass ? r.testLoss() : r.testAccuracy();
                        double client = multiclass ? r.clientAccuracy() : r.clientAuc();
                        out.printf(multiclass ? "%7d  %12d  %8d  %8.4f  %9.4f  %18s%s%s%s  %10.1f  %7.1fs%n"
                                : "%7d  %12d  %8d  %8.4f  %8.4f  %18s%s%s%s  %10.1f  %7.1fs%n", r.version(), r.participants(), r.rejected(),
                                first, second, Double.isNaN(client) ? "-" : String.format("%.4f", client),
                                backdoor.isPresent() ? String.format("  %8.3f", r.backdoorSuccess()) : "",
                                dp ? (Double.isNaN(r.epsilon()) ? "         -" : String.format("  %8.3f", r.epsilon())) : "",
                                openEnded ? String.format(Locale.ROOT, "  %4d  %8.2f", r.lateUpdates(), r.meanStaleness()) : "",
                                r.uplinkBytes() / 1024.0, r.seconds());
                    }
                }
            }
            if (out != null && newest != null) {
                out.printf("model %s version %d sha256 %s%n", s.modelId(), newest.getVersion(), ModelDigest.of(newest));
            }
            if (out != null && trustAttacker != null) {
                out.printf("attack %s: the compromised sites sent %d records of their own; %d entered a version%n", trustAttack.get().cliName(),
                        trustAttacker.sent(), history.stream().mapToInt(RoundRecord::attackerUpdatesAccepted).sum());
            }
        } finally {
            loops.forEach(TrainerLoop::stop);
            for (Thread t : threads) {
                t.join(5_000);
            }
            for (AutoCloseable c : clients) {
                c.close();
            }
        }
        return history;
    }

    private static RoundRecord record(GlobalModel model, AggregationReport rep, GlobalModelEvaluator evaluator,
            Optional<Backdoor> backdoor, FederatedScenario scenario, Set<String> attackers, UplinkLedger uplink, long started,
            int attackerUpdatesAccepted) {
        TestScores m = evaluator.evaluate(model);
        int attackersRejected = 0;
        List<String> rejections = new ArrayList<>();
        if (rep != null) {
            for (RejectedUpdate r : rep.getRejected()) {
                rejections.add(r.getClientId() + ": " + r.getReason() + " (" + r.getDetail() + ")");
                if (r.getClientId() != null && attackers.contains(r.getClientId())) {
                    attackersRejected++;
                }
            }
        }
        int attackersFlagged = 0;
        int honestFlagged = 0;
        if (rep != null) {
            for (UpdateScore sc : rep.getScores()) {
                if (!"ACCEPT".equals(sc.getDecision())) {
                    if (attackers.contains(sc.getClientId())) {
                        attackersFlagged++;
                    } else {
                        honestFlagged++;
                    }
                }
            }
        }
        double asr = backdoor.map(b -> b.successRate(model, scenario.evaluationSet())).orElse(Double.NaN);
        return new RoundRecord(model.getVersion(), rep == null ? 0 : rep.getAccepted().size(),
                rep == null ? 0 : rep.getRejected().size(), attackersRejected, attackersFlagged, honestFlagged, m.auc(), m.accuracy(),
                rep == null ? Double.NaN : rep.getClientMetrics().getOrDefault("auc", Double.NaN), asr,
                (System.nanoTime() - started) / 1e9, rejections,
                rep == null || rep.getPrivacy() == null ? Double.NaN : rep.getPrivacy().getEpsilon(),
                rep == null ? 0 : rep.getLateUpdates(), rep == null ? 0 : meanStaleness(rep), m.logLoss(),
                rep == null ? Double.NaN : rep.getClientMetrics().getOrDefault("accuracy", Double.NaN),
                rep == null ? -1 : rep.getSelectedClients(), rep == null ? 0 : uplink.bytesOf(rep.getAccepted()),
                rep == null ? Double.NaN : uplink.maxEpsilonOf(rep.getAccepted()), rep == null ? 0 : rep.getDenseUplinkBytes(),
                attackerUpdatesAccepted);
    }

    private static double meanStaleness(AggregationReport rep) {
        long n = 0;
        double sum = 0;
        for (Map.Entry<String, Long> e : rep.getStaleness().entrySet()) {
            n += e.getValue();
            sum += Double.parseDouble(e.getKey()) * e.getValue();
        }
        return n == 0 ? 0 : sum / n;
    }
}
