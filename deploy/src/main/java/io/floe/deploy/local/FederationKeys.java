package io.floe.deploy.local;

import io.floe.core.trust.Ed25519Keys;
import io.floe.core.trust.JobTrust;
import io.floe.core.trust.OperatorKeys;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The keys of an embedded federation run with authentication: one operator (whose public key the
 * job trusts), the job's own key (it signs every version) and one key per site, made when first
 * asked for. What a real deployment makes with {@code ./floe keys generate} on each machine; here
 * they are made in memory for the demo and the tests.
 */
public final class FederationKeys {
    private final KeyPair operator = Ed25519Keys.generate();
    private final KeyPair job = Ed25519Keys.generate();
    private final Map<String, KeyPair> sites = new ConcurrentHashMap<>();

    /** What the job is given: the operator's public key and its own key. */
    public JobTrust jobTrust() {
        return JobTrust.of(OperatorKeys.of(List.of(operator.getPublic())), job.getPrivate());
    }

    public PrivateKey operatorKey() {
        return operator.getPrivate();
    }

    /** What trainers are given to tell the job's versions from forged ones. */
    public PublicKey jobPublicKey() {
        return job.getPublic();
    }

    /** The site's key pair, made on first use. */
    public KeyPair site(String clientId) {
        return sites.computeIfAbsent(clientId, id -> Ed25519Keys.generate());
    }
}
