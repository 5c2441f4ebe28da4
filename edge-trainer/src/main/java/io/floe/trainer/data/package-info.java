/**
 * A site's local data: the {@link io.floe.trainer.data.Dataset} table, reading it from CSV, scaling
 * it with statistics that never leave the site, and splitting it.
 *
 * <p>{@link io.floe.trainer.data.LabelSkewPartitioner} turns one public table (WDBC) into a
 * simulated federation of hospitals that differ in size and class mix, so experiments can show
 * what non-IID data does to federated averaging. Every split is seeded and reproducible.
 *
 * <p>Nothing here depends on nd4j or Kafka: the package is plain Java so it can be reused by tools
 * that only prepare data.
 */
package io.floe.trainer.data;
