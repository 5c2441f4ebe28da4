package io.floe.trainer.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.chunk.ChunkData;
import io.floe.core.trust.Ed25519Keys;
import io.floe.core.trust.RecordSignatures;
import io.floe.core.trust.RecordSignatures.Verdict;
import io.floe.core.wire.WireCodec;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelChunk;
import io.floe.trainer.daemon.ModelTopicReaderTest.Version;
import io.floe.trainer.metrics.TrainerMetrics;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * A trainer given the job's public key uses only versions the job signed: one signed by another key,
 * an unsigned one, and an attacker's far-ahead version are ignored (counted, by reason) and the
 * newest verified version stays the one trained on; a chunked version is checked on its manifest
 * header, whose hashes then vouch for the chunks. Record by record, through {@link ModelTopicReader}.
 */
class SignedGlobalModelsTest {
    private static final String MODEL = "m";
    private static final KeyPair JOB = Ed25519Keys.generate();
    private static final KeyPair ATTACKER = Ed25519Keys.generate();

    @Test
    void followsTheJobsSignedVersionsAndIgnoresUnsignedOtherKeyAndForgedFarAheadOnes() {
        // Prepare
        GlobalModelVerifier verifier = GlobalModelVerifier.of(JOB.getPublic());
        ModelTopicReader reader = new ModelTopicReader(MODEL, verifier);
        GlobalModel v3 = signed(ModelTopicReaderTest.dense(3, 0.1f), JOB);

        // Execute: the job's version 3, then version 4 signed by another key, an unsigned 5, a forged 1003
        offer(reader, MODEL, v3);
        offer(reader, MODEL, signed(ModelTopicReaderTest.dense(4, 9f), ATTACKER));
        offer(reader, MODEL, ModelTopicReaderTest.dense(5, 9f));
        offer(reader, MODEL, signed(ModelTopicReaderTest.dense(v3.getVersion() + 1000, 9f), ATTACKER));
        GlobalModel afterForgeries = reader.newest();
        GlobalModel v4 = signed(ModelTopicReaderTest.dense(4, 0.2f), JOB);
        offer(reader, MODEL, v4);

        // Assert: the forgeries never became the newest; the job's next version did
        assertThat(afterForgeries.getVersion()).isEqualTo(3);
        assertThat(ModelTopicReaderTest.values(afterForgeries)).containsExactly(ModelTopicReaderTest.values(v3));
        assertThat(reader.newest().getVersion()).isEqualTo(4);
        assertThat(ModelTopicReaderTest.values(reader.newest())).containsExactly(ModelTopicReaderTest.values(v4));
        assertThat(verifier.ignored(Verdict.BAD_SIGNATURE)).isEqualTo(2);
        assertThat(verifier.ignored(Verdict.UNSIGNED)).isEqualTo(1);
    }

    @Test
    void aSignedVersionAlteredAfterSigningIsIgnored() {
        GlobalModelVerifier verifier = GlobalModelVerifier.of(JOB.getPublic());
        ModelTopicReader reader = new ModelTopicReader(MODEL, verifier);
        GlobalModel genuine = signed(ModelTopicReaderTest.dense(6, 0.1f), JOB);
        GlobalModel bumped = GlobalModel.newBuilder(genuine).setVersion(1006).build();

        offer(reader, MODEL, bumped);

        assertThat(reader.newest()).isNull();
        assertThat(verifier.ignored(Verdict.BAD_SIGNATURE)).isEqualTo(1);
    }

