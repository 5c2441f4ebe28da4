/**
 * A real Apache Kafka broker in KRaft mode inside the JVM, and creation of floe's topics; optionally
 * secured with SASL_SSL and ACLs ({@link io.floe.deploy.kafka.BrokerSecurity},
 * {@link io.floe.deploy.kafka.FloeAcls}).
 */
package io.floe.deploy.kafka;
