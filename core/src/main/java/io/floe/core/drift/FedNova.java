package io.floe.core.drift;

import io.floe.core.aggregate.AggregationResult;
import io.floe.core.aggregate.AggregationRule;
import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * FedNova, normalised averaging: Wang, Liu, Liang, Joshi, Poor, "Tackling the Objective
 * Inconsistency Problem in Heterogeneous Federated Optimization", NeurIPS 2020, eq. (6)-(7).
 *
 * <p>Clients that take more local steps move further; plain FedAvg then drifts towards the
 * objectives of the busy clients. FedNova divides each client's delta by how many (momentum-
 * weighted) steps produced it and rescales the average by an effective step count:
 * <pre>
 *   p_i     = n_i / sum_j n_j
 *   a_i     = tau_i                                              (local SGD, rho = 0)
 *   a_i     = (tau_i - rho (1 - rho^tau_i) / (1 - rho)) / (1 - rho)   (local momentum rho)
 *   d_i     = Delta_i / a_i
 *   tau_eff = sum_i p_i a_i
 *   Delta   = tau_eff sum_i p_i d_i
 * </pre>
 * The momentum a_i is the sum over steps k = 1..tau_i of {@code (1 - rho^k) / (1 - rho)}, which is
 * how the authors' code accumulates it ({@code local_normalizing_vec} in JYWa/FedNova). With equal
 * tau_i this is exactly FedAvg. tau_i is the update's {@code localSteps}; the client's learning rate
 * is already inside Delta_i. Sums run in double in updateId order.
 */
public final class FedNova implements AggregationRule {
    public static final String NAME = "fednova";

    private final double localMomentum;

    /** @param localMomentum rho, the momentum of the clients' local SGD, in [0, 1) */
    public FedNova(double localMomentum) {
        requireMomentum(localMomentum);
        this.localMomentum = localMomentum;
    }

    @Override
    public String name() {
        return NAME;
    }

    public double localMomentum() {
        return localMomentum;
    }

    @Override
    public AggregationResult aggregate(List<ClientUpdate> updates) {
        return aggregate(updates, localMomentum);
    }

    /**
     * a_i: the norm of the client's step-weight vector, i.e. the number of plain-SGD steps its delta
     * is worth.
     *
     * @param localSteps tau_i >= 1
     * @param localMomentum rho in [0, 1)
     */
    public static double normalizingFactor(int localSteps, double localMomentum) {
        if (localSteps < 1) {
            throw new IllegalArgumentException("FedNova needs localSteps >= 1 for every update, was " + localSteps);
        }
        requireMomentum(localMomentum);
        if (localMomentum == 0) {
            return localSteps;
        }
        double rho = localMomentum;
        return (localSteps - rho * (1 - Math.pow(rho, localSteps)) / (1 - rho)) / (1 - rho);
    }

    /**
     * The FedNova delta of one round.
     *
     * @param updates at least one update, same layout, each with localSteps >= 1
     * @param localMomentum rho of the clients' local SGD (0 for vanilla SGD)
     * @return the delta to add to the global model (the server learning rate, if any, comes after)
     *     and each update's coefficient {@code tau_eff p_i / a_i} by updateId
     */
    public static AggregationResult aggregate(List<ClientUpdate> updates, double localMomentum) {
        if (updates.isEmpty()) {
            throw new IllegalArgumentException("FedNova needs at least one update");
        }
        requireMomentum(localMomentum);
        List<ClientUpdate> sorted = new ArrayList<>(updates);
        sorted.sort(Comparator.comparing(ClientUpdate::updateId).thenComparing(ClientUpdate::clientId));
        ModelWeights layout = sorted.get(0).delta();
        double total = 0;
        for (ClientUpdate u : sorted) {
            if (!u.delta().sameLayout(layout)) {
                throw new IllegalArgumentException("FedNova: update " + u.updateId() + " has layout "
                        + u.delta().describe() + ", expected " + layout.describe());
            }
            total += u.numExamples();
        }
        double[] p = new double[sorted.size()];
        double[] a = new double[sorted.size()];
        double tauEff = 0;
        for (int k = 0; k < sorted.size(); k++) {
            ClientUpdate u = sorted.get(k);
            p[k] = u.numExamples() / total;
            try {
                a[k] = normalizingFactor(u.localSteps(), localMomentum);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("update " + u.updateId() + ": " + e.getMessage(), e);
            }
            tauEff += p[k] * a[k];
        }
        Map<String, Double> weights = new HashMap<>();
        double[] coef = new double[sorted.size()];
        for (int k = 0; k < sorted.size(); k++) {
            coef[k] = tauEff * p[k] / a[k];
            weights.put(sorted.get(k).updateId(), coef[k]);
        }
        List<Tensor> out = new ArrayList<>(layout.tensorCount());
        for (int t = 0; t < layout.tensorCount(); t++) {
            double[] acc = new double[layout.tensors().get(t).size()];
            for (int k = 0; k < sorted.size(); k++) {
                float[] v = sorted.get(k).delta().tensors().get(t).values();
                for (int j = 0; j < acc.length; j++) {
                    acc[j] += coef[k] * v[j];
                }
            }
            float[] r = new float[acc.length];
            for (int j = 0; j < acc.length; j++) {
                r[j] = (float) acc[j];
            }
            out.add(layout.tensors().get(t).withValues(r));
        }
        return new AggregationResult(new ModelWeights(out), weights);
    }

    private static void requireMomentum(double rho) {
        if (!(rho >= 0 && rho < 1)) {
            throw new IllegalArgumentException("FedNova needs the local momentum rho in [0, 1), was " + rho);
        }
    }
}
