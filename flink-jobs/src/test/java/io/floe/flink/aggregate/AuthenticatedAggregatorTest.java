package io.floe.flink.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.floe.core.trust.Ed25519Keys;
import io.floe.core.trust.JobTrust;
import io.floe.core.trust.OperatorKeys;
import io.floe.core.trust.RecordSignatures;
import io.floe.core.wire.WireCodec;
import io.floe.schema.ClientEnrolment;
import io.floe.schema.ClientHeartbeat;
import io.floe.schema.ClientRelease;
import io.floe.schema.ClientRevocation;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.ModelUpdate;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The job's trust checks through the keyed operator: operator commands signed by a trusted
 * operator only, and for a model that requires client authentication, updates and heartbeats from
 * enrolled clients signed with their keys, each update id once per model. Every refusal is a dead
 * letter with its reason; honest rounds keep closing, and every published version is signed by the
 * job's key.
 */
class AuthenticatedAggregatorTest {
    private static final KeyPair OPERATOR = Ed25519Keys.generate();
    private static final KeyPair ROGUE = Ed25519Keys.generate();
    private static final KeyPair JOB = Ed25519Keys.generate();
    private static final KeyPair ALICE = Ed25519Keys.generate();
    private static final KeyPair BOB = Ed25519Keys.generate();
    private static final String MODEL = TinyLinearModel.MODEL_ID;

    private static JobTrust trust() {
        return JobTrust.of(OperatorKeys.of(List.of(OPERATOR.getPublic())), JOB.getPrivate());
    }

    private static ModelSpec spec() {
        return TinyLinearModel.spec(2).setClientAuthentication("required").build();
    }

    private static ClientEnrolment enrolment(String client, KeyPair key, long createdAt) {
        return ClientEnrolment.newBuilder().setModelId(MODEL).setClientId(client).setPublicKey(ByteBuffer.wrap(key.getPublic().getEncoded()))
                .setExpiresAt(Instant.ofEpochMilli(TinyLinearModel.T0 + 3_600_000)).setOperator("ops")
                .setCreatedAt(Instant.ofEpochMilli(createdAt)).build();
    }

    private static ModelUpdate update(String client, String updateId) {
        return TinyLinearModel.update(client, 10, TinyLinearModel.weights(0.1f, 0.2f, 0.3f)).setUpdateId(updateId).build();
    }

    private static void spec(ScriptedRun run, ModelSpec spec) throws Exception {
        run.spec(spec);
    }

    private static void enrol(ScriptedRun run, ClientEnrolment e) throws Exception {
        run.record(MODEL, ModelEvent.Kind.ENROLMENT, TinyLinearModel.TOPICS.control(), WireCodec.CLIENT_ENROLMENT.encode(e));
    }

    private static String lastReason(ScriptedRun run) {
        List<String> reasons = run.deadLetterReasons();
        return reasons.isEmpty() ? null : reasons.get(reasons.size() - 1);
    }

    private static ScriptedRun enrolledRun() throws Exception {
        ScriptedRun run = new ScriptedRun(new byte[32], trust());
        spec(run, RecordSignatures.sign(spec(), OPERATOR.getPrivate()));
        enrol(run, RecordSignatures.sign(enrolment("alice", ALICE, TinyLinearModel.T0), OPERATOR.getPrivate()));
        enrol(run, RecordSignatures.sign(enrolment("bob", BOB, TinyLinearModel.T0), OPERATOR.getPrivate()));
        assertEquals(List.of(), run.deadLetterReasons());
        return run;
    }

    @Test
    void operatorCommandsMustBeSignedByATrustedOperator() throws Exception {
        try (ScriptedRun run = new ScriptedRun(new byte[32], trust())) {
            spec(run, spec());
            assertEquals("UNSIGNED", lastReason(run));
            spec(run, RecordSignatures.sign(spec(), ROGUE.getPrivate()));
            assertEquals("BAD_SIGNATURE", lastReason(run));
            ModelSpec altered = RecordSignatures.sign(spec(), OPERATOR.getPrivate());
            altered.getAggregation().setClientsPerRound(1); // changed after signing
            spec(run, altered);
            assertEquals("BAD_SIGNATURE", lastReason(run));
            assertEquals(0, run.models().size(), "no refused spec creates the model");

            spec(run, RecordSignatures.sign(spec(), OPERATOR.getPrivate()));
            GlobalModel v0 = run.latestModel(MODEL);
            assertNotNull(v0);
            assertEquals(RecordSignatures.Verdict.VALID, RecordSignatures.verify(v0, JOB.getPublic()), "version 0 is signed by the job");
            assertEquals(RecordSignatures.Verdict.BAD_SIGNATURE, RecordSignatures.verify(v0, ROGUE.getPublic()));

            enrol(run, RecordSignatures.sign(enrolment("mallory", ROGUE, TinyLinearModel.T0), ROGUE.getPrivate()));
            assertEquals("BAD_SIGNATURE", lastReason(run));
            run.record(MODEL, ModelEvent.Kind.RELEASE, TinyLinearModel.TOPICS.control(), WireCodec.CLIENT_RELEASE.encode(
                    ClientRelease.newBuilder().setModelId(MODEL).setClientId("alice").setCreatedAt(Instant.ofEpochMilli(TinyLinearModel.T0))
                            .build()));
            assertEquals("UNSIGNED", lastReason(run));
        }
    }

