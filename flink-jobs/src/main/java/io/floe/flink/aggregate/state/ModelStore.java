package io.floe.flink.aggregate.state;

import io.floe.core.settings.AggregationSettings;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.wire.TensorRecords;
import io.floe.core.wire.WireCodec;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;

/**
 * The model itself: its spec and its current global model (single-object bytes in keyed state),
 * with two caches that are never checkpointed: the spec decoded and parsed into typed
 * {@link AggregationSettings} once per spec, and the current version's decoded weights. Both are
 * checked against the stored bytes or version on use, so a restore or another key never sees a
 * stale entry.
 */
public final class ModelStore implements ModelState {
    /** Room in {@link #largestUpdateBytes()} for an update's ids, metrics and signature. */
    public static final int UPDATE_SLACK_BYTES = 64 * 1024;

    private final ValueState<byte[]> spec;
    private final ValueState<byte[]> model;
    private final Map<String, ParsedSpec> specs = new HashMap<>();
    private final Map<String, DecodedModel> weights = new HashMap<>();
    private String key;

    private record ParsedSpec(byte[] bytes, ModelSpec spec, AggregationSettings settings) {
    }

    private record DecodedModel(long version, ModelWeights weights) {
    }

    public ModelStore(RuntimeContext context) {
        spec = context.getState(new ValueStateDescriptor<>("model-spec", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        model = context.getState(new ValueStateDescriptor<>("global-model", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    /**
     * Scopes the caches to the model whose event is being processed, as Flink scopes keyed state
     * to the current key; the operator calls this before anything else on every event.
     */
    public void atKey(String modelId) {
        key = modelId;
    }

    /** Whether a spec has created this model (both its spec and version 0 are stored). */
    public boolean exists() throws Exception {
        return spec.value() != null && model.value() != null;
    }

    /** The model's current spec; the model must exist. */
    public ModelSpec spec() throws Exception {
        return parsed().spec();
    }

    /** The current spec's aggregation settings, parsed once per spec. */
    public AggregationSettings settings() throws Exception {
        return parsed().settings();
    }

    /** Stores a validated spec (creation or reconfiguration) with the settings it was parsed into. */
    public void storeSpec(ModelSpec newSpec, AggregationSettings settings) throws Exception {
        byte[] bytes = WireCodec.MODEL_SPEC.encode(newSpec);
        spec.update(bytes);
        specs.put(key, new ParsedSpec(bytes, newSpec, settings));
    }

    /** The current global model, or null before the model is created. */
    public GlobalModel current() throws Exception {
        byte[] bytes = model.value();
        return bytes == null ? null : WireCodec.GLOBAL_MODEL.decode(bytes);
    }

    /** The current global model's stored bytes (FedAsync keeps them as history without re-encoding). */
    public byte[] currentBytes() throws Exception {
        return model.value();
    }

    /**
     * The largest update this model can be sent: twice its current version's encoded size (an
     * update's delta, plus SCAFFOLD's control delta, is no larger than a version, whose SCAFFOLD
     * form carries the weights and c) plus 64 KiB for ids and metrics. Anything larger is not an
     * update of this model, and is refused before it is decoded. The model must exist.
     */
    public long largestUpdateBytes() throws Exception {
        return 2L * model.value().length + UPDATE_SLACK_BYTES;
    }

    /** Makes {@code next} the current version; returns its encoded bytes for the models topic. */
    public byte[] storeVersion(GlobalModel next) throws Exception {
        byte[] bytes = WireCodec.GLOBAL_MODEL.encode(next);
        model.update(bytes);
        return bytes;
    }

    /** The decoded tensors of {@code version} (the current one), decoded once per version. */
    public ModelWeights weights(GlobalModel version) {
        DecodedModel cached = weights.get(key);
        if (cached == null || cached.version() != version.getVersion()) {
            cached = new DecodedModel(version.getVersion(), TensorRecords.fromRecords(version.getTensors()));
            weights.put(key, cached);
        }
        return cached.weights();
    }

    /** The spec and the model are the model's identity: a reconfiguration replaces the spec through {@link #storeSpec}. */
    @Override
    public void reconfigure(SpecChange change) {
    }

    private ParsedSpec parsed() throws Exception {
        byte[] bytes = spec.value();
        if (bytes == null) {
            throw new IllegalStateException("no ModelSpec has created this model");
        }
        ParsedSpec cached = specs.get(key);
        if (cached != null && (cached.bytes() == bytes || Arrays.equals(cached.bytes(), bytes))) {
            return cached;
        }
        ModelSpec decoded = WireCodec.MODEL_SPEC.decode(bytes);
        ParsedSpec p = new ParsedSpec(bytes, decoded, AggregationSettings.from(decoded));
        specs.put(key, p);
        return p;
    }
}
