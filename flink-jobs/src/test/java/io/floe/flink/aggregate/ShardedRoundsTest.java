package io.floe.flink.aggregate;

import static io.floe.flink.aggregate.ShardedOutputs.commands;
import static io.floe.flink.aggregate.ShardedOutputs.deadLetters;
import static io.floe.flink.aggregate.ShardedOutputs.drainAll;
import static io.floe.flink.aggregate.ShardedOutputs.parts;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.chunk.ChunkData;
import io.floe.core.chunk.ChunkedUpdates;
import io.floe.core.wire.TopicNames;
import io.floe.core.wire.WireCodec;
import io.floe.flink.io.InboundRecord;
import io.floe.flink.shard.ChunkCommand;
import io.floe.flink.shard.ChunkReceipt;
import io.floe.flink.shard.ManifestPart;
import io.floe.schema.AggregationConfig;
import io.floe.schema.AggregationReport;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.DeadLetter;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.ModelUpdate;
import io.floe.schema.Tensor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The coordinator of a chunked model ({@link io.floe.flink.aggregate.mode.ShardedRounds}) under the
 * keyed harness: headers are admitted to every chunk, receipts (before or after their header)
 * complete them, the round closes only when its members are complete, a chunk whose hash does not
 * match drops its update as a whole, a chunk still missing at the deadline too, and an open round
 * survives a snapshot and restore.
 */
class ShardedRoundsTest {
    private static final TopicNames TOPICS = TopicNames.defaults();
    private static final String MODEL = "sharded";
    private static final int CHUNK_BYTES = 1024;
    private static final int PARAMETERS = 600; // chunks of 256, 256 and 88 values
    private static final long T0 = 1_700_000_000_000L;

    @RegisterExtension
    final OpenedHarnesses harnesses = new OpenedHarnesses();

    @Test
    void versionZeroGoesToEveryChunkAndTheManifestWriter() throws Exception {
        var h = harnesses.open(null);
        h.processElement(new StreamRecord<>(specEvent(spec(2, 0)), T0));

        List<ChunkCommand> commands = commands(h);
        assertThat(commands).extracting(c -> c.kind, c -> c.index, c -> c.length).containsExactly(
                org.assertj.core.groups.Tuple.tuple(ChunkCommand.Kind.INIT, 0, 256),
                org.assertj.core.groups.Tuple.tuple(ChunkCommand.Kind.INIT, 1, 256),
                org.assertj.core.groups.Tuple.tuple(ChunkCommand.Kind.INIT, 2, 88));
        assertThat(commands.get(0).data).isEmpty(); // zeros: nothing to send
        ManifestPart v0 = parts(h).get(0);
        assertThat(v0.version).isZero();
        assertThat(WireCodec.GLOBAL_MODEL.decode(v0.model).getChunks().getParameters()).isEqualTo(PARAMETERS);
        assertThat(WireCodec.AGGREGATION_REPORT.decode(v0.report).getStatus()).isEqualTo("CREATED");
    }

