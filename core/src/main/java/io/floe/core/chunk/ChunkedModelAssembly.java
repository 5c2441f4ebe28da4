package io.floe.core.chunk;

import io.floe.schema.ChunkManifest;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelChunk;
import io.floe.schema.Tensor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Puts one chunked model back together on the reader's side (trainers, benchmarks): it keeps the
 * newest manifest (a {@code GlobalModel} with {@code chunks}) and the {@link ModelChunk}s of that
 * version or newer ones, and hands out a version only when every one of its chunks is there and
 * matches the SHA-256 its manifest lists; a chunk that does not match is ignored (stale, corrupt or
 * forged). The model handed out is the manifest with its tensors' data filled in, so code that reads
 * whole {@code GlobalModel}s needs no change.
 */
public final class ChunkedModelAssembly {
    private final String modelId;
    private GlobalModel manifest;
    /** version -> chunk index -> data, for the manifest's version and newer ones. */
    private final TreeMap<Long, Map<Integer, ByteBuffer>> chunks = new TreeMap<>();
    private long handedOut = -1;

    public ChunkedModelAssembly(String modelId) {
        this.modelId = modelId;
    }

    /** A manifest from the models topic; older than the newest one seen, it is ignored. */
    public void offer(GlobalModel model) {
        if (model.getChunks() == null || !modelId.equals(model.getModelId())) {
            return;
        }
        if (manifest == null || model.getVersion() > manifest.getVersion()) {
            manifest = model;
            chunks.headMap(model.getVersion()).clear();
        }
    }

    public void offer(ModelChunk chunk) {
        if (!modelId.equals(chunk.getModelId()) || (manifest != null && chunk.getVersion() < manifest.getVersion())) {
            return;
        }
        chunks.computeIfAbsent(chunk.getVersion(), v -> new TreeMap<>()).put(chunk.getIndex(), chunk.getData().duplicate());
    }

    /**
     * The newest manifest's version with its weights, once every chunk of it is present and
     * matches; empty while a chunk is missing or mismatched, and after that version was handed out.
     */
    public Optional<GlobalModel> complete() {
        if (manifest == null || manifest.getVersion() <= handedOut) {
            return Optional.empty();
        }
        ChunkManifest m = manifest.getChunks();
        ChunkLayout layout = ChunkLayout.of(m);
        Map<Integer, ByteBuffer> have = chunks.getOrDefault(manifest.getVersion(), Map.of());
        if (have.size() < layout.count() || m.getSha256().size() != layout.count()) {
            return Optional.empty();
        }
        float[] values = new float[Math.toIntExact(layout.parameters())];
        for (int i = 0; i < layout.count(); i++) {
            ByteBuffer data = have.get(i);
            if (data == null || !Arrays.equals(ChunkData.sha256(data), bytes(m.getSha256().get(i)))) {
                have.remove(i);
                return Optional.empty();
            }
            float[] v = ChunkData.decode(data, layout.length(i));
            System.arraycopy(v, 0, values, (int) layout.offset(i), v.length);
        }
        handedOut = manifest.getVersion();
        chunks.remove(manifest.getVersion());
        return Optional.of(withValues(manifest, values));
    }

    /** {@code manifest} with its tensors' data cut from the concatenated {@code values}. */
    static GlobalModel withValues(GlobalModel manifest, float[] values) {
        List<Tensor> tensors = new ArrayList<>(manifest.getTensors().size());
        int at = 0;
        for (Tensor t : manifest.getTensors()) {
            int n = 1;
            for (Integer d : t.getShape()) {
                n = Math.multiplyExact(n, d);
            }
            tensors.add(Tensor.newBuilder(t).setData(ByteBuffer.wrap(ChunkData.encode(values, at, n))).build());
            at += n;
        }
        return GlobalModel.newBuilder(manifest).setTensors(tensors).build();
    }

    private static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }
}
