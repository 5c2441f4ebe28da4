package io.floe.bench.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.chunk.ChunkData;
import io.floe.core.chunk.ChunkLayout;
import io.floe.core.chunk.ExactSum;
import io.floe.core.wire.WireCodec;
import io.floe.schema.ChunkManifest;
import io.floe.schema.ModelUpdate;
import io.floe.schema.UpdateChunk;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class SyntheticUpdatesTest {
    private final ChunkLayout layout = ChunkLayout.of(10_000, 4096);
    private final SyntheticUpdates gen = new SyntheticUpdates("m", layout, 42);

    @Test
    void aChunkIsTheSameBytesEveryTimeItIsGenerated() {
        byte[] first = gen.chunkData(3, 5, 2);
        assertThat(gen.chunkData(3, 5, 2)).isEqualTo(first);
        assertThat(new SyntheticUpdates("m", layout, 42).chunkData(3, 5, 2)).isEqualTo(first);
    }

    @Test
    void chunksDifferAcrossSeedRoundClientAndIndex() {
        byte[] a = gen.chunkData(1, 0, 0);
        assertThat(gen.chunkData(2, 0, 0)).isNotEqualTo(a);
        assertThat(gen.chunkData(1, 1, 0)).isNotEqualTo(a);
        assertThat(gen.chunkData(1, 0, 1)).isNotEqualTo(a);
        assertThat(new SyntheticUpdates("m", layout, 43).chunkData(1, 0, 0)).isNotEqualTo(a);
    }

    @Test
    void chunksHaveTheLayoutsLengthsAndFoldableValues() {
        assertThat(layout.count()).isEqualTo(10);
        assertThat(gen.chunkData(1, 0, 0)).hasSize(4096);
        assertThat(gen.chunkData(1, 0, 9)).hasSize(4 * (10_000 - 9 * 1024));
        float[] v = ChunkData.decode(ByteBuffer.wrap(gen.chunkData(1, 0, 4)), 1024);
        assertThat(ChunkData.problem(v)).isNull();
        for (float x : v) {
            assertThat(Math.abs(x)).isLessThanOrEqualTo(0x1p-8f);
        }
        assertThat(ExactSum.checkValue(v[0])).isNull();
    }

    @Test
    void theManifestHashesTheChunksAsTheyAreSentAndTheHeaderCarriesIt() {
        ChunkManifest m = gen.manifest(2, 7);
        assertThat(m.getSha256()).hasSize(10);
        for (int i = 0; i < 10; i++) {
            UpdateChunk sent = WireCodec.UPDATE_CHUNK.decode(gen.chunkRecord(2, 7, i));
            assertThat(sent.getIndex()).isEqualTo(i);
            assertThat(sent.getUpdateId()).isEqualTo("r2-c7");
            assertThat(ChunkData.sha256(sent.getData())).isEqualTo(m.getSha256().get(i).array());
        }
        ModelUpdate header = WireCodec.MODEL_UPDATE.decode(gen.headerRecord(2, 7, 100, m));
        assertThat(header.getBaseVersion()).isEqualTo(1);
        assertThat(header.getChunks()).isEqualTo(m);
        assertThat(header.getTensors()).isEmpty();
        assertThat(new String(gen.chunkKey(3))).isEqualTo("m#3");
    }
}
