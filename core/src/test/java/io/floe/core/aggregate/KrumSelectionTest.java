package io.floe.core.aggregate;

import static io.floe.core.aggregate.RoundFixtures.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.core.chunk.CoordinateWiseChunk;
import io.floe.core.chunk.DistanceShares;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Krum, Multi-Krum and Bulyan on a chunked model: the selection from the chunks' summed distance
 * shares ({@link KrumSelection}), and the delta the chunks then compute from it, against the
 * whole-update rules.
 */
class KrumSelectionTest {

    /** A round of K updates in updateId order, their deltas concatenated, their examples, and how many are attackers. */
    private record Round(List<ClientUpdate> updates, float[][] flat, long[] examples, int attackers) {
        int k() {
            return updates.size();
        }

        List<String> ids() {
            return updates.stream().map(ClientUpdate::updateId).toList();
        }
    }

    @Test
    void krumSelectionEqualToTheUnshardedRuleOnRandomRounds() {
        SplittableRandom rnd = new SplittableRandom(1313);
        int rounds = 240;
        int[] ran = new int[4]; // krum, multi-krum m = 0, multi-krum explicit m, bulyan
        int bulyanWithByzantine = 0;
        int roundsWithAttackers = 0;
        int multiChunkRounds = 0;
        for (int r = 0; r < rounds; r++) {
            // Arrange: a random round, its deltas cut at random chunk boundaries (not aligned with the tensors)
            Round round = randomRound(rnd);
            roundsWithAttackers += round.attackers() > 0 ? 1 : 0;
            int k = round.k();
            int length = round.flat()[0].length;
            int[] bounds = randomBounds(rnd, length);
            multiChunkRounds += bounds.length > 2 ? 1 : 0;
            List<double[]> shares = new ArrayList<>();
            for (int c = 0; c + 1 < bounds.length; c++) {
                shares.add(DistanceShares.of(slices(round.flat(), bounds[c], bounds[c + 1])));
            }
            double[][] d2 = DistanceShares.sum(shares, k);
            double[][] whole = KrumScores.squaredDistances(SortedRound.of(round.updates(), "test"));
            for (int p = 0; p < k; p++) {
                for (int q = 0; q < k; q++) {
                    assertThat(Math.abs(d2[p][q] - whole[p][q])).as("round %d: d2[%d][%d]", r, p, q)
                            .isLessThanOrEqualTo(1e-9 * whole[p][q]);
                }
            }
            List<ClientUpdate> arrival = new ArrayList<>(round.updates());
            Collections.shuffle(arrival, new Random(rnd.nextLong()));

            int fKrum = rnd.nextInt((k - 3) / 2 + 1); // K > 2f + 2
            int fBulyan = rnd.nextInt((k - 3) / 4 + 1); // K >= 4f + 3
            int m = 1 + rnd.nextInt(k);
            List<AggregationRule> rules = List.of(new Krum(fKrum), new MultiKrum(fKrum, 0), new MultiKrum(fKrum, m),
                    new Bulyan(fBulyan));
            for (int ruleIndex = 0; ruleIndex < rules.size(); ruleIndex++) {
                AggregationRule rule = rules.get(ruleIndex);
                String what = String.format("round %d (K = %d, %s, f = %d, m = %d, chunks %s)", r, k, rule.name(),
                        rule instanceof Bulyan ? fBulyan : fKrum, m, Arrays.toString(bounds));

                // Execute
                AggregationResult expected = rule.aggregate(arrival);
                assertThat(KrumSelection.problem(rule, k)).as(what).isNull();
                KrumSelection.Selection selection = KrumSelection.select(rule, round.examples(), d2);

                // Assert: the same updates chosen, with the same reported weights
                List<Integer> nonzero = new ArrayList<>();
                for (int i = 0; i < k; i++) {
                    if (expected.weights().get(round.ids().get(i)) != 0.0) {
                        nonzero.add(i);
                    }
                }
                assertThat(selection.rule()).isEqualTo(rule.name());
                assertThat(selection.chosen()).as(what).containsExactly(nonzero.stream().mapToInt(Integer::intValue).toArray());
                assertThat(selection.reported()).hasSize(k);
                for (int i = 0; i < k; i++) {
                    double want = expected.weights().get(round.ids().get(i));
                    assertThat(Math.abs(selection.reported()[i] - want)).as("%s: weight of update %d", what, i)
                            .isLessThanOrEqualTo(1e-12);
                }
                // ... and the delta the chunks compute from the selection is the rule's
                float[] wholeDelta = expected.delta().flatten();
                if (rule instanceof Bulyan) {
                    assertThat(selection.beta()).as(what).isEqualTo(k - 4 * fBulyan);
                    assertThat(selection.foldWeights()).as(what).containsOnly(1L).hasSize(k - 2 * fBulyan);
                    float[] chunked = new float[length];
                    for (int c = 0; c + 1 < bounds.length; c++) {
                        int from = bounds[c];
                        int to = bounds[c + 1];
                        List<float[]> chosen = new ArrayList<>();
                        for (int i : selection.chosen()) {
                            chosen.add(Arrays.copyOfRange(round.flat()[i], from, to));
                        }
                        float[] part = CoordinateWiseChunk.delta(to - from, chosen, Bulyan.NAME, selection.beta());
                        System.arraycopy(part, 0, chunked, from, to - from);
                    }
                    assertThat(bits(chunked)).as("%s: Bulyan delta bit for bit", what).containsExactly(bits(wholeDelta));
                    if (fBulyan > 0) {
                        bulyanWithByzantine++;
                    }
                } else {
                    assertThat(selection.beta()).isZero();
                    float[] chunked = foldByChunk(round, bounds, selection);
                    if (rule instanceof Krum) {
                        assertThat(selection.foldWeights()).containsExactly(1L);
                        assertThat(chunked).as("%s: Krum delta", what).containsExactly(wholeDelta);
                    } else {
                        for (int s = 0; s < selection.chosen().length; s++) {
                            assertThat(selection.foldWeights()[s]).isEqualTo(round.examples()[selection.chosen()[s]]);
                        }
                        for (int j = 0; j < length; j++) {
                            double tolerance = Math.max(1e-6 * Math.abs(wholeDelta[j]), 1e-12);
                            assertThat((double) Math.abs(chunked[j] - wholeDelta[j]))
                                    .as("%s: coordinate %d, chunked %s, whole %s", what, j, chunked[j], wholeDelta[j])
                                    .isLessThanOrEqualTo(tolerance);
                        }
                    }
                }
                ran[ruleIndex]++;
            }
        }
        // the rounds exercised what they are meant to
        assertThat(ran).containsOnly(rounds);
        assertThat(bulyanWithByzantine).isGreaterThan(rounds / 4);
        assertThat(roundsWithAttackers).isGreaterThan(rounds / 4);
        assertThat(multiChunkRounds).isGreaterThan(rounds / 2);
    }

