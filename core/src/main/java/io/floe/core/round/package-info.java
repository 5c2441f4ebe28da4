/**
 * The mechanics of a synchronous round, independent of what it aggregates:
 * {@link io.floe.core.round.SyncRound} (which version is open, which clients have contributed,
 * whether the round is complete), {@link io.floe.core.round.RoundDeadline} (when it closes with
 * fewer responses, and how its deadline backs off) and {@link io.floe.core.round.ClientSelection}
 * (which available clients a round asks, by Poisson sampling as Flower's {@code fraction_fit}).
 * How a closed round becomes the next global model lives in package {@code server}, above this one.
 */
package io.floe.core.round;
