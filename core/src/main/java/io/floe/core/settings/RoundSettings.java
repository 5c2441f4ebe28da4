package io.floe.core.settings;

import io.floe.core.round.RoundDeadline;

/**
 * The size and timing of a synchronous round: it closes once {@code clientsPerRound} responses
 * are in, or at its deadline with at least {@code minFitClients} accepted updates
 * ({@link RoundDeadline}; {@code roundDeadlineMs = 0} disables deadlines). {@code chunkBytes} is
 * the chunk size of a chunked model (aggregation.chunkBytes), 0 for a model of whole records.
 */
public record RoundSettings(int clientsPerRound, RoundDeadline deadline, int chunkBytes) {
    public RoundSettings(int clientsPerRound, RoundDeadline deadline) {
        this(clientsPerRound, deadline, 0);
    }
}
