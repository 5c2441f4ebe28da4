package io.floe.flink.shard;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.chunk.ChunkData;
import io.floe.core.chunk.ExactSum;
import io.floe.core.wire.TopicNames;
import io.floe.core.wire.WireCodec;
import io.floe.flink.io.InboundRecord;
import io.floe.flink.io.OutboundRecord;
import io.floe.schema.ModelChunk;
import io.floe.schema.UpdateChunk;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One chunk's folder under the keyed two-input harness: it folds admitted chunks as they come
 * (early ones wait for their ADMIT), publishes w + eta S / n on CLOSE once every member is folded,
 * takes a dropped update's folded chunk out again by reading it back, and keeps an open round
 * across a snapshot and restore.
 */
class ChunkFolderTest {
    private static final TopicNames TOPICS = TopicNames.defaults();
    private static final String MODEL = "m";
    private static final String KEY = ChunkData.key(MODEL, 0);
    private static final float[] BASE = {1f, 2f, 3f, 4f};

    /** The records "on Kafka" for the folder to read back, by offset. */
    private static final Map<Long, byte[]> LOG = new HashMap<>();
    private final List<KeyedTwoInputStreamOperatorTestHarness<String, ChunkEvent, ChunkCommand, OutboundRecord>> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (var h : opened) {
            h.close();
        }
        LOG.clear();
    }

    @Test
    void foldsAdmittedChunksAndPublishesTheNextSliceOnClose() throws Exception {
        var h = open(null);
        h.processElement2(new StreamRecord<>(ChunkCommand.init(MODEL, 0, 1, 0, 4, ChunkData.encode(BASE, 0, 4))));
        assertThat(slices(h)).containsExactly(BASE);
        h.processElement1(new StreamRecord<>(chunk("u-b", 11, new float[] {1f, 1f, 1f, 1f}))); // before its ADMIT: waits
        h.processElement2(new StreamRecord<>(ChunkCommand.admit(MODEL, 0, 1, 0, "u-a", 3)));
        h.processElement2(new StreamRecord<>(ChunkCommand.admit(MODEL, 0, 1, 0, "u-b", 1)));
        h.processElement1(new StreamRecord<>(chunk("u-a", 10, new float[] {0.5f, -1f, 0f, 2f})));

        h.processElement2(new StreamRecord<>(ChunkCommand.close(MODEL, 0, 1, 0, new String[] {"u-a", "u-b"}, new long[] {3, 1}, 4,
                1.0, 1)));

        // w + (3 * a + 1 * b) / 4 = [1 + 2.5/4, 2 - 2/4, 3 + 1/4, 4 + 7/4]
        assertThat(slices(h)).containsExactly(new float[] {1.625f, 1.5f, 3.25f, 5.75f});
        assertThat(h.getSideOutput(ChunkFolder.DIGESTS)).extracting(r -> r.getValue().version).containsExactly(0L, 1L);
    }

    @Test
    void closeWaitsForAMemberWhoseChunkIsStillOnItsWay() throws Exception {
        var h = open(null);
        h.processElement2(new StreamRecord<>(ChunkCommand.init(MODEL, 0, 1, 0, 4, new byte[0])));
        slices(h);
        h.processElement2(new StreamRecord<>(ChunkCommand.admit(MODEL, 0, 1, 0, "u-a", 2)));
        h.processElement2(new StreamRecord<>(ChunkCommand.close(MODEL, 0, 1, 0, new String[] {"u-a"}, new long[] {2}, 2, 0.5, 1)));
        assertThat(slices(h)).isEmpty();

        h.processElement1(new StreamRecord<>(chunk("u-a", 10, new float[] {2f, 4f, -2f, 0f})));

        assertThat(slices(h)).containsExactly(new float[] {1f, 2f, -1f, 0f});
    }

    @Test
    void aDroppedUpdatesFoldedChunkIsTakenOutAgainAcrossARestore() throws Exception {
        var h = open(null);
        h.processElement2(new StreamRecord<>(ChunkCommand.init(MODEL, 0, 1, 0, 4, ChunkData.encode(BASE, 0, 4))));
        h.processElement2(new StreamRecord<>(ChunkCommand.admit(MODEL, 0, 1, 0, "u-a", 3)));
        h.processElement2(new StreamRecord<>(ChunkCommand.admit(MODEL, 0, 1, 0, "u-evil", 5)));
        h.processElement1(new StreamRecord<>(chunk("u-a", 10, new float[] {0.5f, -1f, 0f, 2f})));
        h.processElement1(new StreamRecord<>(chunk("u-evil", 12, new float[] {1e6f, -3e5f, 7f, 0.1f})));
        OperatorSubtaskState snapshot = h.snapshot(1, 1);
        opened.remove(h);
        h.close();

        var restored = open(snapshot);
        restored.processElement2(new StreamRecord<>(ChunkCommand.drop(MODEL, 0, 1, 0, "u-evil")));
        restored.processElement2(new StreamRecord<>(ChunkCommand.close(MODEL, 0, 1, 0, new String[] {"u-a"}, new long[] {3}, 3, 1.0, 1)));

        ExactSum expected = new ExactSum(4);
        expected.add(3, new float[] {0.5f, -1f, 0f, 2f});
        assertThat(slices(restored)).containsExactly(expected.applyTo(BASE, 3, 1.0));
    }

    @Test
    void fedAdamStepsEachChunkWithItsMomentsAcrossRoundsAndARestore() throws Exception {
        String adam = "fedadam:eta=0.1,beta1=0.9,beta2=0.99,tau=0.001";
        float[] a1 = {0.5f, -1f, 0f, 2f};
        float[] a2 = {-0.25f, 0.5f, 1f, 0f};
        var h = open(null);
        h.processElement2(new StreamRecord<>(ChunkCommand.init(MODEL, 0, 1, 0, 4, ChunkData.encode(BASE, 0, 4))));
        h.processElement2(new StreamRecord<>(ChunkCommand.admit(MODEL, 0, 1, 0, "u-a", 2)));
        h.processElement1(new StreamRecord<>(chunk("u-a", 10, a1)));
        h.processElement2(new StreamRecord<>(adamClose(adam, 0, "u-a")));
        slices(h);
        OperatorSubtaskState snapshot = h.snapshot(1, 1);
        opened.remove(h);
        h.close();
        var restored = open(snapshot);
        restored.processElement2(new StreamRecord<>(ChunkCommand.admit(MODEL, 0, 1, 1, "u-b", 2)));
        restored.processElement1(new StreamRecord<>(chunk("u-b", 11, a2)));
        restored.processElement2(new StreamRecord<>(adamClose(adam, 1, "u-b")));

        // the whole-model FedAdam (core's ServerOptimizer) on the same deltas, moments carried
        io.floe.core.drift.ServerOptimizer opt = io.floe.core.drift.ServerOptimizer.parse(adam);
        var w0 = new io.floe.core.tensor.ModelWeights(List.of(new io.floe.core.tensor.Tensor("chunk", new int[] {4}, BASE)));
        var s1 = opt.step(w0, new io.floe.core.tensor.ModelWeights(List.of(new io.floe.core.tensor.Tensor("chunk", new int[] {4}, a1))),
                opt.initialState(w0));
        var s2 = opt.step(s1.weights(), new io.floe.core.tensor.ModelWeights(List.of(
                new io.floe.core.tensor.Tensor("chunk", new int[] {4}, a2))), s1.state());
        assertThat(slices(restored)).containsExactly(s2.weights().tensors().get(0).values());
    }

    private static ChunkCommand adamClose(String adam, long version, String member) {
        ChunkCommand c = ChunkCommand.close(MODEL, 0, 1, version, new String[] {member}, new long[] {2}, 2, 1.0, version + 1);
        c.serverOptimizer = adam;
        return c;
    }

    @Test
    void aChunkWhoseHeaderNeverComesIsDeadLetteredAsAnOrphan() throws Exception {
        var h = open(null);
        h.setProcessingTime(1_000);
        h.processElement2(new StreamRecord<>(ChunkCommand.init(MODEL, 0, 1, 0, 4, new byte[0])));
        h.processElement1(new StreamRecord<>(chunk("u-ghost", 10, new float[] {1f, 1f, 1f, 1f})));
        h.getOutput().clear();

        h.setProcessingTime(1_000 + ChunkFolder.WAITING_MS);

        List<String> reasons = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r && r.getValue() instanceof OutboundRecord rec && rec.topic.equals(TOPICS.deadLetter())) {
                reasons.add(WireCodec.DEAD_LETTER.decode(rec.value).getReason());
            }
        }
        assertThat(reasons).containsExactly("ORPHAN_CHUNK");
        // its ADMIT coming now finds nothing to fold
        h.processElement2(new StreamRecord<>(ChunkCommand.admit(MODEL, 0, 1, 0, "u-ghost", 1)));
        h.processElement2(new StreamRecord<>(ChunkCommand.close(MODEL, 0, 1, 0, new String[] {}, new long[] {}, 0, 1.0, 1)));
        assertThat(slices(h)).containsExactly(new float[4]);
    }

    private KeyedTwoInputStreamOperatorTestHarness<String, ChunkEvent, ChunkCommand, OutboundRecord> open(OperatorSubtaskState from)
            throws Exception {
        ChunkRefetch refetch = (topic, partition, offset) -> LOG.get(offset);
        var h = new KeyedTwoInputStreamOperatorTestHarness<String, ChunkEvent, ChunkCommand, OutboundRecord>(
                new KeyedCoProcessOperator<>(new ChunkFolder(TOPICS, refetch)), e -> e.key, c -> c.key, Types.STRING);
        if (from != null) {
            h.initializeState(from);
        }
        h.open();
        opened.add(h);
        return h;
    }

    private static ChunkEvent chunk(String updateId, long offset, float[] values) {
        ChunkEvent e = chunkEvent(MODEL, updateId, offset, values);
        LOG.put(offset, e.origin.value);
        return e;
    }

    /** Chunk 0 of {@code updateId} of {@code model}, dense, as it lands from the updates topic at {@code offset}. */
    static ChunkEvent chunkEvent(String model, String updateId, long offset, float[] values) {
        String key = ChunkData.key(model, 0);
        byte[] value = WireCodec.UPDATE_CHUNK.encode(UpdateChunk.newBuilder().setModelId(model).setUpdateId(updateId).setIndex(0)
                .setData(ByteBuffer.wrap(ChunkData.encode(values, 0, values.length))).build());
        return new ChunkEvent(key, model, updateId, 0, new InboundRecord(TOPICS.updates(), 0, offset, 0,
                key.getBytes(StandardCharsets.UTF_8), value));
    }

    /** The slices published since the last call, decoded. */
    private static List<float[]> slices(KeyedTwoInputStreamOperatorTestHarness<String, ChunkEvent, ChunkCommand, OutboundRecord> h) {
        List<float[]> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r && r.getValue() instanceof OutboundRecord rec && rec.topic.equals(TOPICS.models())) {
                ModelChunk c = WireCodec.MODEL_CHUNK.decode(rec.value);
                out.add(ChunkData.decode(c.getData(), c.getData().remaining() / 4));
            }
        }
        h.getOutput().clear();
        return out;
    }
}
