/**
 * The non-IID experiment ({@code ./floe bench niid}): Fashion-MNIST over 10 clients by NIID-Bench
 * partitions (Li et al. 2022, ICDE) x the algorithms against client drift (FedAvg, FedProx,
 * SCAFFOLD, FedNova), through the real broker and job, beside centralised and single-client
 * baselines.
 */
package io.floe.bench.niid;
