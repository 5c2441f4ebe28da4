package io.floe.deploy.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The demo's results: the side-by-side table printed at the end and the JSON report
 * ({@code federated.auc}, {@code federated.accuracy}, {@code centralized.auc},
 * {@code single_site.best_auc}, {@code single_site.mean_auc}, {@code history[]}, {@code config}).
 * For a multiclass scenario the table shows test accuracy and loss, and the JSON leaves out the
 * AUC fields (NaN, see {@link TestScores#auc()}) and adds {@code loss} to the federated and
 * history entries. Both end with the run's {@link FlSystemMetrics} (the JSON's {@code system_metrics}).
 * A baseline the run did not train ({@link Baselines.Choice}) is printed as "not measured" with the
 * option that trains it; in the JSON it is {@code null} and {@code baselines_not_measured} says so.
 */
public final class DemoReport {
    /** How to get a baseline a run did not train ({@link Baselines.Choice}). */
    static final String HOW_CENTRAL = "rerun with --baselines central or all";
    static final String HOW_SINGLE = "rerun with --baselines all";

    private final Map<String, Object> config;
    private final RunSettings run;
    private final List<RoundRecord> history;
    private final Baselines.Result baselines;
    private final boolean multiclass;
    private final String siteWord;
    private final FlSystemMetrics systemMetrics;

    /** The hospitals scenario's report: binary, sites called hospitals. */
    public DemoReport(Map<String, Object> config, RunSettings run, List<RoundRecord> history, Baselines.Result baselines,
            FlSystemMetrics systemMetrics) {
        this(config, run, history, baselines, false, "hospital", systemMetrics);
    }

    /**
     * @param multiclass whether the model is scored by accuracy (true) or AUC and accuracy (false)
     * @param siteWord what a site is called in the table, e.g. {@code hospital} or {@code client}
     */
    public DemoReport(Map<String, Object> config, RunSettings run, List<RoundRecord> history, Baselines.Result baselines,
            boolean multiclass, String siteWord, FlSystemMetrics systemMetrics) {
        this.config = config;
        this.run = run;
        this.history = List.copyOf(history);
        this.baselines = baselines;
        this.multiclass = multiclass;
        this.siteWord = siteWord;
        this.systemMetrics = systemMetrics;
    }

    public FlSystemMetrics systemMetrics() {
        return systemMetrics;
    }

    public Baselines.Result baselines() {
        return baselines;
    }

    public List<RoundRecord> history() {
        return history;
    }

    public RoundRecord finalRound() {
        return history.get(history.size() - 1);
    }

    public void printTable(PrintStream out) {
        RoundRecord fed = finalRound();
        out.println();
        if (multiclass) {
            TestScores c = baselines.centralized();
            out.println("                                   test accuracy   test loss");
            out.printf("  federated (floe, v%-3d)           %7.4f         %7.4f%n", fed.version(), fed.testAccuracy(), fed.testLoss());
            if (baselines.hasCentralized()) {
                out.printf("  centralised (pooled data)         %7.4f         %7.4f%n", c.accuracy(), c.logLoss());
            } else {
                out.printf("  centralised (pooled data)         not measured (%s)%n", HOW_CENTRAL);
            }
            if (baselines.hasSingleSites()) {
                TestScores best = baselines.bestSingleSite();
                out.printf("  best single %-8s              %7.4f         %7.4f%n", siteWord, best.accuracy(), best.logLoss());
                out.printf("  mean single %-8s              %7.4f%n", siteWord, baselines.meanSingleSiteAccuracy());
            } else {
                out.printf("  single %-8s                   not measured (%s)%n", siteWord, HOW_SINGLE);
            }
            out.println();
            systemMetrics.print(out, HOW_CENTRAL);
            printCompression(out);
            return;
        }
        out.println("                                   test AUC   test accuracy");
        out.printf("  federated (floe, v%-3d)           %7.4f    %7.4f%n", fed.version(), fed.testAuc(), fed.testAccuracy());
        if (baselines.hasCentralized()) {
            out.printf("  centralised (pooled data)         %7.4f    %7.4f%n", baselines.centralized().auc(),
                    baselines.centralized().accuracy());
        } else {
            out.printf("  centralised (pooled data)         not measured (%s)%n", HOW_CENTRAL);
        }
        if (baselines.hasSingleSites()) {
            TestScores best = baselines.bestSingleSite();
            out.printf("  best single hospital              %7.4f    %7.4f%n", best.auc(), best.accuracy());
            out.printf("  mean single hospital              %7.4f    %7.4f%n", baselines.meanSingleSiteAuc(),
                    baselines.meanSingleSiteAccuracy());
        } else {
            out.printf("  single hospital                   not measured (%s)%n", HOW_SINGLE);
        }
        if (run.attacked()) {
            int rounds = history.size() - 1;
            long caught = history.stream().skip(1).filter(r -> r.attackersRejected() > 0).count();
            int entered = history.stream().mapToInt(RoundRecord::attackerUpdatesAccepted).sum();
            if (TrustAttack.parse(run.attack()).isPresent()) {
                out.printf("%n  attack %s by %d hospitals: attacker records that entered a version: %d (the job dead-letters the"
                        + " rest with their reasons on floe.deadletter; docs/security.md)%n", run.attack(), run.byzantine(), entered);
            } else {
                out.printf("%n  attack %s by %d hospitals, rule %s: attackers' updates rejected in %d of %d rounds%s;"
                        + " attacker updates that entered a version: %d%n",
                        run.attack(), run.byzantine(), run.aggregation().getRule(), caught, rounds,
                        Double.isNaN(fed.backdoorSuccess()) ? "" : String.format(", backdoor success %.3f", fed.backdoorSuccess()),
                        entered);
            }
        }
        out.println();
        systemMetrics.print(out, HOW_CENTRAL);
        printCompression(out);
    }

    /** With compressed updates: what they took against what they would have taken dense. */
    private void printCompression(PrintStream out) {
        long wire = history.stream().mapToLong(RoundRecord::uplinkBytes).sum();
        long dense = history.stream().mapToLong(RoundRecord::denseUplinkBytes).sum();
        String compression = run.training().getCompression();
        if (!"none".equals(compression) && wire > 0 && dense > 0) {
            out.printf(java.util.Locale.ROOT, "  compression     %s%s: %s uplink, %s if dense (%.1fx less)%n", compression,
                    run.training().getErrorFeedback() ? " with error feedback" : "", FlSystemMetrics.ByteSize.of(wire),
                    FlSystemMetrics.ByteSize.of(dense), (double) dense / wire);
        }
    }

    public void writeJson(Path file) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.set("config", mapper.valueToTree(config));
        root.put("rule", run.aggregation().getRule());
        root.put("attack", run.attacked() ? run.attack() : "none");
        root.put("byzantine", run.attacked() ? run.byzantine() : 0);
        RoundRecord fed = finalRound();
        ObjectNode f = root.putObject("federated");
        f.put("version", fed.version());
        putFinite(f, "auc", fed.testAuc());
        f.put("accuracy", fed.testAccuracy());
        if (multiclass) {
            f.put("loss", fed.testLoss());
        }
        if (!Double.isNaN(fed.backdoorSuccess())) {
            f.put("backdoor_success", fed.backdoorSuccess());
        }
        if (!Double.isNaN(fed.epsilon())) {
            f.put("epsilon", fed.epsilon());
            f.put("delta", run.aggregation().getDpDelta());
        }
        f.put("uplink_bytes", history.stream().mapToLong(RoundRecord::uplinkBytes).sum());
        f.put("dense_uplink_bytes", history.stream().mapToLong(RoundRecord::denseUplinkBytes).sum());
        f.put("compression", run.training().getCompression());
        f.put("rounds_with_attackers_rejected", history.stream().skip(1).filter(r -> r.attackersRejected() > 0).count());
        f.put("attacker_updates_accepted", history.stream().mapToInt(RoundRecord::attackerUpdatesAccepted).sum());
        if (baselines.hasCentralized()) {
            ObjectNode c = root.putObject("centralized");
            putFinite(c, "auc", baselines.centralized().auc());
            c.put("accuracy", baselines.centralized().accuracy());
        } else {
            root.putNull("centralized");
        }
        if (baselines.hasSingleSites()) {
            writeSingleSites(root.putObject("single_site"));
        } else {
            root.putNull("single_site");
        }
        if (!baselines.hasCentralized() || !baselines.hasSingleSites()) {
            root.put("baselines_not_measured", (baselines.hasCentralized() ? "" : "centralized: " + HOW_CENTRAL + "; ")
                    + "single_site: " + HOW_SINGLE);
        }
        systemMetrics.writeTo(root.putObject("system_metrics"));
        writeHistory(root.putArray("history"));
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        mapper.writeValue(file.toFile(), root);
    }

    private void writeSingleSites(ObjectNode s) {
        putFinite(s, "best_auc", baselines.bestSingleSite().auc());
        s.put("best_accuracy", baselines.bestSingleSite().accuracy());
        putFinite(s, "mean_auc", baselines.meanSingleSiteAuc());
        s.put("mean_accuracy", baselines.meanSingleSiteAccuracy());
        ArrayNode sites = s.putArray("sites");
        for (int i = 0; i < baselines.singleSites().size(); i++) {
            TestScores m = baselines.singleSites().get(i);
            ObjectNode site = sites.addObject().put("site", i);
            putFinite(site, "auc", m.auc());
            site.put("accuracy", m.accuracy());
        }
    }

    private void writeHistory(ArrayNode h) {
        for (RoundRecord r : history) {
            ObjectNode n = h.addObject();
            n.put("version", r.version());
            n.put("participants", r.participants());
            n.put("rejected", r.rejected());
            n.put("attackers_rejected", r.attackersRejected());
            if (!Double.isNaN(r.backdoorSuccess())) {
                n.put("backdoor_success", r.backdoorSuccess());
            }
            putFinite(n, "auc", r.testAuc());
            n.put("accuracy", r.testAccuracy());
            if (multiclass) {
                n.put("loss", r.testLoss());
                putFinite(n, "client_accuracy", r.clientAccuracy());
            }
            if (Double.isFinite(r.clientAuc())) {
                n.put("client_auc", r.clientAuc());
            }
            n.put("seconds", r.seconds());
            if (!Double.isNaN(r.epsilon())) {
                n.put("epsilon", r.epsilon());
            }
            if (r.version() > 0) {
                n.put("uplink_bytes", r.uplinkBytes());
            }
            if (r.selected() > 0) {
                n.put("selected", r.selected());
            }
            if (!r.rejections().isEmpty()) {
                ArrayNode rej = n.putArray("rejections");
                r.rejections().forEach(rej::add);
            }
        }
    }

    /** JSON has no NaN: a score that is not defined (AUC of a multiclass model) is left out. */
    private static void putFinite(ObjectNode node, String field, double value) {
        if (Double.isFinite(value)) {
            node.put(field, value);
        }
    }
}