    @Test
    void theRoundClosesWhenItsMembersAreCompleteWithReceiptsBeforeOrAfterTheirHeader() throws Exception {
        var h = harnesses.open(null);
        h.processElement(new StreamRecord<>(specEvent(spec(2, 0)), T0));
        drainAll(h);
        ChunkedUpdates.Cut alice = cut("alice");
        ChunkedUpdates.Cut bob = cut("bob");

        // bob's chunk 0 comes before his header
        h.processElement(new StreamRecord<>(receipt(bob, 0, null), T0 + 1));
        h.processElement(new StreamRecord<>(header("alice", 30, alice), T0 + 2));
        h.processElement(new StreamRecord<>(header("bob", 10, bob), T0 + 3));
        assertThat(commands(h)).extracting(c -> c.kind).containsOnly(ChunkCommand.Kind.ADMIT).hasSize(6);
        for (int i = 0; i < 3; i++) {
            h.processElement(new StreamRecord<>(receipt(alice, i, null), T0 + 4 + i));
        }
        h.processElement(new StreamRecord<>(receipt(bob, 1, null), T0 + 8));
        assertThat(commands(h)).as("bob's chunk 2 is still missing").isEmpty();

        h.processElement(new StreamRecord<>(receipt(bob, 2, null), T0 + 9));

        List<ChunkCommand> close = commands(h);
        assertThat(close).extracting(c -> c.kind).containsOnly(ChunkCommand.Kind.CLOSE).hasSize(3);
        assertThat(close.get(0).members).containsExactly("u-alice", "u-bob");
        assertThat(close.get(0).weights).containsExactly(30L, 10L);
        assertThat(close.get(0).totalWeight).isEqualTo(40L);
        assertThat(close.get(0).nextVersion).isEqualTo(1L);
        ManifestPart v1 = parts(h).get(0);
        AggregationReport report = WireCodec.AGGREGATION_REPORT.decode(v1.report);
        assertThat(report.getAccepted()).extracting(a -> a.getClientId(), a -> a.getWeight())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("alice", 0.75), org.assertj.core.groups.Tuple.tuple("bob", 0.25));
        assertThat(report.getUplinkBytes()).as("headers and chunk data").isGreaterThan(2L * 4 * PARAMETERS);
        GlobalModel model = WireCodec.GLOBAL_MODEL.decode(v1.model);
        assertThat(model.getProvenance().getUpdateIds()).containsExactly("u-alice", "u-bob");
    }

    @Test
    void fedNovaFoldsEachDeltaDividedByItsStepsAndScalesByTheEffectiveSteps() throws Exception {
        var h = harnesses.open(null);
        ModelSpec nova = spec(2, 0);
        nova.getAggregation().setAlgorithm("fednova");
        h.processElement(new StreamRecord<>(specEvent(nova), T0));
        drainAll(h);
        ChunkedUpdates.Cut alice = cut("alice");
        ChunkedUpdates.Cut bob = cut("bob");
        // a header without local steps is refused
        h.processElement(new StreamRecord<>(header("carol", 5, cut("carol"), 0), T0));
        assertThat(deadLetters(h)).extracting(DeadLetter::getReason).containsExactly("INVALID_LOCAL_STEPS");
        commands(h);
        h.processElement(new StreamRecord<>(header("alice", 30, alice, 2), T0 + 1));
        h.processElement(new StreamRecord<>(header("bob", 10, bob, 8), T0 + 2));
        List<ChunkCommand> admits = commands(h);
        assertThat(admits).filteredOn(c -> "u-alice".equals(c.updateId)).extracting(c -> c.divisor).containsOnly(2.0);
        assertThat(admits).filteredOn(c -> "u-bob".equals(c.updateId)).extracting(c -> c.divisor).containsOnly(8.0);
        for (int i = 0; i < 3; i++) {
            h.processElement(new StreamRecord<>(receipt(alice, i, null), T0 + 3 + i));
            h.processElement(new StreamRecord<>(receipt(bob, i, null), T0 + 6 + i));
        }

        // p = (0.75, 0.25), a = (2, 8): tau_eff = 3.5; coefficients tau_eff p_i / a_i = (1.3125, 0.109375)
        ChunkCommand close = commands(h).get(0);
        assertThat(close.scale).isEqualTo(3.5);
        AggregationReport report = WireCodec.AGGREGATION_REPORT.decode(parts(h).get(0).report);
        assertThat(report.getAccepted()).extracting(a -> a.getWeight()).containsExactly(1.3125, 0.109375);
    }

    @Test
    void aChunkWhoseHashDoesNotMatchDropsItsUpdateAsAWhole() throws Exception {
        var h = harnesses.open(null);
        h.processElement(new StreamRecord<>(specEvent(spec(2, 0)), T0));
        drainAll(h);
        ChunkedUpdates.Cut alice = cut("alice");
        ChunkedUpdates.Cut mallory = cut("mallory");
        h.processElement(new StreamRecord<>(header("alice", 30, alice), T0 + 1));
        h.processElement(new StreamRecord<>(header("mallory", 10, mallory), T0 + 2));
        commands(h);

        h.processElement(new StreamRecord<>(receipt(mallory, 1, new byte[32]), T0 + 3));

        assertThat(commands(h)).extracting(c -> c.kind, c -> c.updateId).containsOnly(
                org.assertj.core.groups.Tuple.tuple(ChunkCommand.Kind.DROP, "u-mallory")).hasSize(3);
        DeadLetter letter = deadLetters(h).get(0);
        assertThat(letter.getReason()).isEqualTo("CHUNK_MISMATCH");
        assertThat(letter.getDetail()).contains("chunk 1 of update u-mallory");
        // mallory's seat stays taken: alice completes the round alone
        for (int i = 0; i < 3; i++) {
            h.processElement(new StreamRecord<>(receipt(alice, i, null), T0 + 4 + i));
        }
        assertThat(commands(h).get(0).members).containsExactly("u-alice");
        AggregationReport report = WireCodec.AGGREGATION_REPORT.decode(parts(h).get(0).report);
        assertThat(report.getRejected()).extracting(r -> r.getReason()).containsExactly("CHUNK_MISMATCH");
    }

    @Test
    void aChunkMissingAtTheDeadlineDropsItsUpdateAndTheRoundClosesWithTheRest() throws Exception {
        var h = harnesses.open(null);
        h.setProcessingTime(1_000);
        h.processElement(new StreamRecord<>(specEvent(spec(2, 5_000)), T0));
        drainAll(h);
        ChunkedUpdates.Cut alice = cut("alice");
        ChunkedUpdates.Cut bob = cut("bob");
        h.processElement(new StreamRecord<>(header("alice", 30, alice), T0 + 1));
        h.processElement(new StreamRecord<>(header("bob", 10, bob), T0 + 2));
        for (int i = 0; i < 3; i++) {
            h.processElement(new StreamRecord<>(receipt(alice, i, null), T0 + 3 + i));
        }
        h.processElement(new StreamRecord<>(receipt(bob, 0, null), T0 + 7));
        commands(h);

        h.setProcessingTime(6_000);

        List<ChunkCommand> commands = commands(h);
        assertThat(commands).filteredOn(c -> c.kind == ChunkCommand.Kind.DROP).extracting(c -> c.updateId).containsOnly("u-bob");
        assertThat(commands).filteredOn(c -> c.kind == ChunkCommand.Kind.CLOSE).hasSize(3)
                .allSatisfy(c -> assertThat(c.members).containsExactly("u-alice"));
        assertThat(deadLetters(h)).extracting(DeadLetter::getReason).containsExactly("MISSING_CHUNK");
    }

    @Test
    void anOpenRoundSurvivesASnapshotAndRestore() throws Exception {
        var h = harnesses.open(null);
        h.processElement(new StreamRecord<>(specEvent(spec(2, 0)), T0));
        ChunkedUpdates.Cut alice = cut("alice");
        ChunkedUpdates.Cut bob = cut("bob");
        h.processElement(new StreamRecord<>(header("alice", 30, alice), T0 + 1));
        h.processElement(new StreamRecord<>(receipt(alice, 0, null), T0 + 2));
        h.processElement(new StreamRecord<>(receipt(bob, 2, null), T0 + 3)); // early, before bob's header
        OperatorSubtaskState snapshot = h.snapshot(1, T0 + 4);
        harnesses.close(h);

        var restored = harnesses.open(snapshot);
        restored.processElement(new StreamRecord<>(header("bob", 10, bob), T0 + 5));
        restored.processElement(new StreamRecord<>(receipt(alice, 1, null), T0 + 6));
        restored.processElement(new StreamRecord<>(receipt(alice, 2, null), T0 + 7));
        restored.processElement(new StreamRecord<>(receipt(bob, 0, null), T0 + 8));
        restored.processElement(new StreamRecord<>(receipt(bob, 1, null), T0 + 9));

        assertThat(commands(restored)).filteredOn(c -> c.kind == ChunkCommand.Kind.CLOSE).hasSize(3)
                .allSatisfy(c -> assertThat(c.members).containsExactly("u-alice", "u-bob"));
    }

    // ---- fixtures ---------------------------------------------------------------------------

    private static ModelSpec spec(int clientsPerRound, long deadlineMs) {
        List<Tensor> tensors = List.of(
                Tensor.newBuilder().setName("w").setShape(List.of(20, 25)).setData(ByteBuffer.allocate(0)).build(),
                Tensor.newBuilder().setName("b").setShape(List.of(100)).setData(ByteBuffer.allocate(0)).build());
        return ModelSpec.newBuilder().setModelId(MODEL).setArchitecture("opaque").setInitialTensors(tensors)
                .setAggregation(AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(clientsPerRound)
                        .setRoundDeadlineMs(deadlineMs).setMinFitClients(1).setChunkBytes(CHUNK_BYTES).build())
                .setTraining(ClientTrainingConfig.newBuilder().build()).setCreatedAt(Instant.ofEpochMilli(T0)).build();
    }

    private static ChunkedUpdates.Cut cut(String client) {
        float[] delta = new float[PARAMETERS];
        for (int i = 0; i < PARAMETERS; i++) {
            delta[i] = (client.hashCode() % 7 + i) * 1e-3f;
        }
        return ChunkedUpdates.cut(MODEL, "u-" + client, delta, CHUNK_BYTES);
    }

    private static InboundRecord inbound(String topic, byte[] key, byte[] value) {
        return new InboundRecord(topic, 0, 0, T0, key, value);
    }

    private static ModelEvent specEvent(ModelSpec spec) {
        return new ModelEvent(MODEL, ModelEvent.Kind.SPEC, inbound(TOPICS.control(), MODEL.getBytes(StandardCharsets.UTF_8),
                WireCodec.MODEL_SPEC.encode(spec)));
    }

    private static ModelEvent header(String client, long examples, ChunkedUpdates.Cut cut) {
        return header(client, examples, cut, 1);
    }

    private static ModelEvent header(String client, long examples, ChunkedUpdates.Cut cut, int localSteps) {
        ModelUpdate u = ModelUpdate.newBuilder().setUpdateId("u-" + client).setModelId(MODEL).setClientId(client).setBaseVersion(0)
                .setNumExamples(examples).setLocalSteps(localSteps).setCreatedAt(Instant.ofEpochMilli(T0)).setTensors(List.of())
                .setMetrics(Map.of()).setChunks(cut.manifest()).build();
        return new ModelEvent(MODEL, ModelEvent.Kind.UPDATE, inbound(TOPICS.updates(), MODEL.getBytes(StandardCharsets.UTF_8),
                WireCodec.MODEL_UPDATE.encode(u)));
    }

    /** What routing sends for chunk {@code index} of {@code cut}; {@code sha256} overrides its hash (a corrupt chunk). */
    private static ModelEvent receipt(ChunkedUpdates.Cut cut, int index, byte[] sha256) {
        ByteBuffer data = cut.chunks().get(index).getData();
        ModelEvent e = new ModelEvent(MODEL, ModelEvent.Kind.CHUNK_RECEIPT,
                inbound(TOPICS.updates(), ChunkData.key(MODEL, index).getBytes(StandardCharsets.UTF_8), null));
        e.receipt = new ChunkReceipt(cut.chunks().get(index).getUpdateId(), index, sha256 != null ? sha256 : ChunkData.sha256(data),
                data.remaining(), null);
        return e;
    }
}
