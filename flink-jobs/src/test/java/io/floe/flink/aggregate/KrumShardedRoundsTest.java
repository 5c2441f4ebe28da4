package io.floe.flink.aggregate;

import static io.floe.flink.aggregate.ShardedOutputs.commands;
import static io.floe.flink.aggregate.ShardedOutputs.deadLetters;
import static io.floe.flink.aggregate.ShardedOutputs.drainAll;
import static io.floe.flink.aggregate.ShardedOutputs.parts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.floe.core.chunk.ChunkData;
import io.floe.core.chunk.ChunkedUpdates;
import io.floe.core.wire.TopicNames;
import io.floe.core.wire.WireCodec;
import io.floe.flink.io.InboundRecord;
import io.floe.flink.io.OutboundRecord;
import io.floe.flink.shard.ChunkCommand;
import io.floe.flink.shard.ChunkReceipt;
import io.floe.flink.shard.ManifestPart;
import io.floe.schema.AggregationConfig;
import io.floe.schema.AggregationReport;
import io.floe.schema.ChunkScoreShare;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.DeadLetter;
import io.floe.schema.ModelSpec;
import io.floe.schema.ModelUpdate;
import io.floe.schema.Tensor;
import io.floe.schema.UpdateScore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The coordinator's two-phase close of a chunked Krum, Multi-Krum or Bulyan round
 * ({@link io.floe.flink.aggregate.mode.KrumRounds}) under the keyed harness: once the round's members
 * are complete it sends SCORE to every chunk and refuses new updates; the chunks' distance shares
 * (built here by hand, so that the selection and every Krum score are known) bring the CLOSE with
 * the selection and the next version with its report; stale, repeated and mismatched shares are
 * ignored; a round too small for Krum falls back to the median at once; a spec that changes the rule
 * while the shares travel closes under the new rule.
 */
class KrumShardedRoundsTest {
    private static final TopicNames TOPICS = TopicNames.defaults();
    private static final String MODEL = "krum-sharded";
    private static final int CHUNK_BYTES = 1024;
    private static final int PARAMETERS = 600; // chunks of 256, 256 and 88 values
    private static final long T0 = 1_700_000_000_000L;
    private static final String KRUM_NOTE = "Krum scores and cosines to the coordinate-wise median from the chunks' partial sums";

    /** The round's clients; their update ids u-alice .. u-erin are already sorted. */
    private static final String[] CLIENTS = {"alice", "bob", "carol", "dave", "erin"};
    private static final String[] MEMBERS = {"u-alice", "u-bob", "u-carol", "u-dave", "u-erin"};

    /*
     * Each chunk's share of the squared distances, upper triangle row by row:
     *   pairs         ab   ac   ad   ae   bc   bd   be   cd   ce   de
     *   chunk 0        1    1    2   10    0    1    9    2    9    8
     *   chunk 1      0.5    1    1    5  0.5  0.5    4  1.5    5  4.5
     *   chunk 2      0.5    1    1    5  0.5  0.5    5  1.5    5  4.5
     *   sum            2    3    4   20    1    2   18    5   19   17
     * With K = 5, f = 1 each score adds K - f - 2 = 2 smallest distances:
     *   alice {2,3,4,20} -> 5, bob {2,1,2,18} -> 3, carol {3,1,5,19} -> 4, dave {4,2,5,17} -> 6,
     *   erin {20,18,19,17} -> 35. Krum picks bob; Multi-Krum with m = 2 picks bob and carol.
     */
    private static final double[][] DISTANCES = {
            {1, 1, 2, 10, 0, 1, 9, 2, 9, 8},
            {0.5, 1, 1, 5, 0.5, 0.5, 4, 1.5, 5, 4.5},
            {0.5, 1, 1, 5, 0.5, 0.5, 5, 1.5, 5, 4.5}};
    private static final double[] KRUM_SCORES = {5, 3, 4, 6, 35};
    /** Distances under which erin would win: what a share that must be ignored carries. */
    private static final double[] ERIN_WINS = {100, 100, 100, 0, 100, 100, 0, 100, 0, 0};
    /*
     * The cosine shares: every member's squared norm is 1 + 1 + 2 = 4 by its chunks' receipts, the
     * median's 1 + 1 + 2 = 4, so cos = (sum of dots) / (2 * 2): dots 4, 2, -2, 0, -4 give
     * 1, 0.5, -0.5, 0, -1 (carol and erin below the cosine threshold 0: flagged).
     */
    private static final double[][] DOTS = {{2, 1, -1, 0, -2}, {1, 0.5, -0.5, 0, -1}, {1, 0.5, -0.5, 0, -1}};
    private static final double[] MEDIAN_SQUARES = {1, 1, 2};
    private static final double[] CHUNK_SQUARED_NORMS = {1, 1, 2};

