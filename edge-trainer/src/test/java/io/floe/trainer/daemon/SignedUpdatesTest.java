package io.floe.trainer.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.chunk.ChunkedUpdates;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.trust.Ed25519Keys;
import io.floe.core.trust.RecordSignatures;
import io.floe.core.trust.RecordSignatures.Verdict;
import io.floe.core.wire.TensorRecords;
import io.floe.core.wire.WireCodec;
import io.floe.schema.ChunkManifest;
import io.floe.schema.ClientHeartbeat;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelUpdate;
import io.floe.schema.Provenance;
import io.floe.core.spec.Architecture;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * A trainer with a client key signs what speaks for it: every update (a chunked one on its header,
 * over the filled-in manifest) and every heartbeat; the job verifies them with the enrolled public
 * key, and neither another key nor an altered field passes. Without a key nothing is signed.
 */
class SignedUpdatesTest {
    private static final String MODEL = "m";
    private static final KeyPair CLIENT = Ed25519Keys.generate();
    private static final KeyPair OTHER = Ed25519Keys.generate();
    /** 4 x 200 + 200 + 200 + 1 = 1201 parameters: 5 chunks of 1024 bytes. */
    private static final Architecture MLP = Architecture.parse("mlp(4,200,1)");

    @Test
    void aSignedUpdateVerifiesWithTheClientsKeyOnlyAndNotOnceAltered() throws Exception {
        // Prepare
        MockProducer<byte[], byte[]> producer = mockProducer();
        UpdatePublisher publisher = new UpdatePublisher("floe.updates", () -> producer, fastRetry(), CLIENT.getPrivate());

        // Execute
        publisher.publish(update("u-1", MLP.initialWeights(1)));
        publisher.close();

        // Assert: what the broker got, decoded as the job decodes it
        ModelUpdate sent = WireCodec.MODEL_UPDATE.decode(producer.history().get(0).value());
        assertThat(RecordSignatures.verify(sent, CLIENT.getPublic())).isEqualTo(Verdict.VALID);
        assertThat(RecordSignatures.verify(sent, OTHER.getPublic())).isEqualTo(Verdict.BAD_SIGNATURE);
        ModelUpdate inflated = ModelUpdate.newBuilder(sent).setNumExamples(sent.getNumExamples() * 100).build();
        assertThat(RecordSignatures.verify(inflated, CLIENT.getPublic())).as("numExamples altered").isEqualTo(Verdict.BAD_SIGNATURE);
        ModelUpdate rebased = ModelUpdate.newBuilder(sent).setBaseVersion(7).build();
        assertThat(RecordSignatures.verify(rebased, CLIENT.getPublic())).as("baseVersion altered").isEqualTo(Verdict.BAD_SIGNATURE);
    }

    @Test
    void aChunkedUpdateIsSignedOnItsHeaderOverTheManifestSoAnAlteredChunkHashFails() throws Exception {
        // Prepare
        MockProducer<byte[], byte[]> producer = mockProducer();
        UpdatePublisher publisher = new UpdatePublisher("floe.updates", () -> producer, fastRetry(), CLIENT.getPrivate());
        ChunkedUpdate chunked = ChunkedUpdate.cut(update("u-2", MLP.initialWeights(2)), chunkedBase(MLP.initialWeights(3), 4));

        // Execute
        publisher.publishChunked(chunked);
        publisher.close();

        // Assert: the header verifies, with its manifest filled in; the chunks carry no signature of their own
        ModelUpdate header = WireCodec.MODEL_UPDATE.decode(producer.history().get(0).value());
        assertThat(producer.history()).hasSize(1 + chunked.chunks().size());
        assertThat(header.getChunks().getSha256()).hasSize(5);
        assertThat(RecordSignatures.verify(header, CLIENT.getPublic())).isEqualTo(Verdict.VALID);
        assertThat(chunked.header().getSignature()).as("signed in place: onPublished sees what was sent").isNotNull();
        // a chunk swapped for another needs its hash in the manifest changed: the signature no longer verifies
        List<ByteBuffer> hashes = new ArrayList<>(header.getChunks().getSha256());
        byte[] forged = new byte[32];
        forged[0] = 1;
        hashes.set(2, ByteBuffer.wrap(forged));
        ModelUpdate swapped = ModelUpdate.newBuilder(header)
                .setChunks(ChunkManifest.newBuilder(header.getChunks()).setSha256(hashes).build()).build();
        assertThat(RecordSignatures.verify(swapped, CLIENT.getPublic())).isEqualTo(Verdict.BAD_SIGNATURE);
        assertThat(RecordSignatures.verify(header, OTHER.getPublic())).isEqualTo(Verdict.BAD_SIGNATURE);
    }

