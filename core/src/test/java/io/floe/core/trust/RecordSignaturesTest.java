package io.floe.core.trust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.floe.core.wire.WireCodec;
import io.floe.schema.ChunkManifest;
import io.floe.schema.ModelUpdate;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordSignaturesTest {
    private static final KeyPair CLIENT = Ed25519Keys.generate();
    private static final KeyPair OTHER = Ed25519Keys.generate();

    private static ModelUpdate chunkedHeader(Map<String, Double> metrics) {
        List<ByteBuffer> hashes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] h = new byte[32];
            h[0] = (byte) i;
            hashes.add(ByteBuffer.wrap(h));
        }
        return ModelUpdate.newBuilder().setUpdateId("u-1").setModelId("m").setClientId("alice").setBaseVersion(4)
                .setNumExamples(120).setLocalSteps(5).setCreatedAt(Instant.ofEpochMilli(1_700_000_000_000L))
                .setTensors(List.of()).setMetrics(metrics)
                .setChunks(ChunkManifest.newBuilder().setChunkBytes(1024).setParameters(700).setSha256(hashes).build()).build();
    }

    private static Map<String, Double> metrics(boolean reversed) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (reversed) {
            m.put("loss", 0.5);
            m.put("accuracy", 0.9);
        } else {
            m.put("accuracy", 0.9);
            m.put("loss", 0.5);
        }
        return m;
    }

    @Test
    void aSignedUpdateVerifiesWithItsKeyAfterTheWireAndWithNoOther() {
        ModelUpdate signed = RecordSignatures.sign(chunkedHeader(metrics(false)), CLIENT.getPrivate());
        assertNotNull(signed.getSignature());
        ModelUpdate received = WireCodec.MODEL_UPDATE.decode(WireCodec.MODEL_UPDATE.encode(signed));
        assertEquals(RecordSignatures.Verdict.VALID, RecordSignatures.verify(received, CLIENT.getPublic()));
        assertEquals(RecordSignatures.Verdict.BAD_SIGNATURE, RecordSignatures.verify(received, OTHER.getPublic()));
        assertEquals(RecordSignatures.Verdict.VALID, RecordSignatures.verifyAny(received, List.of(OTHER.getPublic(), CLIENT.getPublic())));
    }

    @Test
    void everySignedFieldIsCoveredIncludingEachChunkHash() {
        ModelUpdate signed = RecordSignatures.sign(chunkedHeader(metrics(false)), CLIENT.getPrivate());
        ModelUpdate moreExamples = ModelUpdate.newBuilder(signed).setNumExamples(121).build();
        assertEquals(RecordSignatures.Verdict.BAD_SIGNATURE, RecordSignatures.verify(moreExamples, CLIENT.getPublic()));
        ModelUpdate otherClient = ModelUpdate.newBuilder(signed).setClientId("bob").build();
        assertEquals(RecordSignatures.Verdict.BAD_SIGNATURE, RecordSignatures.verify(otherClient, CLIENT.getPublic()));
        ModelUpdate otherChunk = WireCodec.MODEL_UPDATE.decode(WireCodec.MODEL_UPDATE.encode(signed));
        otherChunk.getChunks().getSha256().get(2).put(5, (byte) 1);
        assertEquals(RecordSignatures.Verdict.BAD_SIGNATURE, RecordSignatures.verify(otherChunk, CLIENT.getPublic()));
    }

    @Test
    void mapOrderAndTheSignatureItselfAreNotPartOfTheSignedBytes() {
        byte[] a = CanonicalBytes.of(chunkedHeader(metrics(false)));
        ModelUpdate reversed = chunkedHeader(metrics(true));
        reversed.setSignature(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        assertArrayEquals(a, CanonicalBytes.of(reversed));
        assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3}), reversed.getSignature(), "the record's own signature is left in place");
    }

    @Test
    void unsignedAndGarbageSignaturesAreVerdictsNotExceptions() {
        ModelUpdate unsigned = chunkedHeader(metrics(false));
        assertEquals(RecordSignatures.Verdict.UNSIGNED, RecordSignatures.verify(unsigned, CLIENT.getPublic()));
        unsigned.setSignature(ByteBuffer.wrap(new byte[7]));
        assertEquals(RecordSignatures.Verdict.BAD_SIGNATURE, RecordSignatures.verify(unsigned, CLIENT.getPublic()));
    }

    @Test
    void keyFilesRoundTripAndThePrivateOneIsOwnerOnly(@TempDir Path dir) throws Exception {
        Path pub = Ed25519Keys.write(CLIENT, dir, "alice");
        assertEquals(CLIENT.getPublic(), Ed25519Keys.readPublicKey(pub));
        assertArrayEquals(CLIENT.getPrivate().getEncoded(), Ed25519Keys.readPrivateKey(dir.resolve("alice.key")).getEncoded());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("alice.key"))));
        Files.writeString(dir.resolve("ops.pem"), Files.readString(pub) + Ed25519Keys.pem("PUBLIC", OTHER.getPublic().getEncoded()));
        assertEquals(List.of(CLIENT.getPublic(), OTHER.getPublic()), Ed25519Keys.readPublicKeys(dir.resolve("ops.pem")));
        assertEquals(16, Ed25519Keys.fingerprint(CLIENT.getPublic()).length());
        assertThrows(IllegalArgumentException.class, () -> Ed25519Keys.readPrivateKey(pub));
    }

    @Test
    void aKeyMadeByOpenSslIsRead(@TempDir Path dir) throws Exception {
        // RFC 8410 section 10.3 example private key, as 'openssl genpkey -algorithm ed25519' writes one
        Path file = dir.resolve("rfc8410.key");
        Files.writeString(file, "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n-----END PRIVATE KEY-----\n");
        assertEquals("EdDSA", Ed25519Keys.readPrivateKey(file).getAlgorithm());
    }
}
