package io.floe.flink.aggregate;

import static io.floe.flink.aggregate.ScriptedRun.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.floe.schema.AggregationConfig;
import io.floe.schema.AggregationReport;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.DType;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.ModelUpdate;
import io.floe.schema.Tensor;
import io.floe.schema.TensorEncoding;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Golden digests of what {@link ModelAggregator} publishes for scripted, deterministic runs: fixed
 * record timestamps and update ids, processing time moved by the script, and a fixed central-DP
 * noise secret. Each test runs its script twice (the two digests must agree), prints the digest
 * and compares it with the recorded constant; see {@link ScriptedRun#digest()} for what is hashed.
 *
 * <p>These digests were recorded from the operator at commit f6747b6 (before the split into small
 * parts) and pin its published models and reports bit for bit; a change that alters them must
 * explain why in its commit. Since then they changed once, when version 0 got its own report
 * (status CREATED): a new output record, nothing else changed (without that report the digests
 * recorded at f6747b6 come back); and again when the tensor encodings (FP16, INT8, TOPK_F32) and
 * the training config's {@code compression} and {@code errorFeedback} fields were added to the
 * schemas: every model and report record got a new schema fingerprint and the model records two
 * default fields, while their tensors stayed the same bytes (the demo's tensor-only sha256 of
 * version 20 did not change); and once more when every report got {@code uplinkBytes} and
 * {@code denseUplinkBytes} (the accepted updates' wire bytes, and as if dense): new fields in the
 * report records only; and when chunked models came (issue 12): ModelSpec, ModelUpdate and
 * GlobalModel got a defaulted field ({@code chunkBytes}, {@code chunks}), so new fingerprints and
 * one more byte (a null) per model record, with the same tensors; and when signing came (issue 14):
 * GlobalModel got a defaulted {@code signature} (null here: these jobs have no key), so a new
 * fingerprint and one more byte per model record, with the same tensors; and when scoring came to
 * cost only what the model uses (issue 13): reports outside the Krum rules carry a NaN Krum score,
 * and the norms and cosines are summed tensor by tensor with four partial sums (their last bits),
 * in the reports only: a digest over the model records alone is the same before and after.
 *
 * <p>The scripts use only the operator's public constructor, the harness, the Avro records and
 * the wire codec, so they survive a reorganisation of the core classes behind the operator. Where
 * a script needs to know what the operator decided (which clients a version selected), it reads
 * the published model.
 */
class ModelVersionGoldenTest {
    private static final byte[] SECRET = "golden DP noise secret, do not change".getBytes(StandardCharsets.UTF_8);

    static final String SYNC_FEDAVG = "02d40e29fa3b9b1811e494ec046c5596a10355566f14d6c32dee43d43c79e244";
    static final String MEDIAN_QUARANTINE = "f4f1ad897356e3e69f084ab0ef419968f55551b8ffceebbfb80c7cbe955f2945";
    static final String TRIMMED_MEAN_AND_KRUM = "46fc42e301fdb033e55ff0adc4ba1785e01cd70d366cafd9586526c897ea4c73";
    static final String CENTRAL_DP = "cfb3a8f924c6369098b84786a15b1ea949c705103541d635a73188530d249a10";
    static final String FEDBUFF = "9aaf2965b6cb8f0ab842c3bea49fe656ce0983dbaae917243c566c71bb1e9798";
    static final String FEDASYNC = "067cb46998d49b9c18fe62f574e4d0d689c8a13ae8578f991eb0754c7ef5f269";
    static final String SCAFFOLD_FEDADAM = "06016b5f483192b93c7f82d5b99b0bad0007e2c93d8189f1808f76281ee68ad2";
    static final String FEDNOVA_MOMENTUM = "81b4a8bcec5acb843a7ad9762b97d57f0b1c940c7f68511df6941bedbd5488dc";
    static final String ROUND_DEADLINE = "5ad4aaa2e6873c9adecd909495fcb01f37ea3bc3524a0b2651d51117ade112e3";
    static final String CLIENT_SELECTION = "c0cb1e6556b23576ee2e3a532430d4ddac2fbd51e03a5856ccdf1e122b554b43";

    /** A step of a script; it may look at what was published so far. */
    @FunctionalInterface
    private interface Script {
        void play(ScriptedRun run) throws Exception;
    }

    /** Runs the script twice, checks both runs publish the same, prints and returns the digest. */
    private static String digestOf(String name, Script script) throws Exception {
        String first;
        try (ScriptedRun run = new ScriptedRun(SECRET)) {
            script.play(run);
            first = run.digest();
        }
        String second;
        try (ScriptedRun run = new ScriptedRun(SECRET)) {
            script.play(run);
            second = run.digest();
        }
        assertThat(second).as("%s: a second run of the same script", name).isEqualTo(first);
        System.out.println("golden digest " + name + " = " + first);
        return first;
    }

    // ---- 1. sync fedavg -------------------------------------------------------------------

    @Test
    void syncFedAvg() throws Exception {
        assertThat(digestOf("SYNC_FEDAVG", this::syncFedAvgScript)).isEqualTo(SYNC_FEDAVG);
    }

    private void syncFedAvgScript(ScriptedRun run) throws Exception {
        String m = "golden-fedavg";
        run.spec(spec(m, AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(3)));
        for (int round = 0; round < 4; round++) {
            if (round == 2) {
                run.restart(); // between rounds
            }
            run.update(update(m, "a", round, 10 + round, delta(0, round)));
            if (round == 1) {
                run.update(update(m, "d", 0, 7, delta(3, round)).setUpdateId("d-late")); // base 0 while 1 is open
                run.update(update(m, "x", 1, 7, List.of(tensor("dense0.W", List.of(1, 2), 1f, 1f), tensor("dense0.b", List.of(1), 0f)))
                        .setUpdateId("x-layout")); // wrong layout
                run.update(update(m + "-unknown", "a", 0, 1, delta(0, 0))); // no such model
            }
            if (round == 3) {
                run.update(update(m, "a", round, 3, delta(1, round)).setUpdateId("a-twice")); // a second update from a
                run.update(update(m, "a", round, 10 + round, delta(0, round))); // a redelivery: ignored
            }
            run.update(update(m, "b", round, 20, delta(1, round)));
            if (round == 2) {
                run.restart(); // with an open round
            }
            run.update(update(m, "c", round, 5 * (round + 1), delta(2, round)));
        }
        assertThat(run.models()).extracting(GlobalModel::getVersion).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(run.deadLetterReasons()).contains("LATE_UPDATE", "UNKNOWN_MODEL", "DUPLICATE_CLIENT");
    }

    // ---- 2. median, anomaly rejection and quarantine ---------------------------------------

    @Test
    void medianWithAnomalyRejectionAndQuarantine() throws Exception {
        assertThat(digestOf("MEDIAN_QUARANTINE", this::medianScript)).isEqualTo(MEDIAN_QUARANTINE);
    }

    private void medianScript(ScriptedRun run) throws Exception {
        String m = "golden-median";
        run.spec(spec(m, AggregationConfig.newBuilder().setRule("median").setClientsPerRound(4).setAnomalyPolicy("reject")
                .setQuarantineWindow(5).setQuarantineRejections(3)));
        for (int round = 0; round < 5; round++) {
            if (round == 3) {
                run.restart(); // mallory's quarantine in the client standings
            }
            if (round == 4) {
                run.release(m, "mallory");
                run.release(m, "a"); // not quarantined: refused
            }
            run.update(update(m, "a", round, 10, delta(0, round)));
            run.update(update(m, "mallory", round, 10, round < 4 ? huge(round) : delta(3, round)));
            run.update(update(m, "b", round, 12, delta(1, round)));
            run.update(update(m, "c", round, 8, delta(2, round)));
        }
        assertThat(run.models()).extracting(GlobalModel::getVersion).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(run.reports()).flatExtracting(AggregationReport::getQuarantined).containsExactly("mallory");
        assertThat(run.deadLetterReasons()).contains("ANOMALOUS_UPDATE", "QUARANTINED", "INVALID_COMMAND");
    }

    // ---- 3. trimmed mean and krum ------------------------------------------------------------

    @Test
    void trimmedMeanAndKrumSideBySide() throws Exception {
        assertThat(digestOf("TRIMMED_MEAN_AND_KRUM", this::robustRulesScript)).isEqualTo(TRIMMED_MEAN_AND_KRUM);
    }

    private void robustRulesScript(ScriptedRun run) throws Exception {
        String trimmed = "golden-trimmed-mean";
        String krum = "golden-krum";
        run.spec(spec(trimmed, AggregationConfig.newBuilder().setRule("trimmed-mean").setTrimFraction(0.2).setClientsPerRound(5)));
        run.spec(spec(krum, AggregationConfig.newBuilder().setRule("krum").setByzantineClients(1).setClientsPerRound(5)));
        for (int round = 0; round < 3; round++) {
            for (int client = 0; client < 5; client++) {
                String id = "c" + client;
                List<Tensor> d = client == 4 ? huge(round) : delta(client, round);
                run.update(update(trimmed, id, round, 5L + client, d));
                run.update(update(krum, id, round, 5L + client, d));
            }
        }
        assertThat(run.models()).extracting(GlobalModel::getVersion).containsExactly(0L, 0L, 1L, 1L, 2L, 2L, 3L, 3L);
    }

    // ---- 4. central DP ---------------------------------------------------------------------

    @Test
    void centralDpWithFixedAndAdaptiveClippingUpToTheBudget() throws Exception {
        assertThat(digestOf("CENTRAL_DP", this::centralDpScript)).isEqualTo(CENTRAL_DP);
    }

    private void centralDpScript(ScriptedRun run) throws Exception {
        String fixed = "golden-dp-fixed";
        String adaptive = "golden-dp-adaptive";
        run.spec(spec(fixed, AggregationConfig.newBuilder().setClientsPerRound(3).setDpNoiseMultiplier(3.0).setDpClipNorm(0.5)
                .setDpDelta(1e-5).setDpTargetEpsilon(DP_TARGET_EPSILON)));
        run.spec(spec(adaptive, AggregationConfig.newBuilder().setClientsPerRound(3).setDpNoiseMultiplier(2.0).setDpClipNorm(0.3)
                .setDpAdaptiveClipping(true).setDpTargetQuantile(0.5).setDpClipLearningRate(0.2).setDpClipCountStddev(1.5)
                .setDpDelta(1e-5)));
        for (int round = 0; round < 5; round++) {
            if (round == 2) {
                run.restart();
            }
            for (int client = 0; client < 3; client++) {
                run.update(update(fixed, "c" + client, round, 4 + client, delta(client, round)));
                run.update(update(adaptive, "c" + client, round, 4 + client, delta(client, round)));
            }
        }
        assertThat(run.models()).filteredOn(v -> v.getModelId().equals(fixed)).extracting(GlobalModel::getVersion)
                .containsExactly(0L, 1L, 2L, 3L);
        assertThat(run.models()).filteredOn(v -> v.getModelId().equals(adaptive)).extracting(GlobalModel::getVersion)
                .containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(run.reports()).extracting(AggregationReport::getStatus).contains("BUDGET_EXHAUSTED");
        assertThat(run.deadLetterReasons()).contains("PRIVACY_BUDGET_EXHAUSTED");
    }

    /** Between the fixed model's epsilon after 3 versions (2.54) and after 4 (2.98), for z = 3 and delta 1e-5. */
    private static final double DP_TARGET_EPSILON = 2.75;

    // ---- 5. fedbuff --------------------------------------------------------------------------

    @Test
    void fedBuffWithStalenessParticipationWeightingAndServerLearningRate() throws Exception {
        assertThat(digestOf("FEDBUFF", this::fedBuffScript)).isEqualTo(FEDBUFF);
    }

    private void fedBuffScript(ScriptedRun run) throws Exception {
        String m = "golden-fedbuff";
        run.spec(spec(m, AggregationConfig.newBuilder().setMode("fedbuff").setBufferSize(3).setStaleness("polynomial:a=0.5")
                .setParticipationWeighting("interval").setServerLearningRate(0.5).setClientsPerRound(10)));
        // {client, base version}; versions advance every three accepted updates
        String[][] script = {
            {"a", "0"}, {"b", "0"}, {"c", "0"},
            {"a", "1"}, {"d", "0"}, {"b", "1"},
            {"a", "2"}, {"c", "1"}, {"restart", ""}, {"a", "2"}, {"b", "2"},
            {"a", "3"}, {"d", "2"}, {"c", "3"},
            {"b", "3"}, {"a", "4"}, {"d", "3"},
        };
        int step = 0;
        for (String[] s : script) {
            if (s[0].equals("restart")) {
                run.restart(); // two updates buffered
                continue;
            }
            long base = Long.parseLong(s[1]);
            int client = s[0].charAt(0) - 'a';
            ModelUpdate.Builder u = update(m, s[0], base, 3L + 2 * client + step, delta(client, step));
            if (step == 8) {
                u.setUpdateId("u-a-2-again"); // a second update from a on base 2: refused
                u.setNumExamples(1);
            }
            run.update(u);
            step++;
        }
        run.update(update(m, "b", 3, 3L + 2 + 14, delta(1, 14))); // redelivered from the last buffer: applied once
        assertThat(run.models()).extracting(GlobalModel::getVersion).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(run.deadLetterReasons()).contains("DUPLICATE_CLIENT");
    }

    // ---- 6. fedasync -------------------------------------------------------------------------

    @Test
    void fedAsyncWithMixingAndPolynomialStaleness() throws Exception {
        assertThat(digestOf("FEDASYNC", this::fedAsyncScript)).isEqualTo(FEDASYNC);
    }

    private void fedAsyncScript(ScriptedRun run) throws Exception {
        String m = "golden-fedasync";
        run.spec(spec(m, AggregationConfig.newBuilder().setMode("fedasync").setAsyncMixing(0.6).setStaleness("polynomial:a=0.5")
                .setMaxStaleness(3).setClientsPerRound(10)));
        run.update(update(m, "a", 0, 10, delta(0, 0)));   // v1, tau 0
        run.update(update(m, "b", 0, 20, delta(1, 0)));   // v2, tau 1
        run.update(update(m, "c", 1, 5, delta(2, 1)));    // v3, tau 1
        run.restart();
        run.update(update(m, "a", 3, 10, delta(0, 3)));   // v4, tau 0
        run.update(update(m, "a", 3, 10, delta(0, 3)));   // redelivered: ignored
        run.update(update(m, "d", 0, 15, delta(3, 0)));   // tau 4 > maxStaleness 3: refused
        run.update(update(m, "d", 1, 15, delta(3, 1)));   // v5, tau 3
        run.update(update(m, "b", 2, 20, delta(1, 2)));   // v6, tau 3
        assertThat(run.models()).extracting(GlobalModel::getVersion).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(run.deadLetterReasons()).containsExactly("STALE_UPDATE");
    }

    // ---- 7. drift algorithms and server optimizers ----------------------------------------

    @Test
    void scaffoldWithFedAdam() throws Exception {
        assertThat(digestOf("SCAFFOLD_FEDADAM", this::scaffoldScript)).isEqualTo(SCAFFOLD_FEDADAM);
    }

    private void scaffoldScript(ScriptedRun run) throws Exception {
        String m = "golden-scaffold";
        run.spec(spec(m, AggregationConfig.newBuilder().setAlgorithm("scaffold").setServerOptimizer("fedadam").setTotalClients(4)
                .setClientsPerRound(2)));
        for (int round = 0; round < 4; round++) {
            if (round == 2) {
                run.restart(); // optimizer moments in keyed state
            }
            for (int k = 0; k < 2; k++) {
                int client = (2 * round + k) % 4;
                run.update(update(m, "c" + client, round, 6 + client, delta(client, round))
                        .setControlDelta(delta(3 - client, round + 1)));
            }
        }
        assertThat(run.models()).extracting(GlobalModel::getVersion).containsExactly(0L, 1L, 2L, 3L, 4L);
    }

    @Test
    void fedNovaWithClientMomentumAndFedAvgM() throws Exception {
        assertThat(digestOf("FEDNOVA_MOMENTUM", this::fedNovaScript)).isEqualTo(FEDNOVA_MOMENTUM);
    }

    private void fedNovaScript(ScriptedRun run) throws Exception {
        String m = "golden-fednova";
        run.spec(specBuilder(m, AggregationConfig.newBuilder().setAlgorithm("fednova").setServerOptimizer("fedavgm").setClientsPerRound(3))
                .setTraining(ClientTrainingConfig.newBuilder().setLearningRate(0.05f).setLocalEpochs(2).setBatchSize(16)
                        .setMomentum(0.9f).build()).build());
        for (int round = 0; round < 3; round++) {
            for (int client = 0; client < 3; client++) {
                run.update(update(m, "c" + client, round, 10L * (client + 1), delta(client, round)).setLocalSteps(2 + 3 * client + round));
            }
        }
        assertThat(run.models()).extracting(GlobalModel::getVersion).containsExactly(0L, 1L, 2L, 3L);
    }

    // ---- 8. round deadlines and client selection -------------------------------------------

    @Test
    void roundDeadlineExtendsThenClosesAndClosesAtTheCount() throws Exception {
        assertThat(digestOf("ROUND_DEADLINE", this::deadlineScript)).isEqualTo(ROUND_DEADLINE);
    }

    private void deadlineScript(ScriptedRun run) throws Exception {
        String m = "golden-deadline";
        long opened = 10_000L;
        long timeout = 1_000L;
        run.processingTime(opened);
        run.spec(spec(m, AggregationConfig.newBuilder().setClientsPerRound(3).setRoundDeadlineMs(timeout).setMinFitClients(2)));
        // round 0: one update by the deadline (EXTENDED), a second during the extension, closed at the extended deadline
        run.processingTime(opened + 100);
        run.update(update(m, "a", 0, 10, delta(0, 0)));
        run.processingTime(opened + timeout);
        run.processingTime(opened + timeout + 400);
        run.update(update(m, "b", 0, 20, delta(1, 0)));
        run.restart(); // with a pending, extended deadline
        run.processingTime(opened + 2 * timeout);
        run.update(update(m, "c", 0, 5, delta(2, 0))); // late for the closed round
        // round 1: three updates before its deadline, closed at the count
        run.processingTime(opened + 2 * timeout + 100);
        for (int client = 0; client < 3; client++) {
            run.update(update(m, String.valueOf((char) ('a' + client)), 1, 5L + client, delta(client, 1)));
        }
        // round 2: two updates, closed at its deadline; the stale timer of round 1 does nothing
        run.processingTime(opened + 3 * timeout);
        run.update(update(m, "b", 2, 7, delta(1, 2)));
        run.update(update(m, "c", 2, 9, delta(2, 2)));
        run.processingTime(opened + 4 * timeout + 100);
        assertThat(run.models()).extracting(GlobalModel::getVersion).containsExactly(0L, 1L, 2L, 3L);
        assertThat(run.reports()).extracting(AggregationReport::getStatus)
                .containsExactly("CREATED", "EXTENDED", "PUBLISHED", "PUBLISHED", "PUBLISHED");
    }

    @Test
    void clientSelectionWithHeartbeatsAndFractionFit() throws Exception {
        assertThat(digestOf("CLIENT_SELECTION", this::selectionScript)).isEqualTo(CLIENT_SELECTION);
    }

    private void selectionScript(ScriptedRun run) throws Exception {
        String m = "golden-selection";
        List<String> clients = List.of("c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7");
        run.processingTime(50_000L);
        for (String c : clients) {
            run.heartbeat(m, c);
        }
        run.spec(spec(m, AggregationConfig.newBuilder().setClientsPerRound(3).setFractionFit(0.5).setMinFitClients(1)
                .setMinAvailableClients(4).setClientTimeoutMs(60_000L).setRoundDeadlineMs(5_000L)));
        for (int round = 0; round < 3; round++) {
            if (round == 1) {
                run.restart(); // heartbeats and the selection in state
            }
            List<String> selection = run.latestModel(m).getSelection();
            assertThat(selection).as("version %s selects", round).isNotNull().isNotEmpty();
            String outsider = clients.stream().filter(c -> !selection.contains(c)).findFirst().orElseThrow();
            run.update(update(m, outsider, round, 4, delta(3, round))); // not selected
            int sent = 0;
            for (String c : selection) {
                if (sent == Math.min(2, selection.size())) {
                    break;
                }
                int i = c.charAt(1) - '0';
                run.update(update(m, c, round, 4L + i, delta(i % 4, round)));
                sent++;
            }
            if (round == 0) {
                run.heartbeat(m, "c1"); // refreshes c1 only
            }
            run.processingTime(50_000L + 5_000L * (round + 1) + 10);
        }
        assertThat(run.models()).extracting(GlobalModel::getVersion).containsExactly(0L, 1L, 2L, 3L);
        assertThat(run.deadLetterReasons()).contains("NOT_SELECTED");
    }

    // ---- records -----------------------------------------------------------------------------

    /** A spec of the two-input linear model of {@link TinyLinearModel}: W = [0.5, -0.25], b = [0.125]. */
    private static ModelSpec.Builder specBuilder(String modelId, AggregationConfig.Builder aggregation) {
        return ModelSpec.newBuilder()
                .setModelId(modelId)
                .setArchitecture("logreg(2)")
                .setInitialTensors(tensors(0.5f, -0.25f, 0.125f))
                .setInitSeed(42L)
                .setAggregation(aggregation.build())
                .setTraining(ClientTrainingConfig.newBuilder().setLearningRate(0.1f).setLocalEpochs(1).setBatchSize(8).build())
                .setCreatedAt(Instant.ofEpochMilli(T0));
    }

    private static ModelSpec spec(String modelId, AggregationConfig.Builder aggregation) {
        return specBuilder(modelId, aggregation).build();
    }

    /** An update with id {@code u-<client>-<base>}, trained from {@code base}. */
    private static ModelUpdate.Builder update(String modelId, String client, long base, long numExamples, List<Tensor> delta) {
        return ModelUpdate.newBuilder()
                .setUpdateId("u-" + client + "-" + base)
                .setModelId(modelId)
                .setClientId(client)
                .setBaseVersion(base)
                .setNumExamples(numExamples)
                .setLocalSteps(3)
                .setCreatedAt(Instant.ofEpochMilli(T0))
                .setTensors(delta)
                .setMetrics(Map.of("loss", 0.5 + 0.01 * numExamples));
    }

    /** A small delta, different for every client and round, pointing roughly the same way for all. */
    private static List<Tensor> delta(int client, int round) {
        return tensors(0.10f + 0.03f * client + 0.01f * round, 0.05f + 0.02f * round - 0.01f * client, 0.02f + 0.005f * client);
    }

    /** An update far larger than any honest one. */
    private static List<Tensor> huge(int round) {
        return tensors(40f + round, -35f, 50f);
    }

    private static List<Tensor> tensors(float w0, float w1, float b) {
        return List.of(tensor("dense0.W", List.of(2, 1), w0, w1), tensor("dense0.b", List.of(1), b));
    }

    /** A dense little-endian float32 tensor record, as the trainers write them. */
    private static Tensor tensor(String name, List<Integer> shape, float... values) {
        ByteBuffer data = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            data.putFloat(v);
        }
        return Tensor.newBuilder()
                .setName(name)
                .setShape(shape)
                .setDtype(DType.FLOAT32)
                .setEncoding(TensorEncoding.DENSE_F32)
                .setData(ByteBuffer.wrap(data.array()))
                .build();
    }
}
