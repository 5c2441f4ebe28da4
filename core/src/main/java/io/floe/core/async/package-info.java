/**
 * Asynchronous aggregation: the mode and its settings, staleness weights s(tau) of FedAsync (Xie,
 * Koyejo, Gupta 2019) and FedAsync's mixing, the buffered aggregation of FedBuff (Nguyen et al.
 * 2022) and FedBuff's optional correction for unequal participation rates
 * ({@link io.floe.core.async.ParticipationIntervals}, after FedAU, Wang and Ji 2024). Plain Java
 * arithmetic; the server steps that publish a version from them (FedAsyncStep, FedBuffStep) live in
 * package {@code server}, above this one.
 */
package io.floe.core.async;
