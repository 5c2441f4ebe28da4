package io.floe.trainer.data;

import static io.floe.trainer.data.NiidPartition.MAX_DRAWS;
import static io.floe.trainer.data.NiidPartition.MIN_REQUIRE_SIZE;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * NIID-Bench's two label skews (Li et al., ICDE 2022, section III-B-1): distribution-based, where
 * each class is dealt by a Dirichlet draw ({@link NiidPartition.LabelDirichlet}), and
 * quantity-based, where every party holds exactly {@code k} classes ({@link NiidPartition.LabelCount}).
 * The records check their parameters and name themselves; the dealing is here.
 */
final class LabelSkewSplits {
    private LabelSkewSplits() {
    }

    /** {@code noniid-labeldir}; see {@link NiidPartition.LabelDirichlet} for the algorithm. */
    static PartySplit byDirichlet(Dataset train, int parties, long seed, double beta, String spec) {
        PartitionCuts.check(train, parties);
        PartitionCuts.checkMinimumSize(train, parties, spec);
        SplittableRandom random = new SplittableRandom(seed);
        int n = train.size();
        double[] concentration = PartitionCuts.filled(parties, beta);
        int[][] byClass = PartitionCuts.rowsByClass(train);
        for (int draw = 0; draw < MAX_DRAWS; draw++) {
            PartyRows[] batch = PartyRows.array(parties);
            for (int[] classRows : byClass) {
                int[] idx = classRows.clone();
                StratifiedSplit.shuffle(idx, random);
                double[] p = SkewDraws.dirichlet(concentration, random);
                double sum = 0.0;
                for (int j = 0; j < parties; j++) {
                    // NIID-Bench: p * (len(idx_j) < N / n_parties), a true division
                    if (!(batch[j].size() < (double) n / parties)) {
                        p[j] = 0.0;
                    }
                    sum += p[j];
                }
                if (sum == 0.0) {
                    continue; // every party is full, so every row is dealt and idx is empty
                }
                for (int j = 0; j < parties; j++) {
                    p[j] /= sum;
                }
                PartitionCuts.cutByProportions(idx, p, batch);
            }
            if (PartyRows.minSize(batch) >= MIN_REQUIRE_SIZE) {
                return new PartySplit(train, spec, PartyRows.toArrays(batch));
            }
        }
        throw new IllegalArgumentException(spec + ": after " + MAX_DRAWS + " draws some of the " + parties
                + " parties still held fewer than " + MIN_REQUIRE_SIZE + " of the " + n
                + " rows; raise beta or lower the party count");
    }

    /** {@code noniid-#label}k; see {@link NiidPartition.LabelCount} for the algorithm. */
    static PartySplit byClassCount(Dataset train, int parties, long seed, int k, String spec) {
        PartitionCuts.check(train, parties);
        int classes = train.classCount();
        if (k > classes) {
            throw new IllegalArgumentException(spec + " asks for " + k + " classes per party, but the data have "
                    + classes + " classes " + train.classNames());
        }
        SplittableRandom random = new SplittableRandom(seed);
        boolean[][] holds = new boolean[parties][classes];
        int[] times = new int[classes];
        for (int i = 0; i < parties; i++) {
            if (k == classes) {
                Arrays.fill(holds[i], true);
                continue;
            }
            holds[i][i % classes] = true;
            for (int drawn = 1; drawn < k; ) {
                int c = random.nextInt(classes);
                if (!holds[i][c]) {
                    holds[i][c] = true;
                    drawn++;
                }
            }
        }
        for (boolean[] party : holds) {
            for (int c = 0; c < classes; c++) {
                times[c] += party[c] ? 1 : 0;
            }
        }
        int[][] byClass = PartitionCuts.rowsByClass(train);
        PartyRows[] batch = PartyRows.array(parties);
        for (int c = 0; c < classes; c++) {
            int[] idx = byClass[c].clone();
            StratifiedSplit.shuffle(idx, random);
            if (times[c] == 0) {
                continue;
            }
            int piece = 0;
            for (int j = 0; j < parties; j++) {
                if (holds[j][c]) {
                    batch[j].addRange(idx, PartitionCuts.arraySplitStart(idx.length, times[c], piece),
                            PartitionCuts.arraySplitStart(idx.length, times[c], piece + 1));
                    piece++;
                }
            }
        }
        return new PartySplit(train, spec, PartyRows.toArrays(batch));
    }
}
