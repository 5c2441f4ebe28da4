package io.floe.core.server;

/**
 * One server step: version {@code v} and its updates in, version {@code v+1} and its report out.
 * {@link ServerRound} is the plain step of a synchronous round; {@link CentralDpStep} and
 * {@link FedBuffStep} decorate a step (as Flower's {@code DifferentialPrivacyServerSideFixedClipping}
 * wraps a strategy), and {@link FedAsyncStep} mixes a single update.
 *
 * <p>Implementations are deterministic: the same input gives the same bytes, so a version can be
 * replayed from the log.
 */
@FunctionalInterface
public interface AggregationStep {

    /** @throws IllegalArgumentException when the input is inconsistent with the step (named in the message) */
    ClosedRound close(RoundInput input);
}
