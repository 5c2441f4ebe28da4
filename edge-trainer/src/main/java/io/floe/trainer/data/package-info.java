/**
 * A site's local data: the {@link io.floe.trainer.data.Dataset} table, reading it from CSV, scaling
 * it with statistics that never leave the site, and splitting it.
 *
 * <p>{@link io.floe.trainer.data.LabelSkewPartitioner} turns one public table (WDBC) into a
 * simulated federation of hospitals that differ in size and class mix, so experiments can show
 * what non-IID data does to federated averaging. Every split is seeded and reproducible.
 *
 * <p>{@link io.floe.trainer.data.FashionMnist} reads the Fashion-MNIST benchmark through
 * {@link io.floe.trainer.data.IdxReader}, and {@link io.floe.trainer.data.NiidPartition} deals a
 * training set out to parties by the label, quantity and feature skews of NIID-Bench (Li et al.,
 * ICDE 2022) into a {@link io.floe.trainer.data.PartySplit}.
 *
 * <p>Nothing here depends on nd4j or Kafka: the package is plain Java so it can be reused by tools
 * that only prepare data.
 */
package io.floe.trainer.data;
