package io.floe.core.trust;

import java.io.Serializable;
import java.nio.file.Path;
import java.security.PrivateKey;
import org.apache.avro.specific.SpecificRecord;

/**
 * What the aggregation job trusts and how it is known: the operators' public keys
 * ({@link OperatorKeys}, whose commands it obeys) and its own Ed25519 key, with which it signs
 * every global model it publishes so that trainers given its public key can tell its versions from
 * forged ones. Both optional: a job without them runs as before signing existed. Serializable (the
 * key as PKCS#8 bytes): it travels with the job graph to the operators that need it, so the key
 * files need exist only where the job is submitted.
 */
public final class JobTrust implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final JobTrust NONE = new JobTrust(OperatorKeys.none(), null);

    private final OperatorKeys operators;
    private final byte[] jobKey;
    private transient PrivateKey key;

    private JobTrust(OperatorKeys operators, byte[] jobKey) {
        this.operators = operators;
        this.jobKey = jobKey == null ? null : jobKey.clone();
    }

    public static JobTrust none() {
        return NONE;
    }

    public static JobTrust of(OperatorKeys operators, PrivateKey jobKey) {
        return new JobTrust(operators, jobKey == null ? null : jobKey.getEncoded());
    }

    /** From the key files given at submission; either may be null. */
    public static JobTrust read(Path operatorKeys, Path jobKey) {
        return of(operatorKeys == null ? OperatorKeys.none() : OperatorKeys.read(operatorKeys),
                jobKey == null ? null : Ed25519Keys.readPrivateKey(jobKey));
    }

    public OperatorKeys operators() {
        return operators;
    }

    public boolean signsModels() {
        return jobKey != null;
    }

    /** {@code record} (a global model) signed with the job's key; unchanged when the job has none. */
    public <T extends SpecificRecord> T signed(T record) {
        if (jobKey == null) {
            return record;
        }
        if (key == null) {
            key = Ed25519Keys.privateKey(jobKey);
        }
        return RecordSignatures.sign(record, key);
    }

    /** One line for the job's log: what it checks and signs. */
    public String describe() {
        return (operators.enabled() ? operators.size() + " operator key(s): control commands must be signed"
                : "no operator keys: control commands are not checked") + (jobKey == null ? "; models unsigned" : "; models signed");
    }
}
