package io.floe.core.drift;

import io.floe.core.spec.NamedSpec;
import io.floe.core.tensor.ModelWeights;

/**
 * How the server turns the aggregated client delta {@code Delta_t} of a round into the next global
 * model: the "ServerOpt" of Reddi, Charles, Zaheer, Garrett, Rush, Konečný, Kumar, McMahan,
 * "Adaptive Federated Optimization", ICLR 2021, Algorithm 1 (FedOpt), with {@code -Delta_t} as the
 * pseudo-gradient. Every variant is immutable; its moments live in an {@link OptimizerState} that
 * the caller keeps and hands back, so the same (weights, delta, state) always give the same bits.
 *
 * <ul>
 *   <li>{@code fedavg[:eta=1]}: {@code x += eta Delta} (eta = 1 is McMahan et al.'s FedAvg);
 *   <li>{@code fedavgm[:eta=1,beta=0.9]}: heavy-ball server momentum {@code m = beta m + Delta},
 *       {@code x += eta m};
 *   <li>{@code fedadagrad[:eta=0.1,beta1=0,tau=1e-9]}, {@code fedadam[:eta=0.1,beta1=0.9,beta2=0.99,tau=1e-9]},
 *       {@code fedyogi[:eta=0.01,beta1=0.9,beta2=0.99,tau=1e-3]}: Reddi et al., Algorithm 2.
 * </ul>
 * The adaptive defaults are Flower's ({@code flwr.server.strategy.FedAdagrad}, {@code FedAdam},
 * {@code FedYogi}); Reddi et al. tune eta and tau per task (their Appendix D grids), so a
 * deployment should too.
 *
 * <p>Call order: {@link #initialState} once per model (or {@link OptimizerState#restore} after a
 * restart), then {@link #step} once per round with the state the previous step returned.
 */
public sealed interface ServerOptimizer {

    /** The name {@link #parse} accepts. */
    String name();

    /** The state before the first round, with one moment tensor per parameter of {@code model}. */
    OptimizerState initialState(ModelWeights model);

    /**
     * One server step.
     *
     * @param current the global weights x_t
     * @param delta the aggregated client delta Delta_t (mean of {@code x_i - x_t}), same layout
     * @param state what {@link #initialState} or the previous step returned
     * @return x_{t+1} and the state for the next step; nothing passed in is modified
     */
    ServerStep step(ModelWeights current, ModelWeights delta, OptimizerState state);

    /** Plain FedAvg server step {@code x += eta Delta}; keeps no state. */
    record FedAvg(double eta) implements ServerOptimizer {
        public static final String NAME = "fedavg";

        public FedAvg {
            ServerSteps.requirePositive(NAME, "eta", eta);
        }

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public OptimizerState initialState(ModelWeights model) {
            return OptimizerState.empty();
        }

        @Override
        public ServerStep step(ModelWeights current, ModelWeights delta, OptimizerState state) {
            return ServerSteps.sgd(NAME, current, delta, state, eta);
        }
    }

    /**
     * Server momentum, {@code m_t = beta m_{t-1} + Delta_t}, {@code x_{t+1} = x_t + eta m_t}, with
     * {@code m_{-1} = 0}. This is Hsu, Qi, Brown, "Measuring the Effects of Non-Identical Data
     * Distribution for Federated Visual Classification", 2019, Section 3 ({@code v <- beta v + Delta w},
     * {@code w <- w - v}, their Delta w being the negative of our delta, and eta = 1), the FedAvgM
     * baseline Reddi et al. compare against (Section 5), and Flower's FedAvgM
     * ({@code server_learning_rate}, {@code server_momentum}). Unlike FedAdam's first moment it has
     * no {@code (1 - beta)} factor, so its effective step is about {@code eta / (1 - beta)}.
     * The default beta = 0.9 is the common choice; Flower's default 0 would make it plain FedAvg.
     */
    record FedAvgM(double eta, double beta) implements ServerOptimizer {
        public static final String NAME = "fedavgm";

        public FedAvgM {
            ServerSteps.requirePositive(NAME, "eta", eta);
            ServerSteps.requireDecay(NAME, "beta", beta);
        }

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public OptimizerState initialState(ModelWeights model) {
            return OptimizerState.filled(model, true, 0f, false, 0f);
        }

        @Override
        public ServerStep step(ModelWeights current, ModelWeights delta, OptimizerState state) {
            return ServerSteps.heavyBall(NAME, current, delta, state, eta, beta);
        }
    }

    /**
     * FedAdagrad, Reddi et al. Algorithm 2: {@code m_t = beta1 m_{t-1} + (1 - beta1) Delta_t},
     * {@code v_t = v_{t-1} + Delta_t^2}, {@code x_{t+1} = x_t + eta m_t / (sqrt(v_t) + tau)}, with
     * {@code m_{-1} = 0}, {@code v_{-1} = tau^2}.
     */
    record FedAdagrad(double eta, double beta1, double tau) implements ServerOptimizer {
        public static final String NAME = "fedadagrad";

