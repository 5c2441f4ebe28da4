/** A real Apache Kafka broker in KRaft mode inside the JVM, and creation of floe's topics. */
package io.floe.deploy.kafka;