    /**
     * Points a = 0, b = 2, c = 3, d = 7, e = -20 on a line, f = 1, so each score adds the K - f - 2 = 2
     * smallest squared distances. Squared distances: a-b 4, a-c 9, a-d 49, a-e 400, b-c 1, b-d 25,
     * b-e 484, c-d 16, c-e 529, d-e 729. Scores: a 4 + 9 = 13, b 1 + 4 = 5, c 1 + 9 = 10,
     * d 16 + 25 = 41, e 400 + 484 = 884. Krum picks b.
     */
    @Test
    void krumByHandPicksTheLowestScore() {
        // Arrange
        List<ClientUpdate> updates = List.of(vector("a", 10, 0f), vector("b", 20, 2f), vector("c", 30, 3f),
                vector("d", 40, 7f), vector("e", 50, -20f));
        double[][] d2 = DistanceShares.sum(List.of(DistanceShares.of(new float[][] {{0f}, {2f}, {3f}, {7f}, {-20f}})), 5);
        assertThat(d2[0]).containsExactly(0, 4, 9, 49, 400);
        assertThat(d2[2]).containsExactly(9, 1, 0, 16, 529);

        // Execute
        KrumSelection.Selection selection = KrumSelection.select(new Krum(1), new long[] {10, 20, 30, 40, 50}, d2);

        // Assert
        assertThat(selection.chosen()).containsExactly(1);
        assertThat(selection.foldWeights()).containsExactly(1L);
        assertThat(selection.totalWeight()).isEqualTo(1L);
        assertThat(selection.reported()).containsExactly(0, 1, 0, 0, 0);
        assertThat(selection.beta()).isZero();
        assertThat(KrumSelection.ids(selection, List.of("a", "b", "c", "d", "e"))).containsExactly("b");
        assertThat(KrumScores.of(d2, 1)).containsExactly(13, 5, 10, 41, 884);
        assertThat(new Krum(1).aggregate(updates).weights()).containsEntry("b", 1.0);
    }

