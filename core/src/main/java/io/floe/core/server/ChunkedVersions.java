package io.floe.core.server;

import io.floe.core.chunk.ChunkLayout;

import io.floe.core.aggregate.AggregationRules;
import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.aggregate.WeightedMetrics;
import io.floe.core.tensor.ModelWeights;
import io.floe.schema.AcceptedUpdate;
import io.floe.schema.AggregationReport;
import io.floe.schema.ChunkManifest;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.ModelUpdate;
import io.floe.schema.Provenance;
import io.floe.schema.RejectedUpdate;
import io.floe.schema.Tensor;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The versions and reports of a chunked model, decided by its coordinator before the chunks are
 * out: version 0 from the spec, and each round's next version from its members' headers (FedAvg:
 * each update weighted n_k / n, McMahan et al. 2017, Algorithm 1). The GlobalModel carries every
 * tensor's name and shape with empty data and a manifest whose hashes the
 * {@code ManifestWriter} fills in once the folders have published the chunks.
 */
public final class ChunkedVersions {
    private ChunkedVersions() {
    }

    /** The chunk layout of a chunked spec's model. */
    public static ChunkLayout layout(ModelSpec spec) {
        long parameters = 0;
        for (Tensor t : spec.getInitialTensors()) {
            parameters += elements(t);
        }
        return ChunkLayout.of(parameters, spec.getAggregation().getChunkBytes());
    }

    public static GlobalModel versionZero(ModelSpec spec, Instant now) {
        return ModelVersions.versionZeroBuilder(spec, now)
                .setTensors(shapesOnly(spec.getInitialTensors()))
                .setControl(List.of())
                .setChunks(emptyManifest(layout(spec)))
                .build();
    }

    /** Version {@code current + 1} made of {@code members} (their ids sorted in the provenance). */
    public static GlobalModel next(GlobalModel current, ModelSpec spec, List<ModelUpdate> members, Instant now) {
        List<String> ids = new ArrayList<>();
        for (ModelUpdate u : members) {
            ids.add(u.getUpdateId());
        }
        ids.sort(Comparator.naturalOrder());
        return GlobalModel.newBuilder(current)
                .setVersion(current.getVersion() + 1)
                .setCreatedAt(now)
                .setTraining(ModelVersions.trainingFor(spec))
                .setSelection(null)
                .setProvenance(Provenance.newBuilder()
                        .setRule(AggregationRules.byName(spec.getAggregation().getRule()).name())
                        .setParentVersion(current.getVersion())
                        .setUpdateIds(ids)
                        .setSeed(0)
                        .build())
                .setChunks(emptyManifest(ChunkLayout.of(current.getChunks())))
                .build();
    }

    /**
     * The round's report: each member with the weight its rule gave it ({@code weight}: FedAvg's
     * n_k / n, 1/K for the coordinate-wise rules, FedNova's tau_eff p_k / a_k), example-weighted
     * client metrics, the rejections, the bytes.
     */
    public static AggregationReport report(GlobalModel current, List<ModelUpdate> members, List<RejectedUpdate> rejected,
            long uplinkBytes, String note, Instant now, java.util.function.ToDoubleFunction<ModelUpdate> weight) {
        long total = totalExamples(members);
        List<ModelUpdate> sorted = new ArrayList<>(members);
        sorted.sort(Comparator.comparing(ModelUpdate::getUpdateId));
        List<AcceptedUpdate> accepted = new ArrayList<>();
        List<ClientUpdate> forMetrics = new ArrayList<>();
        ModelWeights none = new ModelWeights(List.of());
        for (ModelUpdate u : sorted) {
            accepted.add(AcceptedUpdate.newBuilder().setUpdateId(u.getUpdateId()).setClientId(u.getClientId())
                    .setNumExamples(u.getNumExamples()).setWeight(weight.applyAsDouble(u))
                    .build());
            forMetrics.add(new ClientUpdate(u.getUpdateId(), u.getClientId(), u.getBaseVersion(), u.getNumExamples(), u.getLocalSteps(),
                    none, u.getMetrics()));
        }
        AggregationReport report = ReportBuilder.after(current, now, current.getProvenance().getRule())
                .accepted(accepted)
                .rejected(rejected)
                .clientMetrics(WeightedMetrics.average(forMetrics))
                .note(note)
                .build();
        long dense = 0;
        for (ModelUpdate u : members) {
            dense += 4 * u.getChunks().getParameters();
        }
        report.setUplinkBytes(uplinkBytes);
        report.setDenseUplinkBytes(Math.max(dense, uplinkBytes));
        return report;
    }

    public static long totalExamples(List<ModelUpdate> members) {
        long total = 0;
        for (ModelUpdate u : members) {
            total = Math.addExact(total, u.getNumExamples());
        }
        return total;
    }

    /**
     * The float32 bytes of chunk {@code index} of the spec's initial weights, or an empty array when
     * they are all zeros (a spec whose tensors have empty data).
     */
    public static byte[] initialSlice(ModelSpec spec, ChunkLayout layout, int index) {
        long from = layout.offset(index);
        int length = layout.length(index);
        ByteBuffer out = ByteBuffer.allocate(4 * length);
        long at = 0;
        boolean any = false;
        for (Tensor t : spec.getInitialTensors()) {
            long n = elements(t);
            long start = Math.max(from, at);
            long end = Math.min(from + length, at + n);
            if (start < end && t.getData().hasRemaining()) {
                ByteBuffer d = t.getData().duplicate();
                d.position(d.position() + (int) (4 * (start - at)));
                d.limit(d.position() + (int) (4 * (end - start)));
                out.position((int) (4 * (start - from)));
                out.put(d);
                any = true;
            }
            at += n;
        }
        return any ? out.array() : new byte[0];
    }

    private static List<Tensor> shapesOnly(List<Tensor> tensors) {
        List<Tensor> out = new ArrayList<>(tensors.size());
        for (Tensor t : tensors) {
            out.add(Tensor.newBuilder(t).setData(ByteBuffer.allocate(0)).build());
        }
        return out;
    }

    private static ChunkManifest emptyManifest(ChunkLayout layout) {
        return ChunkManifest.newBuilder().setChunkBytes(layout.chunkBytes()).setParameters(layout.parameters())
                .setSha256(List.of()).build();
    }

    private static long elements(Tensor t) {
        long n = 1;
        for (Integer d : t.getShape()) {
            n *= d;
        }
        return n;
    }
}