    @Test
    void withoutAClientKeyUpdatesGoOutUnsignedAsBefore() throws Exception {
        MockProducer<byte[], byte[]> producer = mockProducer();
        UpdatePublisher publisher = new UpdatePublisher("floe.updates", () -> producer, fastRetry());

        publisher.publish(update("u-3", MLP.initialWeights(1)));
        publisher.close();

        ModelUpdate sent = WireCodec.MODEL_UPDATE.decode(producer.history().get(0).value());
        assertThat(sent.getSignature()).isNull();
        assertThat(RecordSignatures.verify(sent, CLIENT.getPublic())).isEqualTo(Verdict.UNSIGNED);
    }

    @Test
    void heartbeatsAreSignedWithTheClientsKeyWhenOneIsGiven() {
        Instant at = Instant.parse("2024-05-01T10:00:00Z");

        ClientHeartbeat signed = HeartbeatPublisher.heartbeat(MODEL, "site-1", 120, at, CLIENT.getPrivate());
        ClientHeartbeat unsigned = HeartbeatPublisher.heartbeat(MODEL, "site-1", 120, at, null);

        ClientHeartbeat decoded = WireCodec.CLIENT_HEARTBEAT.decode(WireCodec.CLIENT_HEARTBEAT.encode(signed));
        assertThat(RecordSignatures.verify(decoded, CLIENT.getPublic())).isEqualTo(Verdict.VALID);
        assertThat(RecordSignatures.verify(decoded, OTHER.getPublic())).isEqualTo(Verdict.BAD_SIGNATURE);
        ClientHeartbeat otherClient = ClientHeartbeat.newBuilder(decoded).setClientId("site-2").build();
        assertThat(RecordSignatures.verify(otherClient, CLIENT.getPublic())).isEqualTo(Verdict.BAD_SIGNATURE);
        assertThat(RecordSignatures.verify(unsigned, CLIENT.getPublic())).isEqualTo(Verdict.UNSIGNED);
    }

    private static ModelUpdate update(String updateId, ModelWeights delta) {
        return ModelUpdate.newBuilder()
                .setUpdateId(updateId)
                .setModelId(MODEL)
                .setClientId("site-1")
                .setBaseVersion(4)
                .setNumExamples(60)
                .setCreatedAt(Instant.parse("2024-05-01T10:00:00Z"))
                .setTensors(TensorRecords.toRecords(delta))
                .setMetrics(Map.of("loss", 0.5, "accuracy", 0.8))
                .build();
    }

    /** Version {@code version} of a chunked model as the follower hands it out: weights filled in, and its manifest. */
    private static GlobalModel chunkedBase(ModelWeights weights, long version) {
        return GlobalModel.newBuilder()
                .setModelId(MODEL)
                .setVersion(version)
                .setCreatedAt(Instant.EPOCH)
                .setArchitecture(MLP.toString())
                .setTensors(TensorRecords.toRecords(weights))
                .setTraining(ClientTrainingConfig.newBuilder().setLearningRate(0.1f).setLocalEpochs(1).setBatchSize(16).build())
                .setProvenance(Provenance.newBuilder().setRule("fedavg").setParentVersion(version - 1).setUpdateIds(List.of()).build())
                .setChunks(ChunkedUpdates.cut(MODEL, "model", weights.flatten(), 1024).manifest())
                .build();
    }

    private static PublishRetry fastRetry() {
        return new PublishRetry(Duration.ofMillis(1), Duration.ofMillis(5), 1L);
    }

    private static MockProducer<byte[], byte[]> mockProducer() {
        return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