    /**
     * a = 50, b = 3, c = 1, d = 2, e = 0, f = 1 (2 neighbours each). b: to c 4, d 1, e 9: 1 + 4 = 5;
     * c: to b 4, d 1, e 1: 1 + 1 = 2; d: to b 1, c 1, e 4: 1 + 1 = 2; e: to b 9, c 1, d 4: 1 + 4 = 5;
     * a: 47^2 = 2209, 49^2 = 2401, 48^2 = 2304, 50^2 = 2500: 2209 + 2304 = 4513. c and d tie at 2,
     * b and e at 5.
     */
    private static double[][] tiedRound() {
        return DistanceShares.sum(List.of(DistanceShares.of(new float[][] {{50f}, {3f}, {1f}, {2f}, {0f}})), 5);
    }

    private static final long[] TIED_EXAMPLES = {5, 7, 30, 10, 9};

    @Test
    void aScoreTieGoesToTheSmallerUpdateId() {
        // Execute
        KrumSelection.Selection krum = KrumSelection.select(new Krum(1), TIED_EXAMPLES, tiedRound());
        KrumSelection.Selection three = KrumSelection.select(new MultiKrum(1, 3), TIED_EXAMPLES, tiedRound());

        // Assert: c (index 2) before d (index 3); the third of Multi-Krum m = 3 is b (index 1) before e (index 4)
        assertThat(KrumScores.of(tiedRound(), 1)).containsExactly(4513, 5, 2, 2, 5);
        assertThat(krum.chosen()).containsExactly(2);
        assertThat(krum.reported()).containsExactly(0, 0, 1, 0, 0);
        assertThat(three.chosen()).containsExactly(1, 2, 3);
        List<ClientUpdate> updates = List.of(vector("a", 5, 50f), vector("b", 7, 3f), vector("c", 30, 1f),
                vector("d", 10, 2f), vector("e", 9, 0f));
        assertThat(new Krum(1).aggregate(updates).weights()).containsEntry("c", 1.0);
    }

    @Test
    void multiKrumReportsExamplesOverTheirSum() {
        // Execute: m = 2 selects c (n = 30) and d (n = 10)
        KrumSelection.Selection selection = KrumSelection.select(new MultiKrum(1, 2), TIED_EXAMPLES, tiedRound());

        // Assert: reported 30 / 40 and 10 / 40; the fold divides by 40
        assertThat(selection.rule()).isEqualTo("multi-krum");
        assertThat(selection.chosen()).containsExactly(2, 3);
        assertThat(selection.foldWeights()).containsExactly(30L, 10L);
        assertThat(selection.totalWeight()).isEqualTo(40L);
        assertThat(selection.reported()).containsExactly(0, 0, 0.75, 0.25, 0);
        assertThat(KrumSelection.ids(selection, List.of("a", "b", "c", "d", "e"))).containsExactly("c", "d");
    }

    @Test
    void bulyanOfSevenWithOneByzantineSelectsFiveAndAveragesThree() {
        // Arrange: BulyanTest's integer points u1 (0,0) u2 (1,1) u3 (2,0) u4 (3,2) u5 (4,1) u6 (100,100)
        // u7 (-50,60); Krum chooses u3, u2, u4, u1, u5 (worked out there); on two chunks, one per coordinate
        double[][] d2 = DistanceShares.sum(List.of(
                DistanceShares.of(new float[][] {{0}, {1}, {2}, {3}, {4}, {100}, {-50}}),
                DistanceShares.of(new float[][] {{0}, {1}, {0}, {2}, {1}, {100}, {60}})), 7);

        // Execute
        KrumSelection.Selection selection = KrumSelection.select(new Bulyan(1), new long[] {1, 1, 1, 1, 1, 1, 1}, d2);

        // Assert: θ = 7 - 2 = 5 chosen, β = 5 - 2 = 3, reported 1/5 each
        assertThat(selection.rule()).isEqualTo("bulyan");
        assertThat(selection.chosen()).containsExactly(0, 1, 2, 3, 4);
        assertThat(selection.beta()).isEqualTo(3);
        assertThat(selection.foldWeights()).containsExactly(1L, 1L, 1L, 1L, 1L);
        assertThat(selection.reported()).containsExactly(0.2, 0.2, 0.2, 0.2, 0.2, 0, 0);
        // the chunks' second step on the chosen u1..u5: coordinate 0 {0, 1, 2, 3, 4}, median 2, closest 2, then
        // 1 and 3 (the tie, smaller first): 6 / 3 = 2; coordinate 1 {0, 1, 0, 2, 1}, median 1, closest 1, 1, then 0
        // (tied with 2): 2 / 3. The same as Bulyan on whole updates.
        List<float[]> chunk0 = List.of(new float[] {0}, new float[] {1}, new float[] {2}, new float[] {3}, new float[] {4});
        List<float[]> chunk1 = List.of(new float[] {0}, new float[] {1}, new float[] {0}, new float[] {2}, new float[] {1});
        assertThat(CoordinateWiseChunk.delta(1, chunk0, "bulyan", selection.beta())).containsExactly(2f);
        assertThat(CoordinateWiseChunk.delta(1, chunk1, "bulyan", selection.beta())).containsExactly((float) (2.0 / 3));
        List<ClientUpdate> updates = List.of(vector("u1", 1, 0f, 0f), vector("u2", 1, 1f, 1f), vector("u3", 1, 2f, 0f),
                vector("u4", 1, 3f, 2f), vector("u5", 1, 4f, 1f), vector("u6", 1, 100f, 100f), vector("u7", 1, -50f, 60f));
        assertThat(new Bulyan(1).aggregate(updates).delta().flatten()).containsExactly(2f, (float) (2.0 / 3));
    }