    @RegisterExtension
    final OpenedHarnesses harnesses = new OpenedHarnesses();

    @Test
    void krumScoresEveryChunkThenClosesOnTheMemberItsSummedSharesSelect() throws Exception {
        var h = harnesses.open(null);
        h.processElement(new StreamRecord<>(specEvent(spec(krum("krum"))), T0));
        drainAll(h);
        long[] examples = {10, 20, 30, 40, 50};
        // headers in no particular order: the SCORE lists the members sorted by update id
        int[] order = {4, 2, 0, 3};
        for (int i : order) {
            complete(h, CLIENTS[i], examples[i], 0);
        }
        assertThat(commands(h)).extracting(c -> c.kind).containsOnly(ChunkCommand.Kind.ADMIT).hasSize(12);

        complete(h, "bob", 20, 0);

        List<ChunkCommand> commands = commands(h);
        assertThat(commands).filteredOn(c -> c.kind == ChunkCommand.Kind.ADMIT).extracting(c -> c.rule).containsOnly("krum");
        List<ChunkCommand> scores = commands.stream().filter(c -> c.kind == ChunkCommand.Kind.SCORE).toList();
        assertThat(scores).extracting(c -> c.index, c -> c.chunkCount, c -> c.version, c -> c.rule).containsExactly(
                tuple(0, 3, 0L, "krum"), tuple(1, 3, 0L, "krum"), tuple(2, 3, 0L, "krum"));
        assertThat(scores).allSatisfy(c -> assertThat(c.members).containsExactly(MEMBERS));
        assertThat(commands).as("the CLOSE waits for the selection").noneMatch(c -> c.kind == ChunkCommand.Kind.CLOSE);
        assertThat(parts(h)).as("no version 1 before the selection").isEmpty();

        // a sixth update while the round selects: refused, its chunks dropped everywhere
        h.processElement(new StreamRecord<>(header("frank", 60, cut("frank"), 0), T0 + 100));
        assertThat(deadLetters(h)).extracting(DeadLetter::getReason).containsExactly("LATE_UPDATE");
        assertThat(commands(h)).extracting(c -> c.kind, c -> c.updateId, c -> c.index).containsExactly(
                tuple(ChunkCommand.Kind.DROP, "u-frank", 0), tuple(ChunkCommand.Kind.DROP, "u-frank", 1),
                tuple(ChunkCommand.Kind.DROP, "u-frank", 2));

        // shares that must be ignored: each one, if taken, would complete the set or make erin win
        h.processElement(new StreamRecord<>(share(2, 1, MEMBERS, ERIN_WINS, DOTS[2], 2), T0 + 101)); // another version
        h.processElement(new StreamRecord<>(realShare(0), T0 + 102));
        h.processElement(new StreamRecord<>(realShare(1), T0 + 103));
        h.processElement(new StreamRecord<>(share(1, 0, MEMBERS, ERIN_WINS, DOTS[1], 1), T0 + 104)); // chunk 1 again
        String[] others = {"u-alice", "u-bob", "u-carol", "u-dave", "u-frank"};
        h.processElement(new StreamRecord<>(share(2, 0, others, ERIN_WINS, DOTS[2], 2), T0 + 105)); // other members
        String[] unsorted = {"u-bob", "u-alice", "u-carol", "u-dave", "u-erin"};
        h.processElement(new StreamRecord<>(share(2, 0, unsorted, ERIN_WINS, DOTS[2], 2), T0 + 106)); // members out of order
        assertThat(commands(h)).as("chunk 2's share is not in yet").isEmpty();
        assertThat(parts(h)).isEmpty();

        h.processElement(new StreamRecord<>(realShare(2), T0 + 107));

        List<ChunkCommand> close = commands(h);
        assertThat(close).extracting(c -> c.kind, c -> c.index, c -> c.version, c -> c.nextVersion, c -> c.rule, c -> c.trimPerSide)
                .containsExactly(tuple(ChunkCommand.Kind.CLOSE, 0, 0L, 1L, "krum", 0), tuple(ChunkCommand.Kind.CLOSE, 1, 0L, 1L, "krum", 0),
                        tuple(ChunkCommand.Kind.CLOSE, 2, 0L, 1L, "krum", 0));
        assertThat(close).allSatisfy(c -> {
            assertThat(c.members).containsExactly("u-bob");
            assertThat(c.weights).containsExactly(1L);
            assertThat(c.totalWeight).isEqualTo(1L);
            assertThat(c.scale).isEqualTo(1.0);
        });
        List<ManifestPart> parts = parts(h);
        assertThat(parts).singleElement().satisfies(p -> {
            assertThat(p.kind).isEqualTo(ManifestPart.Kind.PENDING);
            assertThat(p.version).isEqualTo(1L);
        });
        assertThat(WireCodec.GLOBAL_MODEL.decode(parts.get(0).model).getVersion()).isEqualTo(1L);
        AggregationReport report = WireCodec.AGGREGATION_REPORT.decode(parts.get(0).report);
        assertThat(report.getAccepted()).extracting(a -> a.getClientId(), a -> a.getWeight()).containsExactly(
                tuple("alice", 0.0), tuple("bob", 1.0), tuple("carol", 0.0), tuple("dave", 0.0), tuple("erin", 0.0));
        assertThat(report.getScores()).extracting(UpdateScore::getUpdateId, UpdateScore::getKrumScore).containsExactly(
                tuple("u-alice", 5.0), tuple("u-bob", 3.0), tuple("u-carol", 4.0), tuple("u-dave", 6.0), tuple("u-erin", 35.0));
        assertThat(report.getScores()).extracting(UpdateScore::getL2Norm).containsOnly(2.0);
        assertThat(report.getScores()).extracting(UpdateScore::getCosineToMedian).containsExactly(1.0, 0.5, -0.5, 0.0, -1.0);
        assertThat(report.getScores()).extracting(UpdateScore::getDecision).containsExactly("ACCEPT", "ACCEPT", "FLAG", "ACCEPT", "FLAG");
        assertThat(report.getNote()).contains(KRUM_NOTE);
        assertThat(report.getRejected()).as("the refused sixth update is reported with the round that refused it")
                .extracting(r -> r.getUpdateId(), r -> r.getReason()).containsExactly(tuple("u-frank", "LATE_UPDATE"));

        // a share arriving after the close is stale: nothing happens
        h.processElement(new StreamRecord<>(realShare(0), T0 + 108));
        assertThat(commands(h)).isEmpty();
        assertThat(parts(h)).isEmpty();
        // and the next round takes updates again
        h.processElement(new StreamRecord<>(header("frank", 60, cut("frank"), 1), T0 + 109));
        assertThat(commands(h)).extracting(c -> c.kind, c -> c.version, c -> c.updateId).containsOnly(
                tuple(ChunkCommand.Kind.ADMIT, 1L, "u-frank")).hasSize(3);
        assertThat(deadLetters(h)).isEmpty();
    }

