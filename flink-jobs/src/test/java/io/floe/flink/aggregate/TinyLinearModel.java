package io.floe.flink.aggregate;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import io.floe.core.wire.TensorRecords;
import io.floe.core.wire.TopicNames;
import io.floe.core.wire.WireCodec;
import io.floe.flink.io.InboundRecord;
import io.floe.schema.AggregationConfig;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.ModelSpec;
import io.floe.schema.ModelUpdate;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Records about a two-input linear model, small enough to aggregate by hand: {@code dense0.W}
 * of shape [2,1] and {@code dense0.b} of shape [1]. Version 0 is W = [0.5, -0.25], b = [0.125].
 *
 * <p>Builders return Avro builders so a test changes only the field it is about. Inbound records
 * carry explicit offsets and timestamps: the operator stamps models and reports with the record
 * timestamp, so two runs fed the same records publish the same bytes.
 */
final class TinyLinearModel {
    static final TopicNames TOPICS = TopicNames.defaults();
    static final String MODEL_ID = "tiny-linear";
    static final String ARCHITECTURE = "logreg(2)";
    /** Timestamp of the first inbound record; later ones add their offset. */
    static final long T0 = 1_700_000_000_000L;

    private TinyLinearModel() {
    }

    /** Weights (or a delta) with this model's layout: W = [w0, w1], b = [b]. */
    static ModelWeights weights(float w0, float w1, float b) {
        return new ModelWeights(List.of(
                new Tensor("dense0.W", new int[] {2, 1}, new float[] {w0, w1}),
                new Tensor("dense0.b", new int[] {1}, new float[] {b})));
    }

    static ModelWeights initialWeights() {
        return weights(0.5f, -0.25f, 0.125f);
    }

    /** A valid fedavg spec creating {@link #MODEL_ID} from {@link #initialWeights()}. */
    static ModelSpec.Builder spec(int clientsPerRound) {
        return ModelSpec.newBuilder()
                .setModelId(MODEL_ID)
                .setArchitecture(ARCHITECTURE)
                .setInitialTensors(TensorRecords.toRecords(initialWeights()))
                .setInitSeed(42L)
                .setAggregation(AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(clientsPerRound).build())
                .setTraining(ClientTrainingConfig.newBuilder().setLearningRate(0.1f).setLocalEpochs(1).setBatchSize(8).build())
                .setCreatedAt(Instant.ofEpochMilli(T0));
    }

    /** A valid update of {@link #MODEL_ID} trained from version 0, with update id {@code "u-" + clientId}. */
    static ModelUpdate.Builder update(String clientId, long numExamples, ModelWeights delta) {
        return ModelUpdate.newBuilder()
                .setUpdateId("u-" + clientId)
                .setModelId(MODEL_ID)
                .setClientId(clientId)
                .setBaseVersion(0L)
                .setNumExamples(numExamples)
                .setLocalSteps(3)
                .setCreatedAt(Instant.ofEpochMilli(T0))
                .setTensors(TensorRecords.toRecords(delta))
                .setMetrics(Map.of());
    }

    static InboundRecord inbound(String topic, long offset, byte[] value) {
        return new InboundRecord(topic, 0, offset, T0 + offset, MODEL_ID.getBytes(StandardCharsets.UTF_8), value);
    }

    static InboundRecord onControl(ModelSpec spec, long offset) {
        return inbound(TOPICS.control(), offset, WireCodec.MODEL_SPEC.encode(spec));
    }

    static InboundRecord onUpdates(ModelUpdate update, long offset) {
        return inbound(TOPICS.updates(), offset, WireCodec.MODEL_UPDATE.encode(update));
    }

    /** The event {@link RecordDecoder} makes of a spec on the control topic. */
    static ModelEvent specEvent(ModelSpec spec, long offset) {
        return new ModelEvent(spec.getModelId(), ModelEvent.Kind.SPEC, onControl(spec, offset));
    }

    /** The event {@link RecordDecoder} makes of an update on the updates topic. */
    static ModelEvent updateEvent(ModelUpdate update, long offset) {
        return new ModelEvent(update.getModelId(), ModelEvent.Kind.UPDATE, onUpdates(update, offset));
    }
}
