package io.floe.core.drift;

import io.floe.core.spec.NamedSpec;
import java.util.Locale;
import java.util.Objects;

/**
 * Which algorithm against client drift a model uses, named per model in its spec or on the CLI:
 * <ul>
 *   <li>{@code fedavg}: nothing extra (McMahan et al., AISTATS 2017);
 *   <li>{@code fedprox:mu=M}: clients add {@code mu/2 ||w - w_t||^2} to their local objective (Li,
 *       Sahu, Zaheer, Sanjabi, Talwalkar, Smith, "Federated Optimization in Heterogeneous Networks",
 *       MLSys 2020, Algorithm 2); mu > 0 is required because it is task-dependent (the paper
 *       searches {0.001, 0.01, 0.1, 1}); the server averages as FedAvg;
 *   <li>{@code scaffold}: clients correct each step with control variates and send Delta c_i; the
 *       server runs {@link ScaffoldServer} (Karimireddy et al., ICML 2020);
 *   <li>{@code fednova[:rho=R]}: clients report their local steps; the server aggregates with
 *       {@link FedNova} assuming local momentum rho (default 0, plain local SGD).
 * </ul>
 * This record says only what is chosen; the server optimizer ({@link ServerOptimizer}) is chosen
 * separately and applies after the aggregation.
 *
 * @param kind the algorithm
 * @param proximalMu FedProx's mu; 0 for every other kind
 * @param localMomentum FedNova's rho; 0 for every other kind
 */
public record DriftAlgorithm(Kind kind, double proximalMu, double localMomentum) {

    /** The algorithms, by the name {@link #parse} accepts. */
    public enum Kind {
        FEDAVG, FEDPROX, SCAFFOLD, FEDNOVA;

        public String specName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public DriftAlgorithm {
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.FEDPROX) {
            if (!(proximalMu > 0) || !Double.isFinite(proximalMu)) {
                throw new IllegalArgumentException("fedprox needs mu > 0 (mu = 0 is fedavg), was " + proximalMu);
            }
        } else if (proximalMu != 0) {
            throw new IllegalArgumentException(kind.specName() + " takes no proximal mu (only fedprox does), was "
                    + proximalMu);
        }
        if (kind == Kind.FEDNOVA) {
            if (!(localMomentum >= 0 && localMomentum < 1)) {
                throw new IllegalArgumentException("fednova needs the local momentum rho in [0, 1), was " + localMomentum);
            }
        } else if (localMomentum != 0) {
            throw new IllegalArgumentException(kind.specName() + " takes no local momentum rho (only fednova does), was "
                    + localMomentum);
        }
    }

    public static DriftAlgorithm fedAvg() {
        return new DriftAlgorithm(Kind.FEDAVG, 0, 0);
    }

    public static DriftAlgorithm fedProx(double mu) {
        return new DriftAlgorithm(Kind.FEDPROX, mu, 0);
    }

    public static DriftAlgorithm scaffold() {
        return new DriftAlgorithm(Kind.SCAFFOLD, 0, 0);
    }

    public static DriftAlgorithm fedNova(double localMomentum) {
        return new DriftAlgorithm(Kind.FEDNOVA, 0, localMomentum);
    }

    /** Parses {@code fedavg}, {@code fedprox:mu=M}, {@code scaffold} or {@code fednova[:rho=R]} (case-insensitive). */
    public static DriftAlgorithm parse(String spec) {
        return parse(spec, 0.0);
    }

    /**
     * As {@link #parse(String)}, but a {@code fednova} without {@code rho} takes
     * {@code defaultLocalMomentum}: the momentum the model's clients are configured to train with.
     */
    public static DriftAlgorithm parse(String spec, double defaultLocalMomentum) {
        NamedSpec s = NamedSpec.parse(spec, "drift algorithm");
        return switch (s.name()) {
            case "fedavg" -> {
                s.allowOnly();
                yield fedAvg();
            }
            case "fedprox" -> {
                s.allowOnly("mu");
                double mu = s.get("mu", Double.NaN);
                if (Double.isNaN(mu)) {
                    throw new IllegalArgumentException("fedprox needs mu, e.g. fedprox:mu=0.01");
                }
                yield fedProx(mu);
            }
            case "scaffold" -> {
                s.allowOnly();
                yield scaffold();
            }
            case "fednova" -> {
                s.allowOnly("rho");
                yield fedNova(s.get("rho", defaultLocalMomentum));
            }
            default -> throw new IllegalArgumentException("unknown drift algorithm '" + spec.trim()
                    + "'; use fedavg, fedprox:mu=M, scaffold or fednova[:rho=R]");
        };
    }

    /** The spec {@link #parse} reads back to this value. */
    public String toSpec() {
        return switch (kind) {
            case FEDPROX -> "fedprox:mu=" + proximalMu;
            case FEDNOVA -> localMomentum == 0 ? "fednova" : "fednova:rho=" + localMomentum;
            default -> kind.specName();
        };
    }
}
