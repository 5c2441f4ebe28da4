/**
 * Sample-level differential privacy on a trainer: DP-SGD on the site's own records, configured by
 * a {@link io.floe.trainer.privacy.DpSgdConfig} and accounted by a
 * {@link io.floe.trainer.privacy.DpSgdLedger}, which composes every round the site has trained
 * with the RDP accountant of {@code io.floe.core.privacy} and reports the site's epsilon so far.
 *
 * <p>The mechanism itself (Poisson sampling, vectorised per-example clipping, Gaussian noise) is
 * {@link io.floe.trainer.model.DpSgd}. Call order for one round:
 * <ol>
 *   <li>{@code DpSgd dp = ledger.charge(n, roundConfig)}: resolves sigma, refuses a round past the
 *       target epsilon, records the round's steps;</li>
 *   <li>{@code network.train(data, roundConfig.withSeed(ledger.roundSeed(version)), dp)};</li>
 *   <li>{@code ledger.epsilon()} travels with the update as {@code dp_epsilon}.</li>
 * </ol>
 *
 * <p>What the guarantee covers: the records a site trains on, given that everything it releases
 * about them is the sequence of noisy models (Abadi et al. 2016). Quantities computed from those
 * records without noise (the training loss) are therefore not sent when DP-SGD is on. Two
 * things stay outside the guarantee and are stated here so nobody claims more: the validation
 * metrics are computed on the held-out records, which DP-SGD never trains on and does not
 * protect; and the standardisation statistics (mean, standard deviation) are fitted on the
 * training records without noise, so, strictly, the guarantee assumes those statistics public
 * (or fixed from domain ranges). The ledger lives in memory: a restarted trainer starts at zero.
 */
package io.floe.trainer.privacy;
