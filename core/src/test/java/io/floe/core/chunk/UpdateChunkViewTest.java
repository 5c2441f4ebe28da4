package io.floe.core.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.core.wire.MalformedRecordException;
import io.floe.core.wire.WireCodec;
import io.floe.schema.UpdateChunk;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class UpdateChunkViewTest {

    @Test
    void readsWhatAvroWroteWithoutCopyingTheData() {
        float[] values = {1.5f, -2f, 3e-7f};
        byte[] bytes = WireCodec.UPDATE_CHUNK.encode(UpdateChunk.newBuilder().setModelId("modèle").setUpdateId("u-1").setIndex(300)
                .setData(ByteBuffer.wrap(ChunkData.encode(values, 0, 3))).build());

        UpdateChunkView view = UpdateChunkView.of(bytes);

        assertThat(view.modelId()).isEqualTo("modèle");
        assertThat(view.updateId()).isEqualTo("u-1");
        assertThat(view.index()).isEqualTo(300);
        assertThat(ChunkData.decode(view.data(), 3)).containsExactly(values);
        assertThat(view.data().isReadOnly()).isTrue();
        assertThat(ChunkData.sha256(view.data())).isEqualTo(ChunkData.sha256(ChunkData.encode(values, 0, 3)));
    }

    @Test
    void refusesALengthThatRunsPastTheRecordAndOtherRecords() {
        byte[] bytes = WireCodec.UPDATE_CHUNK.encode(UpdateChunk.newBuilder().setModelId("m").setUpdateId("u").setIndex(0)
                .setData(ByteBuffer.wrap(new byte[8])).build());
        byte[] cut = Arrays.copyOf(bytes, bytes.length - 3);
        assertThatThrownBy(() -> UpdateChunkView.of(cut)).isInstanceOf(MalformedRecordException.class).hasMessageContaining("runs past");
        assertThatThrownBy(() -> UpdateChunkView.of(new byte[] {1, 2, 3})).isInstanceOf(MalformedRecordException.class);
    }

    @Test
    void foldingFromTheViewEqualsFoldingTheDecodedValues() {
        float[] values = {0.25f, -1e-3f, 7f, 0f};
        ExactSum a = new ExactSum(4);
        a.add(5, values);
        ExactSum b = new ExactSum(4);
        b.add(5, ByteBuffer.wrap(ChunkData.encode(values, 0, 4)));
        assertThat(b).isEqualTo(a);
        assertThat(ChunkData.problem(ByteBuffer.wrap(ChunkData.encode(new float[] {1f, Float.NaN}, 0, 2)))).contains("at value 1");
        float belowBound = Math.nextDown(ExactSum.MAX_ABS_VALUE);
        assertThat(ChunkData.problem(ByteBuffer.wrap(ChunkData.encode(new float[] {belowBound, -belowBound, 0f}, 0, 3)))).isNull();
        assertThat(ChunkData.problem(ByteBuffer.wrap(ChunkData.encode(new float[] {1f, 0f, -ExactSum.MAX_ABS_VALUE}, 0, 3))))
                .contains("at value 2");
        assertThat(ChunkData.problem(ByteBuffer.wrap(ChunkData.encode(new float[] {Float.NEGATIVE_INFINITY}, 0, 1)))).isNotNull();
    }
}
