/**
 * Asynchronous aggregation: staleness weights s(tau) of FedAsync (Xie, Koyejo, Gupta 2019), the
 * buffered aggregation of FedBuff (Nguyen et al. 2022) and FedBuff's optional correction for
 * unequal participation rates ({@link io.floe.core.async.ParticipationIntervals}, after FedAU, Wang
 * and Ji 2024). Plain Java; the job's ModelAggregator is the shell around it.
 */
package io.floe.core.async;
