package io.floe.core.settings;

import io.floe.core.round.ClientSelection;

/**
 * Which clients a synchronous round asks to train, as Flower's {@code fraction_fit},
 * {@code min_fit_clients} and {@code min_available_clients} configure it: each available client
 * (one whose heartbeat is younger than {@code clientTimeoutMs}) is drawn by Poisson sampling with
 * rate {@code fractionFit} ({@link ClientSelection}). Checked by {@link SpecValidator}.
 *
 * @param fractionFit the sampling rate q in [0, 1]; 1 asks every available client
 * @param minFitClients the fewest accepted updates a round may close with at its deadline
 * @param minAvailableClients below this many available clients the round asks everyone; 0 = no minimum
 * @param clientTimeoutMs how long a client counts as available after its last heartbeat
 */
public record SelectionSettings(double fractionFit, int minFitClients, int minAvailableClients, long clientTimeoutMs) {

    /** Whether rounds select a sample of the clients rather than asking everyone. */
    public boolean enabled() {
        return ClientSelection.enabled(fractionFit, minAvailableClients);
    }
}
