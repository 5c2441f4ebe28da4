package io.floe.core.privacy;

/**
 * An (epsilon, delta) guarantee read off an RDP curve, with the Renyi order that gave it.
 *
 * @param epsilon the smallest epsilon over the order grid; +infinity when no order gives a
 *     finite bound
 * @param delta the delta it holds at
 * @param bestOrder the order alpha that attains {@code epsilon}; NaN when every order gave NaN
 * @param bestOrderAtGridEdge true when {@code bestOrder} is the smallest or largest order of the
 *     grid: a wider grid might give a smaller epsilon (Opacus warns in that case)
 */
public record PrivacySpent(double epsilon, double delta, double bestOrder, boolean bestOrderAtGridEdge) {}
