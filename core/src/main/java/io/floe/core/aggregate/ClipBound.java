package io.floe.core.aggregate;

import java.util.Arrays;

/**
 * The bound C that {@link NormClipping} scales update norms down to: a fixed number, or the
 * median L2 norm of the round's own updates (adaptive, so an operator need not know the scale of
 * honest updates in advance; an attacker boosting its update is clipped to what a typical client
 * sends).
 */
public sealed interface ClipBound {

    /** @throws IllegalArgumentException unless {@code c} is positive and finite */
    static ClipBound fixed(double c) {
        return new Fixed(c);
    }

    static ClipBound medianOfRound() {
        return MedianOfRound.INSTANCE;
    }

    /** C for a round whose update norms are {@code norms} (any order). */
    double resolve(double[] norms);

    /** A fixed bound C. */
    record Fixed(double bound) implements ClipBound {
        public Fixed {
            if (!(bound > 0 && Double.isFinite(bound))) {
                throw new IllegalArgumentException("clip bound C must be positive and finite, was " + bound);
            }
        }

        @Override
        public double resolve(double[] norms) {
            return bound;
        }
    }

    /** The median of the round's norms; for an even count, the mean of the two middle norms. */
    enum MedianOfRound implements ClipBound {
        INSTANCE;

        @Override
        public double resolve(double[] norms) {
            if (norms.length == 0) {
                throw new IllegalArgumentException("median clip bound of an empty round");
            }
            double[] s = norms.clone();
            Arrays.sort(s);
            int k = s.length;
            return k % 2 == 1 ? s[k / 2] : (s[k / 2 - 1] + s[k / 2]) / 2;
        }

        @Override
        public String toString() {
            return "medianOfRound";
        }
    }
}
