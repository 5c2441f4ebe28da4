package io.floe.flink.shard;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.aggregate.Bulyan;
import io.floe.core.chunk.ChunkData;
import io.floe.core.chunk.ExactSum;
import io.floe.core.wire.TopicNames;
import io.floe.core.wire.WireCodec;
import io.floe.flink.io.OutboundRecord;
import io.floe.schema.ChunkScoreShare;
import io.floe.schema.ModelChunk;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One chunk's folder under a Krum rule (issue 13): ADMIT keeps the members' chunks, SCORE waits
 * until every member's chunk is in and then writes exactly one share of the distances and median
 * cosines to the chunk-scores topic, and the CLOSE that follows combines only the selection: Krum's
 * one member, Multi-Krum's members by their weights, Bulyan's chosen members' means around the median.
 */
class KrumChunkFolderTest {
    private static final TopicNames TOPICS = TopicNames.defaults();
    private static final String MODEL = "m";
    private static final String KEY = ChunkData.key(MODEL, 0);
    private static final float[] BASE = {1f, 2f, 3f, 4f};
    private static final String[] ABC = {"u-a", "u-b", "u-c"};
    private static final float[] A = {1f, 0f, 0f, 2f};
    private static final float[] B = {0f, 1f, 0f, -1f};
    private static final float[] C = {2f, 2f, 1f, 0f};