    @Test
    void aChunkedVersionIsCheckedOnItsManifestAndAForgedManifestNeverDisplacesTheGenuineOne() {
        // Prepare: the job's version 1 (manifest signed); an attacker's version 1001 with matching chunks
        GlobalModelVerifier verifier = GlobalModelVerifier.of(JOB.getPublic());
        ModelTopicReader reader = new ModelTopicReader(MODEL, verifier);
        Version genuine = ModelTopicReaderTest.chunked(1, 0.5f);
        Version forged = ModelTopicReaderTest.chunked(1001, 7f);

        // Execute: the forged manifest and chunks, then the genuine version's chunks, then its manifest
        offer(reader, MODEL, signed(forged.manifest(), ATTACKER));
        feedChunks(reader, forged);
        feedChunks(reader, genuine);
        GlobalModel beforeGenuineManifest = reader.newest();
        offer(reader, MODEL, signed(genuine.manifest(), JOB));

        // Assert
        assertThat(beforeGenuineManifest).isNull();
        assertThat(reader.newest().getVersion()).isEqualTo(1);
        assertThat(ModelTopicReaderTest.values(reader.newest())).containsExactly(genuine.values());
        assertThat(verifier.ignored(Verdict.BAD_SIGNATURE)).isEqualTo(1);
    }

    @Test
    void withoutAJobKeyEveryVersionIsUsedAsBefore() {
        GlobalModelVerifier verifier = GlobalModelVerifier.none();
        ModelTopicReader reader = new ModelTopicReader(MODEL, verifier);

        offer(reader, MODEL, ModelTopicReaderTest.dense(2, 0.1f));
        offer(reader, MODEL, signed(ModelTopicReaderTest.dense(3, 0.1f), ATTACKER));

        assertThat(reader.newest().getVersion()).isEqualTo(3);
        assertThat(verifier.enabled()).isFalse();
        assertThat(new TrainerMetrics(MODEL, "site-1", () -> 3, () -> 0, verifier).scrape())
                .doesNotContain(TrainerMetrics.MODELS_IGNORED);
    }

    @Test
    void theIgnoredVersionsAreExportedByReason() {
        GlobalModelVerifier verifier = GlobalModelVerifier.of(JOB.getPublic());
        ModelTopicReader reader = new ModelTopicReader(MODEL, verifier);
        offer(reader, MODEL, ModelTopicReaderTest.dense(1, 0.1f));
        offer(reader, MODEL, signed(ModelTopicReaderTest.dense(2, 0.1f), ATTACKER));
        offer(reader, MODEL, signed(ModelTopicReaderTest.dense(3, 0.1f), ATTACKER));

        String text = new TrainerMetrics(MODEL, "site-1", () -> -1, () -> 0, verifier).scrape();

        assertThat(text)
                .contains("# TYPE floe_trainer_models_ignored_total counter\n")
                .contains("floe_trainer_models_ignored_total{model_id=\"m\",client_id=\"site-1\",reason=\"unsigned\"} 1\n")
                .contains("floe_trainer_models_ignored_total{model_id=\"m\",client_id=\"site-1\",reason=\"bad_signature\"} 2\n");
    }

    @Test
    void theFollowerChecksVersionsOnlyWhenGivenAJobKey() {
        // the constructor does not contact the broker
        try (GlobalModelFollower checking = new GlobalModelFollower("127.0.0.1:1", "floe.models", MODEL, new Properties(),
                        JOB.getPublic());
                GlobalModelFollower trusting = new GlobalModelFollower("127.0.0.1:1", "floe.models", MODEL, new Properties())) {
            assertThat(checking.verifier().enabled()).isTrue();
            assertThat(trusting.verifier().enabled()).isFalse();
        }
    }

    private static GlobalModel signed(GlobalModel m, KeyPair key) {
        return RecordSignatures.sign(GlobalModel.newBuilder(m).build(), key.getPrivate());
    }

    private static void feedChunks(ModelTopicReader reader, Version v) {
        for (ModelChunk c : v.chunks()) {
            reader.accept(ChunkData.key(MODEL, c.getIndex()).getBytes(StandardCharsets.UTF_8), WireCodec.MODEL_CHUNK.encode(c));
        }
    }

    private static void offer(ModelTopicReader reader, String key, GlobalModel m) {
        reader.accept(key.getBytes(StandardCharsets.UTF_8), WireCodec.GLOBAL_MODEL.encode(m));
    }
}
