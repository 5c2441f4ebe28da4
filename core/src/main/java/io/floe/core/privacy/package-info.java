/**
 * Differential-privacy accounting: how much privacy a run of the Sampled Gaussian Mechanism
 * (DP-SGD on a trainer, DP-FedAvg in the job) has spent, as (epsilon, delta).
 *
 * <p>{@link io.floe.core.privacy.RdpAccountant} is the entry point: a ledger of phases (q, z,
 * steps) composed in Renyi DP and converted to (epsilon, delta), plus one-phase static functions
 * and the inverse (noise multiplier for a target epsilon). The numbers follow Opacus's RDP
 * accountant step by step (Mironov, Talwar, Zhang 2019; Balle et al. 2020) and are checked
 * against it over a grid in {@code RdpAccountantReferenceTest}; the reference script that made
 * that grid is {@code core/src/test/resources/privacy/opacus_rdp_reference.py}.
 * Package-private: the RDP kernel ({@code SampledGaussianRdp}), erfc ({@code Erfc}) and the
 * noise search ({@code NoiseCalibration}).
 */
package io.floe.core.privacy;