    @Test
    void multiKrumClosesOnTheSelectedMembersWeightedByTheirExamples() throws Exception {
        var h = harnesses.open(null);
        h.processElement(new StreamRecord<>(specEvent(spec(krum("multi-krum").setMultiKrumSelection(2))), T0));
        drainAll(h);
        long[] examples = {10, 20, 30, 40, 50};
        for (int i = 0; i < CLIENTS.length; i++) {
            complete(h, CLIENTS[i], examples[i], 0);
        }
        assertThat(commands(h)).filteredOn(c -> c.kind == ChunkCommand.Kind.SCORE).extracting(c -> c.rule)
                .containsExactly("multi-krum", "multi-krum", "multi-krum");

        for (int i = 0; i < 3; i++) {
            h.processElement(new StreamRecord<>(realShare(i), T0 + 200 + i));
        }

        // the two lowest scores: bob (3) and carol (4), folded with their n_i = 20 and 30
        List<ChunkCommand> close = commands(h);
        assertThat(close).hasSize(3).allSatisfy(c -> {
            assertThat(c.kind).isEqualTo(ChunkCommand.Kind.CLOSE);
            assertThat(c.rule).isEqualTo("multi-krum");
            assertThat(c.members).containsExactly("u-bob", "u-carol");
            assertThat(c.weights).containsExactly(20L, 30L);
            assertThat(c.totalWeight).isEqualTo(50L);
        });
        AggregationReport report = WireCodec.AGGREGATION_REPORT.decode(parts(h).get(0).report);
        assertThat(report.getAccepted()).extracting(a -> a.getClientId(), a -> a.getWeight()).containsExactly(
                tuple("alice", 0.0), tuple("bob", 0.4), tuple("carol", 0.6), tuple("dave", 0.0), tuple("erin", 0.0));
        assertThat(report.getScores()).extracting(UpdateScore::getKrumScore).containsExactly(5.0, 3.0, 4.0, 6.0, 35.0);
    }

