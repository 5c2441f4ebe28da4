package io.floe.deploy.local;

import io.floe.schema.AggregationReport;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.trainer.operator.ClientCommands;
import io.floe.trainer.operator.ControlTopicPublisher;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * The trust side of a {@link FederatedRun}: the operator enrols the scenario's sites when the
 * federation authenticates ({@link FederationKeys}), the compromised sites of a {@link TrustAttack}
 * start their {@link TrustAttacker}, and each version's attacker records are counted.
 */
final class TrustedFederation {
    private TrustedFederation() {
    }

    /** The operator enrols every site of the scenario for {@code modelId} with its key, for a day. */
    static void enrol(EmbeddedFloe floe, String modelId, FederatedScenario scenario, FederationKeys keys) throws Exception {
        Instant now = Instant.now();
        List<ControlTopicPublisher.Command> commands = new ArrayList<>();
        for (int i = 0; i < scenario.sites().size(); i++) {
            String site = scenario.siteName(i);
            commands.add(ControlTopicPublisher.Command.of(ClientCommands.enrolment(modelId, site, keys.site(site).getPublic(),
                    now.plus(Duration.ofDays(1)), "floe-demo", now, keys.operatorKey())));
        }
        ControlTopicPublisher.publish(floe.bootstrapServers(), floe.topics().control(), new Properties(), commands);
    }

    /** The compromised sites (the first {@code byzantine}) attack with their own keys; the others are the victims. */
    static TrustAttacker startAttacker(TrustAttack attack, EmbeddedFloe floe, ModelSpec spec, FederatedScenario scenario,
            int byzantine, Optional<FederationKeys> keys, PrintStream out) {
        List<String> victims = new ArrayList<>();
        List<java.security.KeyPair> attackerKeys = new ArrayList<>();
        for (int i = 0; i < scenario.sites().size(); i++) {
            String site = scenario.siteName(i);
            if (i < byzantine) {
                attackerKeys.add(keys.isPresent() ? keys.get().site(site) : io.floe.core.trust.Ed25519Keys.generate());
            } else {
                victims.add(site);
            }
        }
        TrustAttacker attacker = new TrustAttacker(attack, floe.bootstrapServers(), floe.topics(), spec, victims, attackerKeys);
        Thread t = new Thread(attacker, spec.getModelId() + "/attacker");
        t.setDaemon(true);
        t.start();
        if (out != null) {
            out.printf("attack %s by %d compromised site(s)%s%n", attack.cliName(), byzantine,
                    keys.isPresent() ? ", each signing with its own enrolled key" : " (no authentication: nothing checks who speaks)");
        }
        return attacker;
    }

    /**
     * Attacker records in this version: accepted updates of attacking sites, updates the trust
     * attacker made up, and updates aggregated before (a replay that counted twice).
     */
    static int attackerUpdatesIn(GlobalModel model, Set<String> attackers, AggregationReport rep, Set<String> aggregated) {
        int n = 0;
        for (String id : model.getProvenance().getUpdateIds()) {
            if (id.startsWith(TrustAttack.UPDATE_ID_PREFIX) || !aggregated.add(id)) {
                n++;
            }
        }
        if (rep != null) {
            for (var a : rep.getAccepted()) {
                if (attackers.contains(a.getClientId()) && !a.getUpdateId().startsWith(TrustAttack.UPDATE_ID_PREFIX)) {
                    n++;
                }
            }
        }
        return n;
    }
}