    private final List<KeyedTwoInputStreamOperatorTestHarness<String, ChunkEvent, ChunkCommand, OutboundRecord>> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (var h : opened) {
            h.close();
        }
    }

    @Test
    void scoreWaitsForEveryMembersChunkThenSendsOneShareAndKrumsCloseIsBasePlusTheSelectedChunk() throws Exception {
        var h = open();
        h.processElement2(new StreamRecord<>(ChunkCommand.init(MODEL, 0, 1, 0, 4, ChunkData.encode(BASE, 0, 4))));
        h.getOutput().clear();
        admitAll(h, "krum", 5, 7, 3);
        h.processElement1(new StreamRecord<>(chunk("u-a", 10, A)));
        h.processElement1(new StreamRecord<>(chunk("u-c", 12, C)));

        h.processElement2(new StreamRecord<>(ChunkCommand.score(MODEL, 0, 1, 0, ABC, "krum")));
        assertThat(h.getOutput()).as("u-b's chunk is still on its way").isEmpty();

        h.processElement1(new StreamRecord<>(chunk("u-b", 11, B)));

        List<OutboundRecord> out = records(h);
        assertThat(out).singleElement().satisfies(r -> {
            assertThat(r.topic).isEqualTo(TOPICS.chunkScores());
            assertThat(r.key).isEqualTo(MODEL.getBytes(StandardCharsets.UTF_8));
        });
        ChunkScoreShare share = WireCodec.CHUNK_SCORE_SHARE.decode(out.get(0).value);
        assertThat(share.getModelId()).isEqualTo(MODEL);
        assertThat(share.getVersion()).isZero();
        assertThat(share.getIndex()).isZero();
        assertThat(share.getMembers()).extracting(CharSequence::toString).containsExactly(ABC);
        // |a-b|^2 = 1 + 1 + 0 + 9, |a-c|^2 = 1 + 4 + 1 + 4, |b-c|^2 = 4 + 1 + 1 + 1
        assertThat(share.getSquaredDistances()).containsExactly(11.0, 10.0, 7.0);
        // coordinate-wise median m = (1, 1, 0, 0): a.m = 1, b.m = 1, c.m = 4, |m|^2 = 2
        assertThat(share.getMedianDots()).containsExactly(1.0, 1.0, 4.0);
        assertThat(share.getMedianSquares()).isEqualTo(2.0);
        assertThat(h.getSideOutput(ChunkFolder.DIGESTS)).as("no slice before the CLOSE").hasSize(1); // version 0's only

        h.processElement2(new StreamRecord<>(ChunkCommand.close(MODEL, 0, 1, 0, new String[] {"u-b"}, new long[] {1}, 1, 1.0, 1,
                "krum", 0)));

        // w + b: the selected member alone, whatever its examples (Krum's fold weight is 1)
        List<float[]> slices = slices(h);
        assertThat(slices).containsExactly(new float[] {1f, 3f, 3f, 3f});
        assertThat(h.getSideOutput(ChunkFolder.DIGESTS)).extracting(r -> r.getValue().version).containsExactly(0L, 1L);
    }

    @Test
    void multiKrumsCloseFoldsTheSelectedKeptChunksWithTheirWeights() throws Exception {
        var h = open();
        h.processElement2(new StreamRecord<>(ChunkCommand.init(MODEL, 0, 1, 0, 4, ChunkData.encode(BASE, 0, 4))));
        h.getOutput().clear();
        admitAll(h, "multi-krum", 3, 7, 1);
        h.processElement2(new StreamRecord<>(ChunkCommand.score(MODEL, 0, 1, 0, ABC, "multi-krum")));
        h.processElement1(new StreamRecord<>(chunk("u-a", 10, A)));
        h.processElement1(new StreamRecord<>(chunk("u-b", 11, B)));
        h.processElement1(new StreamRecord<>(chunk("u-c", 12, C)));
        assertThat(records(h)).extracting(r -> r.topic).containsExactly(TOPICS.chunkScores());

        h.processElement2(new StreamRecord<>(ChunkCommand.close(MODEL, 0, 1, 0, new String[] {"u-a", "u-c"}, new long[] {3, 1}, 4, 1.0,
                1, "multi-krum", 0)));

        // w + (3a + c) / 4 = (1 + 5/4, 2 + 2/4, 3 + 1/4, 4 + 6/4): u-b was kept, never folded
        ExactSum expected = new ExactSum(4);
        expected.add(3, A);
        expected.add(1, C);
        List<float[]> slices = slices(h);
        assertThat(slices).containsExactly(new float[] {2.25f, 2.5f, 3.25f, 5.5f});
        assertThat(slices.get(0)).containsExactly(expected.applyTo(BASE, 4, 1.0));
    }

    @Test
    void bulyansCloseAveragesTheBetaChosenValuesClosestToTheMedian() throws Exception {
        var h = open();
        h.processElement2(new StreamRecord<>(ChunkCommand.init(MODEL, 0, 1, 0, 4, ChunkData.encode(BASE, 0, 4))));
        h.getOutput().clear();
        String[] all = {"u-1", "u-2", "u-3", "u-4", "u-5", "u-6", "u-7"};
        float[][] values = {
                {0f, 4f, 1f, -2f},
                {1f, 5f, 1f, 0f},
                {2f, 6f, 1f, 2f},
                {10f, 7f, 1f, 4f},
                {-8f, 100f, 1f, 8f},
                {1000f, -1000f, 1000f, 1000f}, // not chosen by Krum: never enters the means
                {-1000f, 1000f, -1000f, -1000f}};
        for (int i = 0; i < all.length; i++) {
            h.processElement2(new StreamRecord<>(ChunkCommand.admit(MODEL, 0, 1, 0, all[i], 1, "bulyan")));
            h.processElement1(new StreamRecord<>(chunk(all[i], 20 + i, values[i])));
        }
        h.processElement2(new StreamRecord<>(ChunkCommand.score(MODEL, 0, 1, 0, all, "bulyan")));
        assertThat(records(h)).extracting(r -> r.topic).containsExactly(TOPICS.chunkScores());
        String[] chosen = {"u-1", "u-2", "u-3", "u-4", "u-5"};
        long[] ones = {1, 1, 1, 1, 1};

        // K = 7, f = 1: theta = 5 chosen, beta = theta - 2f = 3
        h.processElement2(new StreamRecord<>(ChunkCommand.close(MODEL, 0, 1, 0, chosen, ones, 5, 1.0, 1, "bulyan", 3)));

        // per coordinate, the 3 of the chosen 5 closest to their median (a tie takes the smaller first):
        //   {-8, 0, 1, 2, 10}: median 1 -> 1, 0, 2 -> 1;   {4, 5, 6, 7, 100}: median 6 -> 6, 5, 7 -> 6;
        //   {1, 1, 1, 1, 1} -> 1;                          {-2, 0, 2, 4, 8}: median 2 -> 2, 0, 4 -> 2
        float[] mean = Bulyan.closestToMedianMeans(List.of(values[0], values[1], values[2], values[3], values[4]), 3, 4);
        assertThat(mean).containsExactly(1f, 6f, 1f, 2f);
        List<float[]> slices = slices(h);
        assertThat(slices).containsExactly(new float[] {2f, 8f, 4f, 6f});
        assertThat(slices.get(0)).containsExactly(BASE[0] + mean[0], BASE[1] + mean[1], BASE[2] + mean[2], BASE[3] + mean[3]);
    }

    @Test
    void membersFoldedBeforeASpecSwitchedToAKeepingRuleAreReadBackForTheCloseAndTheScore() throws Exception {
        java.util.Map<Long, byte[]> log = new java.util.HashMap<>();
        var h = open((topic, partition, offset) -> log.get(offset));
        h.processElement2(new StreamRecord<>(ChunkCommand.init(MODEL, 0, 1, 0, 4, ChunkData.encode(BASE, 0, 4))));
        // u-a admitted under fedavg (folded as it lands), then the spec says median: u-b and u-c are kept
        h.processElement2(new StreamRecord<>(ChunkCommand.admit(MODEL, 0, 1, 0, "u-a", 5, "fedavg")));
        h.processElement2(new StreamRecord<>(ChunkCommand.admit(MODEL, 0, 1, 0, "u-b", 7, "median")));
        h.processElement2(new StreamRecord<>(ChunkCommand.admit(MODEL, 0, 1, 0, "u-c", 3, "median")));
        for (ChunkEvent e : List.of(chunk("u-a", 10, A), chunk("u-b", 11, B), chunk("u-c", 12, C))) {
            log.put(e.origin.offset, e.origin.value);
            h.processElement1(new StreamRecord<>(e));
        }
        h.getOutput().clear();

        h.processElement2(new StreamRecord<>(ChunkCommand.close(MODEL, 0, 1, 0, ABC, new long[] {5, 7, 3}, 15, 1.0, 1, "median", 0)));

        // the coordinate-wise median of a, b, c is (1, 1, 0, 0): u-a read back from "Kafka" joins the kept two
        assertThat(slices(h)).singleElement().satisfies(v -> assertThat(v).containsExactly(2f, 3f, 3f, 4f));

        // the same under a Krum rule's SCORE: the share covers all three members
        h.processElement2(new StreamRecord<>(ChunkCommand.admit(MODEL, 0, 1, 1, "u-a", 5, "fedavg")));
        h.processElement2(new StreamRecord<>(ChunkCommand.admit(MODEL, 0, 1, 1, "u-b", 7, "krum")));
        h.processElement2(new StreamRecord<>(ChunkCommand.admit(MODEL, 0, 1, 1, "u-c", 3, "krum")));
        for (ChunkEvent e : List.of(chunk("u-a", 20, A), chunk("u-b", 21, B), chunk("u-c", 22, C))) {
            log.put(e.origin.offset, e.origin.value);
            h.processElement1(new StreamRecord<>(e));
        }
        h.getOutput().clear();
        h.processElement2(new StreamRecord<>(ChunkCommand.score(MODEL, 0, 1, 1, ABC, "krum")));
        List<OutboundRecord> out = records(h);
        assertThat(out).singleElement();
        assertThat(WireCodec.CHUNK_SCORE_SHARE.decode(out.get(0).value).getSquaredDistances()).containsExactly(11.0, 10.0, 7.0);
    }

    private static void admitAll(KeyedTwoInputStreamOperatorTestHarness<String, ChunkEvent, ChunkCommand, OutboundRecord> h, String rule,
            long a, long b, long c) throws Exception {
        h.processElement2(new StreamRecord<>(ChunkCommand.admit(MODEL, 0, 1, 0, "u-a", a, rule)));
        h.processElement2(new StreamRecord<>(ChunkCommand.admit(MODEL, 0, 1, 0, "u-b", b, rule)));
        h.processElement2(new StreamRecord<>(ChunkCommand.admit(MODEL, 0, 1, 0, "u-c", c, rule)));
    }

    private KeyedTwoInputStreamOperatorTestHarness<String, ChunkEvent, ChunkCommand, OutboundRecord> open() throws Exception {
        return open((topic, partition, offset) -> {
            throw new AssertionError("a kept chunk is never read back");
        });
    }

    private KeyedTwoInputStreamOperatorTestHarness<String, ChunkEvent, ChunkCommand, OutboundRecord> open(ChunkRefetch refetch)
            throws Exception {
        var h = new KeyedTwoInputStreamOperatorTestHarness<String, ChunkEvent, ChunkCommand, OutboundRecord>(
                new KeyedCoProcessOperator<>(new ChunkFolder(TOPICS, refetch)), e -> e.key, c -> c.key, Types.STRING);
        h.open();
        opened.add(h);
        return h;
    }

    private static ChunkEvent chunk(String updateId, long offset, float[] values) {
        return ChunkFolderTest.chunkEvent(MODEL, updateId, offset, values);
    }

    /** The records published since the last call (and clears them). */
    private static List<OutboundRecord> records(
            KeyedTwoInputStreamOperatorTestHarness<String, ChunkEvent, ChunkCommand, OutboundRecord> h) {
        List<OutboundRecord> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r && r.getValue() instanceof OutboundRecord rec) {
                out.add(rec);
            }
        }
        h.getOutput().clear();
        return out;
    }

    /** The slices published since the last call, decoded; nothing else may have been published. */
    private static List<float[]> slices(KeyedTwoInputStreamOperatorTestHarness<String, ChunkEvent, ChunkCommand, OutboundRecord> h) {
        List<float[]> out = new ArrayList<>();
        for (OutboundRecord rec : records(h)) {
            assertThat(rec.topic).isEqualTo(TOPICS.models());
            ModelChunk c = WireCodec.MODEL_CHUNK.decode(rec.value);
            out.add(ChunkData.decode(c.getData(), c.getData().remaining() / 4));
        }
        return out;
    }
}