    @Test
    void aRoundTooSmallForKrumClosesAtOnceUnderTheMedianAndSaysSo() throws Exception {
        var h = harnesses.open(null);
        h.setProcessingTime(1_000);
        // 5 clients per round (valid for f = 1), but only 4 come before the deadline: K = 4 <= 2f + 2
        h.processElement(new StreamRecord<>(specEvent(spec(krum("krum").setRoundDeadlineMs(5_000).setMinFitClients(3))), T0));
        drainAll(h);
        for (int i = 0; i < 4; i++) {
            complete(h, CLIENTS[i], 10L * (i + 1), 0);
        }
        assertThat(commands(h)).extracting(c -> c.kind).containsOnly(ChunkCommand.Kind.ADMIT);

        h.setProcessingTime(6_000);

        List<ChunkCommand> close = commands(h);
        assertThat(close).as("no SCORE: the median needs no selection").extracting(c -> c.kind).containsOnly(ChunkCommand.Kind.CLOSE)
                .hasSize(3);
        assertThat(close).allSatisfy(c -> {
            assertThat(c.rule).isEqualTo("median");
            assertThat(c.members).containsExactly("u-alice", "u-bob", "u-carol", "u-dave");
            assertThat(c.trimPerSide).isZero();
        });
        AggregationReport report = WireCodec.AGGREGATION_REPORT.decode(parts(h).get(0).report);
        assertThat(report.getNote()).contains("krum could not run on 4 updates (krum with f = 1 Byzantine clients needs more than"
                + " 2f + 2 = 4 updates, got 4); fell back to the coordinate-wise median");
        assertThat(report.getAccepted()).extracting(a -> a.getWeight()).containsOnly(0.25);
        assertThat(report.getScores()).extracting(UpdateScore::getKrumScore).allSatisfy(s -> assertThat(s).isNaN());
        // nothing is selecting: the next version's round takes updates
        h.processElement(new StreamRecord<>(header("erin", 50, cut("erin"), 1), T0 + 300));
        assertThat(commands(h)).extracting(c -> c.kind).containsOnly(ChunkCommand.Kind.ADMIT).hasSize(3);
        assertThat(deadLetters(h)).isEmpty();
    }

