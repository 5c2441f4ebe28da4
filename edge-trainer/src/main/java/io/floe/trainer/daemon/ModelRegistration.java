package io.floe.trainer.daemon;

import io.floe.core.settings.SpecValidator;
import io.floe.core.trust.RecordSignatures;
import io.floe.core.wire.TensorRecords;
import io.floe.schema.AggregationConfig;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.ModelSpec;
import io.floe.core.spec.Architecture;
import io.floe.trainer.operator.ControlTopicPublisher;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

/**
 * Creates or reconfigures a federated model: builds a {@link ModelSpec} whose version-0 weights
 * are drawn from the architecture with a seed, and publishes it to the control topic; with an
 * operator key, signed ({@link #authenticated}), so that a job with {@code --operator-keys} obeys it.
 */
public final class ModelRegistration {
    private ModelRegistration() {
    }

    /** A spec with Glorot-initialised weights drawn with {@code initSeed}. */
    public static ModelSpec spec(String modelId, Architecture architecture, long initSeed, AggregationConfig aggregation,
            ClientTrainingConfig training) {
        return ModelSpec.newBuilder()
                .setModelId(modelId)
                .setArchitecture(architecture.toString())
                .setInitialTensors(TensorRecords.toRecords(architecture.initialWeights(initSeed)))
                .setInitSeed(initSeed)
                .setAggregation(aggregation)
                .setTraining(training)
                .setCreatedAt(Instant.now())
                .build();
    }

    /**
     * Why the job would refuse this spec, or null when it would take it: the job's own
     * {@link SpecValidator}, run before publishing so that {@code register} and {@code demo} say at
     * once what is wrong (a combination central DP does not allow, what the chunked path does not
     * have yet) instead of the job dead-lettering the spec while they wait for version 0.
     */
    public static String specProblem(ModelSpec spec) {
        return SpecValidator.validate(spec) instanceof SpecValidator.Result.Invalid invalid ? invalid.rejection().detail() : null;
    }

    /** Chunks of a version of this chunked spec, or 0 when it is not chunked. */
    public static int chunkCount(ModelSpec spec) {
        Integer chunkBytes = spec.getAggregation().getChunkBytes();
        if (chunkBytes == null) {
            return 0;
        }
        long parameters = 0;
        for (io.floe.schema.Tensor t : spec.getInitialTensors()) {
            long n = 1;
            for (Integer d : t.getShape()) {
                n *= d;
            }
            parameters += n;
        }
        return io.floe.core.chunk.ChunkLayout.of(parameters, chunkBytes).count();
    }

    /** Plain local SGD: no momentum. */
    public static ClientTrainingConfig training(float learningRate, int localEpochs, int batchSize) {
        return training(learningRate, localEpochs, batchSize, 0f);
    }

    /**
     * Local SGD with heavy-ball {@code momentum} in [0, 1). The algorithm stays {@code fedavg}: the
     * job fills it in from the spec's {@code aggregation.algorithm} in every GlobalModel.
     */
    public static ClientTrainingConfig training(float learningRate, int localEpochs, int batchSize, float momentum) {
        if (!(momentum >= 0f && momentum < 1f)) {
            throw new IllegalArgumentException("client momentum must be in [0, 1), got " + momentum);
        }
        return ClientTrainingConfig.newBuilder().setLearningRate(learningRate).setLocalEpochs(localEpochs)
                .setBatchSize(batchSize).setMomentum(momentum).build();
    }

    /** Publishes the spec keyed by its model id and waits for the acknowledgement. */
    public static void publish(String bootstrapServers, String controlTopic, ModelSpec spec, Properties extra)
            throws InterruptedException {
        ControlTopicPublisher.publish(bootstrapServers, controlTopic, extra, List.of(ControlTopicPublisher.Command.of(spec)));
    }

    /**
     * {@code spec} with its client authentication set and, given an operator key, signed (last:
     * the signature covers every field).
     *
     * @param clientAuthentication {@code required} (every update and heartbeat signed by an enrolled
     *     client) or {@code none}
     * @param operatorKey the operator's Ed25519 private key; null leaves the spec unsigned
     */
    public static ModelSpec authenticated(ModelSpec spec, String clientAuthentication, PrivateKey operatorKey) {
        if (!"required".equals(clientAuthentication) && !"none".equals(clientAuthentication)) {
            throw new IllegalArgumentException("client authentication must be 'required' or 'none', was '" + clientAuthentication + "'");
        }
        ModelSpec withAuthentication = ModelSpec.newBuilder(spec).setClientAuthentication(clientAuthentication).setSignature(null).build();
        return operatorKey == null ? withAuthentication : RecordSignatures.sign(withAuthentication, operatorKey);
    }
}