    @Test
    void problemSaysWhyARoundCannotRun() {
        // Execute / Assert
        assertThat(KrumSelection.problem(new Krum(1), 4))
                .contains("krum with f = 1 Byzantine clients needs more than 2f + 2 = 4 updates, got 4");
        assertThat(KrumSelection.problem(new Krum(1), 5)).isNull();
        assertThat(KrumSelection.problem(new MultiKrum(2, 0), 6)).contains("multi-krum").contains("2f + 2 = 6");
        assertThat(KrumSelection.problem(new MultiKrum(1, 6), 5)).contains("m = 6 exceeds the 5 updates");
        assertThat(KrumSelection.problem(new MultiKrum(1, 5), 5)).isNull();
        assertThat(KrumSelection.problem(new Bulyan(1), 6)).contains("4f + 3 = 7").contains("got 6");
        assertThat(KrumSelection.problem(new Bulyan(1), 7)).isNull();
        assertThat(KrumSelection.problem(new Bulyan(2), 10)).contains("4f + 3 = 11");
        assertThat(KrumSelection.problem(new FederatedAveraging(), 5)).contains("fedavg does not select by Krum scores");
    }

    @Test
    void selectRefusesARoundTheRuleCannotRun() {
        // Execute / Assert
        assertThatThrownBy(() -> KrumSelection.select(new Krum(1), new long[4], new double[4][4]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs more than 2f + 2 = 4 updates");
        assertThatThrownBy(() -> KrumSelection.select(new Bulyan(1), new long[6], new double[6][6]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4f + 3 = 7");
        assertThatThrownBy(() -> KrumSelection.select(new MultiKrum(0, 4), new long[3], new double[3][3]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("m = 4 exceeds the 3 updates");
        assertThatThrownBy(() -> KrumSelection.select(new TrimmedMean(0.1), new long[3], new double[3][3]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not select by Krum scores");
    }

    @Test
    void handlesTheKrumRulesOnly() {
        // Execute / Assert
        assertThat(KrumSelection.handles(new Krum(0))).isTrue();
        assertThat(KrumSelection.handles(new MultiKrum(0, 0))).isTrue();
        assertThat(KrumSelection.handles(new Bulyan(0))).isTrue();
        assertThat(KrumSelection.handles(new FederatedAveraging())).isFalse();
        assertThat(KrumSelection.handles(new CoordinateWiseMedian())).isFalse();
        assertThat(KrumSelection.handles("krum")).isTrue();
        assertThat(KrumSelection.handles("multi-krum")).isTrue();
        assertThat(KrumSelection.handles("bulyan")).isTrue();
        assertThat(KrumSelection.handles("median")).isFalse();
        assertThat(KrumSelection.handles("fedavg")).isFalse();
    }

    // ---- random rounds ----

    /**
     * K in [5, 16] updates of a model of 2 to 5 tensors of random shapes; honest deltas scatter
     * around a common direction, up to three are attackers (boosted, sign-flipped, or both).
     */
    private static Round randomRound(SplittableRandom rnd) {
        int k = 5 + rnd.nextInt(12);
        int tensorCount = 2 + rnd.nextInt(4);
        int[][] shapes = new int[tensorCount][];
        int length = 0;
        for (int t = 0; t < tensorCount; t++) {
            shapes[t] = rnd.nextBoolean() ? new int[] {1 + rnd.nextInt(200)}
                    : new int[] {1 + rnd.nextInt(12), 1 + rnd.nextInt(20)};
            length += Arrays.stream(shapes[t]).reduce(1, (a, b) -> a * b);
        }
        float[] direction = new float[length];
        for (int j = 0; j < length; j++) {
            direction[j] = (float) (rnd.nextGaussian() * 0.05);
        }
        double spread = 0.005 + rnd.nextDouble() * 0.05;
        int attackers = rnd.nextInt(4);
        float[][] flat = new float[k][length];
        long[] examples = new long[k];
        List<ClientUpdate> updates = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            double scale = 1;
            if (i < attackers) {
                scale = switch (rnd.nextInt(3)) {
                    case 0 -> 5 + rnd.nextInt(20); // boosted
                    case 1 -> -1; // sign-flipped
                    default -> -(2 + rnd.nextInt(10)); // both
                };
            }
            for (int j = 0; j < length; j++) {
                flat[i][j] = (float) ((direction[j] + rnd.nextGaussian() * spread) * scale);
            }
            examples[i] = 1 + rnd.nextInt(5000);
            List<Tensor> tensors = new ArrayList<>();
            int at = 0;
            for (int t = 0; t < tensorCount; t++) {
                int size = Arrays.stream(shapes[t]).reduce(1, (a, b) -> a * b);
                tensors.add(new Tensor("t" + t, shapes[t], Arrays.copyOfRange(flat[i], at, at + size)));
                at += size;
            }
            updates.add(new ClientUpdate(String.format("u-%02d", i), "client-" + i, 0L, examples[i], 1,
                    new ModelWeights(tensors), Map.of()));
        }
        // the attackers are the first updates by index; put them anywhere in updateId order
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(rnd.nextLong()));
        float[][] shuffledFlat = new float[k][];
        long[] shuffledExamples = new long[k];
        List<ClientUpdate> inIdOrder = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            int from = order.get(i);
            ClientUpdate u = updates.get(from);
            shuffledFlat[i] = flat[from];
            shuffledExamples[i] = examples[from];
            inIdOrder.add(new ClientUpdate(String.format("u-%02d", i), u.clientId(), 0L, u.numExamples(), 1, u.delta(),
                    Map.of()));
        }
        return new Round(inIdOrder, shuffledFlat, shuffledExamples, attackers);
    }

    /** 0, up to seven distinct random cuts in (0, length), length. */
    private static int[] randomBounds(SplittableRandom rnd, int length) {
        TreeSet<Integer> cuts = new TreeSet<>();
        int wanted = rnd.nextInt(Math.min(8, length));
        while (cuts.size() < wanted) {
            cuts.add(1 + rnd.nextInt(length - 1));
        }
        int[] bounds = new int[cuts.size() + 2];
        int at = 1;
        for (int c : cuts) {
            bounds[at++] = c;
        }
        bounds[bounds.length - 1] = length;
        return bounds;
    }

    private static float[][] slices(float[][] flat, int from, int to) {
        float[][] out = new float[flat.length][];
        for (int i = 0; i < flat.length; i++) {
            out[i] = Arrays.copyOfRange(flat[i], from, to);
        }
        return out;
    }

    /**
     * Krum and Multi-Krum as a chunk's folder combines the selection: per coordinate, the chosen
     * members' values times their fold weights, summed in double, divided by the total weight,
     * rounded to float; chunk after chunk.
     */
    private static float[] foldByChunk(Round round, int[] bounds, KrumSelection.Selection selection) {
        int length = round.flat()[0].length;
        float[] out = new float[length];
        for (int c = 0; c + 1 < bounds.length; c++) {
            float[][] slice = slices(round.flat(), bounds[c], bounds[c + 1]);
            for (int j = 0; j < slice[0].length; j++) {
                double sum = 0;
                for (int s = 0; s < selection.chosen().length; s++) {
                    sum += selection.foldWeights()[s] * (double) slice[selection.chosen()[s]][j];
                }
                out[bounds[c] + j] = (float) (sum / selection.totalWeight());
            }
        }
        return out;
    }

    private static int[] bits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Float.floatToRawIntBits(values[i]);
        }
        return out;
    }
}
