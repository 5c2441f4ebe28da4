package io.floe.flink.aggregate.state;

import io.floe.core.trust.Enrolment;
import io.floe.schema.ClientEnrolment;
import io.floe.schema.ClientRevocation;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The clients operators have enrolled for this model, each with its public key, expiry and any
 * revocation ({@link Enrolment}, packed). Commands apply in the order of their {@code createdAt}
 * (see {@link Enrolment}): an enrolment or revocation older than what is stored changes nothing.
 * Enrolments are facts about the clients, kept through every reconfiguration, and may arrive
 * before the model's spec.
 */
public final class ClientEnrolments implements ModelState {
    private final MapState<String, byte[]> enrolments;

    public ClientEnrolments(RuntimeContext context) {
        enrolments = context.getMapState(new MapStateDescriptor<>("client-enrolments", Types.STRING,
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    /** The client's enrolment (possibly revoked), null when it has none. */
    public Enrolment of(String clientId) throws Exception {
        byte[] packed = enrolments.get(clientId);
        return packed == null ? null : Enrolment.of(packed);
    }

    /** Stores {@code command}; false (nothing changes) when a newer enrolment or revocation is stored. */
    public boolean enrol(ClientEnrolment command) throws Exception {
        Enrolment next = Enrolment.from(command);
        Enrolment stored = of(command.getClientId());
        if (stored != null && !stored.supersededBy(next)) {
            return false;
        }
        enrolments.put(command.getClientId(), next.bytes());
        return true;
    }

    /** Revokes the client's enrolment as of the command's time; false when its enrolment is newer than the command. */
    public boolean revoke(ClientRevocation command) throws Exception {
        long at = command.getCreatedAt().toEpochMilli();
        Enrolment stored = of(command.getClientId());
        Enrolment next = stored == null ? Enrolment.revocationOnly(at) : stored.revokedAt(at);
        if (next == stored || (stored != null && stored.revoked() && stored.revokedAtMs() >= at)) {
            return false;
        }
        enrolments.put(command.getClientId(), next.bytes());
        return true;
    }

    @Override
    public void reconfigure(SpecChange change) {
    }
}
