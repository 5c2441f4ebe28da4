package io.floe.deploy.kafka;

/**
 * The three kinds of party that talk to floe's Kafka, each a SCRAM user of a secured broker
 * ({@link BrokerSecurity}) with its own ACLs ({@link FloeAcls}).
 */
public enum FloePrincipal {
    /** The Flink aggregation job: reads control, updates and heartbeats, publishes models, reports and dead letters. */
    JOB("floe-job"),
    /** Whoever registers models: writes the control topic, reads models and reports. */
    OPERATOR("floe-operator"),
    /** A training site: writes updates and heartbeats, reads models. */
    TRAINER("floe-trainer");

    private final String userName;

    FloePrincipal(String userName) {
        this.userName = userName;
    }

    /** The SCRAM user name. */
    public String userName() {
        return userName;
    }

    /** The principal ACLs name: {@code User:<user name>}. */
    public String principal() {
        return "User:" + userName;
    }

    /** Lower-case role name, as in the client property file {@code <role>.properties}. */
    public String role() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