    @Test
    void aSpecThatChangesTheRuleWhileTheRoundSelectsClosesItUnderTheNewRule() throws Exception {
        var h = harnesses.open(null);
        h.processElement(new StreamRecord<>(specEvent(spec(krum("krum"))), T0));
        drainAll(h);
        for (int i = 0; i < CLIENTS.length; i++) {
            complete(h, CLIENTS[i], 10L * (i + 1), 0);
        }
        assertThat(commands(h)).filteredOn(c -> c.kind == ChunkCommand.Kind.SCORE).hasSize(3);

        h.processElement(new StreamRecord<>(specEvent(spec(krum("median"))), T0 + 100));
        assertThat(deadLetters(h)).as("the spec is valid").isEmpty();
        assertThat(commands(h)).as("the round still waits for its shares").isEmpty();
        for (int i = 0; i < 3; i++) {
            h.processElement(new StreamRecord<>(realShare(i), T0 + 101 + i));
        }

        List<ChunkCommand> close = commands(h);
        assertThat(close).extracting(c -> c.kind).containsOnly(ChunkCommand.Kind.CLOSE).hasSize(3);
        assertThat(close).allSatisfy(c -> {
            assertThat(c.rule).isEqualTo("median");
            assertThat(c.members).containsExactly(MEMBERS);
            assertThat(c.weights).containsExactly(10L, 20L, 30L, 40L, 50L);
        });
        AggregationReport report = WireCodec.AGGREGATION_REPORT.decode(parts(h).get(0).report);
        assertThat(report.getNote()).contains(
                "the rule changed to median while the round waited for its Krum selection; closed under median");
        assertThat(report.getAccepted()).extracting(a -> a.getWeight()).containsOnly(0.2);
        assertThat(report.getScores()).extracting(UpdateScore::getKrumScore).containsExactly(5.0, 3.0, 4.0, 6.0, 35.0);
    }

    @Test
    void aSpecThatRaisesFWhileTheRoundSelectsFallsBackToTheMedian() throws Exception {
        var h = harnesses.open(null);
        h.processElement(new StreamRecord<>(specEvent(spec(krum("krum"))), T0));
        drainAll(h);
        for (int i = 0; i < CLIENTS.length; i++) {
            complete(h, CLIENTS[i], 10L * (i + 1), 0);
        }
        commands(h);
        // f = 2 needs K > 6: valid with 7 clients per round, but the round selecting has 5
        h.processElement(new StreamRecord<>(specEvent(spec(krum("krum").setByzantineClients(2).setClientsPerRound(7))), T0 + 100));
        assertThat(deadLetters(h)).isEmpty();
        for (int i = 0; i < 3; i++) {
            h.processElement(new StreamRecord<>(realShare(i), T0 + 101 + i));
        }

        assertThat(commands(h)).hasSize(3).allSatisfy(c -> {
            assertThat(c.kind).isEqualTo(ChunkCommand.Kind.CLOSE);
            assertThat(c.rule).isEqualTo("median");
            assertThat(c.members).containsExactly(MEMBERS);
        });
        AggregationReport report = WireCodec.AGGREGATION_REPORT.decode(parts(h).get(0).report);
        assertThat(report.getNote()).contains("krum could not run on 5 updates (krum with f = 2 Byzantine clients needs more than"
                + " 2f + 2 = 6 updates, got 5); fell back to the coordinate-wise median");
        // the reported Krum scores use f = 2 too: K - f - 2 = 1 neighbour (bob 1, carol 1, alice 2, dave 2, erin 17)
        assertThat(report.getScores()).extracting(UpdateScore::getKrumScore).containsExactly(2.0, 1.0, 1.0, 2.0, 17.0);
    }

    // ---- fixtures ---------------------------------------------------------------------------

    private static AggregationConfig.Builder krum(String rule) {
        return AggregationConfig.newBuilder().setRule(rule).setClientsPerRound(5).setByzantineClients(1).setRoundDeadlineMs(0)
                .setMinFitClients(1).setChunkBytes(CHUNK_BYTES);
    }

    private static ModelSpec spec(AggregationConfig.Builder aggregation) {
        List<Tensor> tensors = List.of(
                Tensor.newBuilder().setName("w").setShape(List.of(20, 25)).setData(ByteBuffer.allocate(0)).build(),
                Tensor.newBuilder().setName("b").setShape(List.of(100)).setData(ByteBuffer.allocate(0)).build());
        return ModelSpec.newBuilder().setModelId(MODEL).setArchitecture("opaque").setInitialTensors(tensors)
                .setAggregation(aggregation.build()).setTraining(ClientTrainingConfig.newBuilder().build())
                .setCreatedAt(Instant.ofEpochMilli(T0)).build();
    }