        public FedAdagrad {
            ServerSteps.requirePositive(NAME, "eta", eta);
            ServerSteps.requireDecay(NAME, "beta1", beta1);
            ServerSteps.requirePositive(NAME, "tau", tau);
        }

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public OptimizerState initialState(ModelWeights model) {
            return ServerSteps.adaptiveInitialState(model, tau);
        }

        @Override
        public ServerStep step(ModelWeights current, ModelWeights delta, OptimizerState state) {
            return ServerSteps.adaptive(NAME, current, delta, state, eta, beta1, 0, tau, ServerSteps.SecondMoment.ADAGRAD);
        }
    }

    /**
     * FedAdam, Reddi et al. Algorithm 2: as {@link FedAdagrad} but
     * {@code v_t = beta2 v_{t-1} + (1 - beta2) Delta_t^2}. No bias correction: Algorithm 2 has none
     * (later Flower releases add one; floe follows the paper).
     */
    record FedAdam(double eta, double beta1, double beta2, double tau) implements ServerOptimizer {
        public static final String NAME = "fedadam";

        public FedAdam {
            ServerSteps.requirePositive(NAME, "eta", eta);
            ServerSteps.requireDecay(NAME, "beta1", beta1);
            ServerSteps.requireDecay(NAME, "beta2", beta2);
            ServerSteps.requirePositive(NAME, "tau", tau);
        }

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public OptimizerState initialState(ModelWeights model) {
            return ServerSteps.adaptiveInitialState(model, tau);
        }

        @Override
        public ServerStep step(ModelWeights current, ModelWeights delta, OptimizerState state) {
            return ServerSteps.adaptive(NAME, current, delta, state, eta, beta1, beta2, tau, ServerSteps.SecondMoment.ADAM);
        }
    }

    /**
     * FedYogi, Reddi et al. Algorithm 2: as {@link FedAdagrad} but
     * {@code v_t = v_{t-1} - (1 - beta2) Delta_t^2 sign(v_{t-1} - Delta_t^2)} (Zaheer et al. 2018's
     * Yogi), which lets v grow or shrink additively instead of decaying it multiplicatively.
     */
    record FedYogi(double eta, double beta1, double beta2, double tau) implements ServerOptimizer {
        public static final String NAME = "fedyogi";

        public FedYogi {
            ServerSteps.requirePositive(NAME, "eta", eta);
            ServerSteps.requireDecay(NAME, "beta1", beta1);
            ServerSteps.requireDecay(NAME, "beta2", beta2);
            ServerSteps.requirePositive(NAME, "tau", tau);
        }

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public OptimizerState initialState(ModelWeights model) {
            return ServerSteps.adaptiveInitialState(model, tau);
        }

        @Override
        public ServerStep step(ModelWeights current, ModelWeights delta, OptimizerState state) {
            return ServerSteps.adaptive(NAME, current, delta, state, eta, beta1, beta2, tau, ServerSteps.SecondMoment.YOGI);
        }
    }

    /**
     * Parses {@code fedavg}, {@code fedavgm}, {@code fedadagrad}, {@code fedadam} or {@code fedyogi},
     * each optionally followed by {@code :key=value,...} with the keys listed above (case-insensitive,
     * unknown keys rejected). Missing keys take the defaults listed in the class comment.
     */
    public static ServerOptimizer parse(String spec) {
        NamedSpec s = NamedSpec.parse(spec, "server optimizer");
        return switch (s.name()) {
            case FedAvg.NAME -> new FedAvg(s.allowOnly("eta").get("eta", 1.0));
            case FedAvgM.NAME -> {
                s.allowOnly("eta", "beta");
                yield new FedAvgM(s.get("eta", 1.0), s.get("beta", 0.9));
            }
            case FedAdagrad.NAME -> {
                s.allowOnly("eta", "beta1", "tau");
                yield new FedAdagrad(s.get("eta", 0.1), s.get("beta1", 0.0), s.get("tau", 1e-9));
            }
            case FedAdam.NAME -> {
                s.allowOnly("eta", "beta1", "beta2", "tau");
                yield new FedAdam(s.get("eta", 0.1), s.get("beta1", 0.9), s.get("beta2", 0.99), s.get("tau", 1e-9));
            }
            case FedYogi.NAME -> {
                s.allowOnly("eta", "beta1", "beta2", "tau");
                yield new FedYogi(s.get("eta", 0.01), s.get("beta1", 0.9), s.get("beta2", 0.99), s.get("tau", 1e-3));
            }
            default -> throw new IllegalArgumentException("unknown server optimizer '" + spec.trim()
                    + "'; use fedavg, fedavgm, fedadagrad, fedadam or fedyogi, optionally with :key=value,...");
        };
    }
}
