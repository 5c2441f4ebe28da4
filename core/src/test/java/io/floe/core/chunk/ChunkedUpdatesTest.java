package io.floe.core.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelChunk;
import io.floe.schema.Provenance;
import io.floe.schema.Tensor;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChunkedUpdatesTest {

    @Test
    void layoutCutsIntoFullChunksAndAShorterLast() {
        ChunkLayout layout = ChunkLayout.of(1000, 1024);
        assertThat(layout.valuesPerChunk()).isEqualTo(256);
        assertThat(layout.count()).isEqualTo(4);
        assertThat(layout.offset(3)).isEqualTo(768);
        assertThat(layout.length(3)).isEqualTo(232);
        assertThat(ChunkLayout.problem(1000, 1026)).contains("multiple of 4");
        assertThat(ChunkLayout.problem(1000, 512)).contains("1024");
        assertThatThrownBy(() -> layout.length(4)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void cutRecordsAndHashesEveryChunk() {
        float[] delta = values(700);
        ChunkedUpdates.Cut cut = ChunkedUpdates.cut("m", "u1", delta, 1024);
        assertThat(cut.chunks()).hasSize(3);
        assertThat(cut.manifest().getParameters()).isEqualTo(700L);
        for (int i = 0; i < 3; i++) {
            assertThat(cut.chunks().get(i).getIndex()).isEqualTo(i);
            assertThat(cut.manifest().getSha256().get(i).array()).isEqualTo(ChunkData.sha256(cut.chunks().get(i).getData()));
        }
        assertThat(ChunkData.decode(cut.chunks().get(2).getData(), 188)[0]).isEqualTo(delta[512]);
    }

    @Test
    void assemblyHandsOutAVersionOnlyWhenEveryChunkMatches() {
        float[] weights = values(600);
        ChunkedUpdates.Cut cut = ChunkedUpdates.cut("m", "unused", weights, 1024);
        GlobalModel manifest = manifest(5, cut);
        ChunkedModelAssembly assembly = new ChunkedModelAssembly("m");
        assembly.offer(manifest);
        assembly.offer(chunk(5, 0, cut.chunks().get(0).getData()));
        assertThat(assembly.complete()).isEmpty();
        // a corrupt chunk 1 is not used
        ByteBuffer bad = ByteBuffer.wrap(cut.chunks().get(1).getData().array().clone());
        bad.put(0, (byte) (bad.get(0) ^ 1));
        assembly.offer(chunk(5, 1, bad));
        assembly.offer(chunk(5, 2, cut.chunks().get(2).getData()));
        assertThat(assembly.complete()).isEmpty();
        assembly.offer(chunk(5, 1, cut.chunks().get(1).getData()));
        Optional<GlobalModel> done = assembly.complete();
        assertThat(done).isPresent();
        float[] back = new float[600];
        ByteBuffer a = done.get().getTensors().get(0).getData();
        ByteBuffer b = done.get().getTensors().get(1).getData();
        float[] first = ChunkData.decode(a, 100);
        float[] second = ChunkData.decode(b, 500);
        System.arraycopy(first, 0, back, 0, 100);
        System.arraycopy(second, 0, back, 100, 500);
        assertThat(back).containsExactly(weights);
        assertThat(assembly.complete()).isEmpty();
    }

    private static float[] values(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) Math.sin(i) * 0.01f;
        }
        return v;
    }

    private static ModelChunk chunk(long version, int index, ByteBuffer data) {
        return ModelChunk.newBuilder().setModelId("m").setVersion(version).setIndex(index).setData(data).build();
    }

    private static GlobalModel manifest(long version, ChunkedUpdates.Cut cut) {
        List<Tensor> tensors = new ArrayList<>();
        tensors.add(Tensor.newBuilder().setName("a").setShape(List.of(10, 10)).setData(ByteBuffer.allocate(0)).build());
        tensors.add(Tensor.newBuilder().setName("b").setShape(List.of(500)).setData(ByteBuffer.allocate(0)).build());
        return GlobalModel.newBuilder().setModelId("m").setVersion(version).setCreatedAt(Instant.EPOCH).setArchitecture("x")
                .setTensors(tensors).setTraining(ClientTrainingConfig.newBuilder().build())
                .setProvenance(Provenance.newBuilder().setRule("fedavg").setParentVersion(version - 1).setUpdateIds(List.of()).build())
                .setChunks(cut.manifest()).build();
    }
}
