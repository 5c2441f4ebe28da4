/**
 * Anomaly scoring of the updates of one round (or buffer): norm robust z-scores, cosine to the
 * coordinate-wise median, Krum scores; the per-model policy that flags, down-weights or rejects
 * on them; and the quarantine of clients rejected in most of their recent rounds.
 */
package io.floe.core.anomaly;
