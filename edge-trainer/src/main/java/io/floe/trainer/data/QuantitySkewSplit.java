package io.floe.trainer.data;

import static io.floe.trainer.data.NiidPartition.MAX_DRAWS;
import static io.floe.trainer.data.NiidPartition.MIN_REQUIRE_SIZE;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * NIID-Bench's quantity skew {@code iid-diff-quantity} (Li et al., ICDE 2022, section III-B-3):
 * party sizes from a Dirichlet draw, class mixes IID. See {@link NiidPartition.QuantityDirichlet}.
 */
final class QuantitySkewSplit {
    private QuantitySkewSplit() {
    }

    /**
     * Shuffles all rows, draws party shares {@code p ~ Dir(beta)} until
     * {@code min(p) * N >= MIN_REQUIRE_SIZE}, and cuts the permutation at {@code floor(cumsum(p) * N)}.
     */
    static PartySplit byDirichlet(Dataset train, int parties, long seed, double beta, String spec) {
        PartitionCuts.check(train, parties);
        PartitionCuts.checkMinimumSize(train, parties, spec);
        SplittableRandom random = new SplittableRandom(seed);
        int n = train.size();
        int[] idx = PartitionCuts.permutation(n, random);
        double[] concentration = PartitionCuts.filled(parties, beta);
        for (int draw = 0; draw < MAX_DRAWS; draw++) {
            double[] p = SkewDraws.dirichlet(concentration, random);
            double min = Arrays.stream(p).min().orElse(0.0);
            if (min * n >= MIN_REQUIRE_SIZE) {
                PartyRows[] batch = PartyRows.array(parties);
                PartitionCuts.cutByProportions(idx, p, batch);
                return new PartySplit(train, spec, PartyRows.toArrays(batch));
            }
        }
        throw new IllegalArgumentException(spec + ": after " + MAX_DRAWS + " draws some of the " + parties
                + " parties still got fewer than " + MIN_REQUIRE_SIZE + " of the " + n
                + " rows; raise beta or lower the party count");
    }
}