    @Test
    void onlyEnrolledSignedClientsTakeSeatsAndEachUpdateIdCountsOnce() throws Exception {
        try (ScriptedRun run = enrolledRun()) {
            run.update(RecordSignatures.sign(update("alice", "a-1"), ALICE.getPrivate()));
            assertEquals(List.of(), run.deadLetterReasons());

            run.update(RecordSignatures.sign(update("bob", "b-1"), ALICE.getPrivate())); // alice speaking for bob
            assertEquals("BAD_SIGNATURE", lastReason(run));
            run.update(update("bob", "b-2")); // unsigned
            assertEquals("UNSIGNED", lastReason(run));
            run.update(RecordSignatures.sign(update("sybil-7", "s-1"), ROGUE.getPrivate()));
            assertEquals("NOT_ENROLLED", lastReason(run));
            run.update(RecordSignatures.sign(update("alice", "a-1"), ALICE.getPrivate())); // exact replay
            assertEquals("REPLAYED_UPDATE", lastReason(run));
            run.update(RecordSignatures.sign(update("bob", "a-1"), BOB.getPrivate())); // another client reusing the id
            assertEquals("DUPLICATE_UPDATE_ID", lastReason(run));
            ModelUpdate stale = update("bob", "b-old");
            stale.setCreatedAt(Instant.ofEpochMilli(TinyLinearModel.T0 - 25 * 3_600_000L));
            run.update(RecordSignatures.sign(stale, BOB.getPrivate()));
            assertEquals("REPLAYED_UPDATE", lastReason(run), "signed outside the replay window");
            assertEquals(1, run.models().size(), "no refused update took a seat");

            run.update(RecordSignatures.sign(update("bob", "b-3"), BOB.getPrivate()));
            assertEquals(2, run.models().size(), "the honest round closed");
            GlobalModel v1 = run.latestModel(MODEL);
            assertEquals(1, v1.getVersion());
            assertEquals(List.of("a-1", "b-3"), v1.getProvenance().getUpdateIds());
            assertEquals(RecordSignatures.Verdict.VALID, RecordSignatures.verify(v1, JOB.getPublic()));
        }
    }

    @Test
    void revocationEndsAnEnrolmentAndAnOlderEnrolmentCannotUndoIt() throws Exception {
        try (ScriptedRun run = enrolledRun()) {
            long at = run.nextTime();
            run.record(MODEL, ModelEvent.Kind.REVOCATION, TinyLinearModel.TOPICS.control(), WireCodec.CLIENT_REVOCATION.encode(
                    RecordSignatures.sign(ClientRevocation.newBuilder().setModelId(MODEL).setClientId("bob").setOperator("ops")
                            .setReason("key lost").setCreatedAt(Instant.ofEpochMilli(at)).build(), OPERATOR.getPrivate())));
            assertEquals(List.of(), run.deadLetterReasons());
            run.update(RecordSignatures.sign(update("bob", "b-1"), BOB.getPrivate()));
            assertEquals("REVOKED_CLIENT", lastReason(run));
            enrol(run, RecordSignatures.sign(enrolment("bob", BOB, TinyLinearModel.T0), OPERATOR.getPrivate())); // replayed old enrolment
            assertEquals("INVALID_COMMAND", lastReason(run));

            run.restart(); // enrolments and seen ids live in keyed state
            run.update(RecordSignatures.sign(update("bob", "b-2"), BOB.getPrivate()));
            assertEquals("REVOKED_CLIENT", lastReason(run));
            enrol(run, RecordSignatures.sign(enrolment("bob", BOB, at + 1), OPERATOR.getPrivate()));
            run.update(RecordSignatures.sign(update("bob", "b-3"), BOB.getPrivate()));
            assertEquals(List.of("REVOKED_CLIENT", "INVALID_COMMAND", "REVOKED_CLIENT"), run.deadLetterReasons(),
                    "bob, enrolled again after the revocation, is accepted");
        }
    }

    @Test
    void heartbeatsOfAnAuthenticatingModelMustBeSigned() throws Exception {
        try (ScriptedRun run = enrolledRun()) {
            ClientHeartbeat beat = ClientHeartbeat.newBuilder().setModelId(MODEL).setClientId("alice")
                    .setSentAt(Instant.ofEpochMilli(TinyLinearModel.T0)).build();
            run.record(MODEL, ModelEvent.Kind.HEARTBEAT, TinyLinearModel.TOPICS.clients(), WireCodec.CLIENT_HEARTBEAT.encode(beat));
            assertEquals("UNSIGNED", lastReason(run));
            run.record(MODEL, ModelEvent.Kind.HEARTBEAT, TinyLinearModel.TOPICS.clients(),
                    WireCodec.CLIENT_HEARTBEAT.encode(RecordSignatures.sign(beat, ALICE.getPrivate())));
            assertEquals(1, run.deadLetterReasons().size());
        }
    }

    @Test
    void aJobWithoutOperatorKeysRefusesASpecThatRequiresAuthentication() throws Exception {
        try (ScriptedRun run = new ScriptedRun(new byte[32])) {
            spec(run, spec());
            assertEquals("INVALID_SPEC", lastReason(run));
            assertEquals(0, run.models().size());
        }
    }
}
