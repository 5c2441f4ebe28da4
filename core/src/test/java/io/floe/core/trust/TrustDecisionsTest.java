package io.floe.core.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.floe.core.validate.Rejection;
import io.floe.core.validate.RejectionReason;
import io.floe.schema.ClientHeartbeat;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** ClientAuthentication, UpdateIdGuard and Enrolment ordering, decided by hand. */
class TrustDecisionsTest {
    private static final KeyPair ALICE = Ed25519Keys.generate();
    private static final Instant NOW = Instant.ofEpochMilli(1_000_000_000L);

    private static ClientHeartbeat beat() {
        return ClientHeartbeat.newBuilder().setModelId("m").setClientId("alice").setSentAt(NOW).build();
    }

    private static Optional<RejectionReason> reason(Optional<Rejection> r) {
        return r.map(Rejection::reason);
    }

    @Test
    void clientChecksGoEnrolledThenRevokedThenExpiredThenSignature() {
        Enrolment enrolled = new Enrolment(ALICE.getPublic().getEncoded(), 10, NOW.toEpochMilli() + 1, 0);
        ClientHeartbeat signed = RecordSignatures.sign(beat(), ALICE.getPrivate());
        assertEquals(Optional.empty(), ClientAuthentication.check(signed, "m", "alice", enrolled, NOW));
        assertEquals(Optional.of(RejectionReason.NOT_ENROLLED), reason(ClientAuthentication.check(signed, "m", "alice", null, NOW)));
        assertEquals(Optional.of(RejectionReason.REVOKED_CLIENT), reason(ClientAuthentication.check(signed, "m", "alice",
                enrolled.revokedAt(20), NOW)));
        assertEquals(Optional.of(RejectionReason.ENROLMENT_EXPIRED), reason(ClientAuthentication.check(signed, "m", "alice",
                enrolled, NOW.plusMillis(2))));
        assertEquals(Optional.of(RejectionReason.UNSIGNED), reason(ClientAuthentication.check(beat(), "m", "alice", enrolled, NOW)));
        ClientHeartbeat forged = RecordSignatures.sign(beat(), Ed25519Keys.generate().getPrivate());
        assertEquals(Optional.of(RejectionReason.BAD_SIGNATURE), reason(ClientAuthentication.check(forged, "m", "alice", enrolled, NOW)));
        assertEquals(Optional.of(RejectionReason.REVOKED_CLIENT), reason(ClientAuthentication.check(signed, "m", "alice",
                Enrolment.revocationOnly(5), NOW)), "revoked before any enrolment arrived");
    }

    @Test
    void updateIdsAreUniquePerModelWithinTheWindow() {
        String seen = UpdateIdGuard.remembered("alice", NOW);
        assertEquals(Optional.of(RejectionReason.REPLAYED_UPDATE), reason(UpdateIdGuard.check("u", "alice", NOW, seen, NOW)));
        assertEquals(Optional.of(RejectionReason.DUPLICATE_UPDATE_ID), reason(UpdateIdGuard.check("u", "bob", NOW, seen, NOW)));
        assertEquals(Optional.empty(), UpdateIdGuard.check("u", "alice", NOW.minus(UpdateIdGuard.WINDOW), null, NOW));
        assertEquals(Optional.of(RejectionReason.REPLAYED_UPDATE),
                reason(UpdateIdGuard.check("u", "alice", NOW.minus(UpdateIdGuard.WINDOW).minusMillis(1), null, NOW)));
        assertFalse(UpdateIdGuard.expired(seen, NOW.plus(UpdateIdGuard.WINDOW)));
        assertTrue(UpdateIdGuard.expired(seen, NOW.plus(UpdateIdGuard.WINDOW).plusMillis(1)));
    }

    @Test
    void commandsApplyInTheOrderTheyWereMade() {
        Enrolment first = new Enrolment(new byte[] {1}, 100, 1000, 0);
        Enrolment later = new Enrolment(new byte[] {2}, 200, 1000, 0);
        assertTrue(first.supersededBy(later));
        assertFalse(later.supersededBy(first));
        Enrolment revoked = later.revokedAt(300);
        assertTrue(revoked.revoked());
        assertFalse(revoked.supersededBy(new Enrolment(new byte[] {3}, 250, 1000, 0)), "made before the revocation");
        assertTrue(revoked.supersededBy(new Enrolment(new byte[] {3}, 301, 1000, 0)));
        assertEquals(later, later.revokedAt(150), "a revocation older than the enrolment changes nothing");
        Enrolment packed = Enrolment.of(revoked.bytes());
        assertEquals(List.of(200L, 1000L, 300L, 2L), List.of(packed.createdAtMs(), packed.expiresAtMs(), packed.revokedAtMs(),
                (long) packed.publicKey()[0]));
    }
}