    private static ChunkedUpdates.Cut cut(String client) {
        float[] delta = new float[PARAMETERS];
        for (int i = 0; i < PARAMETERS; i++) {
            delta[i] = (client.length() + i) * 1e-3f;
        }
        return ChunkedUpdates.cut(MODEL, "u-" + client, delta, CHUNK_BYTES);
    }

    /** A header for {@code client} and routing's receipts of its three chunks: a complete update. */
    private static void complete(KeyedOneInputStreamOperatorTestHarness<String, ModelEvent, OutboundRecord> h, String client,
            long examples, long baseVersion) throws Exception {
        ChunkedUpdates.Cut cut = cut(client);
        h.processElement(new StreamRecord<>(header(client, examples, cut, baseVersion), T0 + 1));
        for (int i = 0; i < 3; i++) {
            h.processElement(new StreamRecord<>(receipt(cut, i), T0 + 2 + i));
        }
    }

    private static InboundRecord inbound(String topic, byte[] value) {
        return new InboundRecord(topic, 0, 0, T0, MODEL.getBytes(StandardCharsets.UTF_8), value);
    }

    private static ModelEvent specEvent(ModelSpec spec) {
        return new ModelEvent(MODEL, ModelEvent.Kind.SPEC, inbound(TOPICS.control(), WireCodec.MODEL_SPEC.encode(spec)));
    }

    private static ModelEvent header(String client, long examples, ChunkedUpdates.Cut cut, long baseVersion) {
        ModelUpdate u = ModelUpdate.newBuilder().setUpdateId("u-" + client).setModelId(MODEL).setClientId(client)
                .setBaseVersion(baseVersion).setNumExamples(examples).setLocalSteps(1).setCreatedAt(Instant.ofEpochMilli(T0))
                .setTensors(List.of()).setMetrics(Map.of()).setChunks(cut.manifest()).build();
        return new ModelEvent(MODEL, ModelEvent.Kind.UPDATE, inbound(TOPICS.updates(), WireCodec.MODEL_UPDATE.encode(u)));
    }

    /** Routing's receipt of chunk {@code index}, with the squared norm {@link #CHUNK_SQUARED_NORMS} gives it. */
    private static ModelEvent receipt(ChunkedUpdates.Cut cut, int index) {
        ByteBuffer data = cut.chunks().get(index).getData();
        ModelEvent e = new ModelEvent(MODEL, ModelEvent.Kind.CHUNK_RECEIPT, new InboundRecord(TOPICS.updates(), 0, 0, T0,
                ChunkData.key(MODEL, index).getBytes(StandardCharsets.UTF_8), null));
        e.receipt = new ChunkReceipt(cut.chunks().get(index).getUpdateId(), index, ChunkData.sha256(data), data.remaining(), null);
        e.receipt.squaredNorm = CHUNK_SQUARED_NORMS[index];
        return e;
    }

    /** Chunk {@code index}'s share of the round on version 0, as its folder would write it to the chunk-scores topic. */
    private static ModelEvent realShare(int index) {
        return share(index, 0, MEMBERS, DISTANCES[index], DOTS[index], MEDIAN_SQUARES[index]);
    }

    private static ModelEvent share(int index, long version, String[] members, double[] distances, double[] dots, double medianSquares) {
        ChunkScoreShare share = ChunkScoreShare.newBuilder().setModelId(MODEL).setVersion(version).setIndex(index)
                .setMembers(Arrays.asList(members)).setSquaredDistances(Arrays.stream(distances).boxed().toList())
                .setMedianDots(Arrays.stream(dots).boxed().toList()).setMedianSquares(medianSquares).build();
        return new ModelEvent(MODEL, ModelEvent.Kind.SCORE_SHARE, inbound(TOPICS.chunkScores(), WireCodec.CHUNK_SCORE_SHARE.encode(share)));
    }
}
