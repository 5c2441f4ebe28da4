/**
 * Asynchronous aggregation (issue 4, in progress): staleness weights s(tau) of FedAsync
 * (Xie, Koyejo, Gupta 2019) and the buffered aggregation of FedBuff (Nguyen et al. 2022). Plain
 * Java, not yet wired into the job.
 */
package io.floe.core.async;
