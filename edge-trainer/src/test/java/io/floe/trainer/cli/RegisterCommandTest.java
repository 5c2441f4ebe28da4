package io.floe.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.schema.AggregationConfig;
import io.floe.schema.ClientTrainingConfig;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The drift-algorithm, server-optimizer, participation-weighting and momentum options of {@code floe register}. */
class RegisterCommandTest {
    private static final String[] REQUIRED = {
        "--bootstrap-servers", "localhost:9092", "--model-id", "m", "--architecture", "mlp(4,8,3)"};

    @Test
    void defaultsAreFedAvgWithAPlainServerStepAndNoMomentum() {
        RegisterCommand c = parse();

        AggregationConfig agg = c.aggregation.toConfig(c.clientsPerRound, 1);
        assertThat(agg.getAlgorithm()).isEqualTo("fedavg");
        assertThat(agg.getServerOptimizer()).isEqualTo("fedavg");
        assertThat(agg.getTotalClients()).isZero();
        assertThat(agg.getParticipationWeighting()).isEqualTo("none");
        assertThat(c.training.toConfig().getMomentum()).isZero();
    }

    @Test
    void theOptionsReachTheSpecsConfigs() {
        RegisterCommand c = parse("--algorithm", "SCAFFOLD", "--server-optimizer", "fedadam:eta=0.01,tau=1e-3",
                "--total-clients", "20", "--clients-per-round", "5", "--momentum", "0.9");

        AggregationConfig agg = c.aggregation.toConfig(c.clientsPerRound, 1);
        ClientTrainingConfig training = c.training.toConfig();
        assertThat(agg.getAlgorithm()).isEqualTo("scaffold");
        assertThat(agg.getServerOptimizer()).isEqualTo("fedadam:eta=0.01,tau=1e-3");
        assertThat(agg.getTotalClients()).isEqualTo(20);
        assertThat(agg.getClientsPerRound()).isEqualTo(5);
        assertThat(training.getMomentum()).isEqualTo(0.9f);
        assertThat(training.getAlgorithm()).as("the job fills it in from the spec").isEqualTo("fedavg");
        assertThat(parse("--algorithm", "fedprox:mu=0.01").aggregation.toConfig(5, 1).getAlgorithm())
                .isEqualTo("fedprox:mu=0.01");
        assertThat(parse("--algorithm", "fednova:rho=0.9").aggregation.toConfig(5, 1).getAlgorithm())
                .isEqualTo("fednova:rho=0.9");
        AggregationConfig fedBuff = parse("--mode", "fedbuff", "--participation-weighting", "interval:cap=50").aggregation.toConfig(5, 1);
        assertThat(fedBuff.getParticipationWeighting()).isEqualTo("interval:cap=50");
        assertThat(parse("--mode", "fedbuff", "--participation-weighting", "interval").aggregation.toConfig(5, 1)
                .getParticipationWeighting()).isEqualTo("interval:cap=100");
    }

    @Test
    void compressionAndErrorFeedbackReachTheTrainingConfig() {
        ClientTrainingConfig dense = parse().training.toConfig();
        ClientTrainingConfig topk = parse("--compression", "TOPK:ratio=0.01", "--no-error-feedback").training.toConfig();

        assertThat(dense.getCompression()).isEqualTo("none");
        assertThat(dense.getErrorFeedback()).isTrue();
        assertThat(topk.getCompression()).isEqualTo("topk:ratio=0.01");
        assertThat(topk.getErrorFeedback()).isFalse();
        assertThat(parse("--compression", "int8").training.toConfig().getCompression()).isEqualTo("int8");
        assertThatThrownBy(() -> parse("--compression", "zip").training.toConfig()).hasMessageContaining("unknown compression");
    }

    @Test
    void fedBuffWithoutFurtherOptionsGetsTheConfigurationMeasuredBest() {
        AggregationConfig fedBuff = parse("--mode", "fedbuff").aggregation.toConfig(10, 1);
        assertThat(fedBuff.getBufferSize()).isEqualTo(5);
        assertThat(fedBuff.getStaleness()).isEqualTo("constant");
        assertThat(fedBuff.getParticipationWeighting()).isEqualTo("interval:cap=100");
        assertThat(fedBuff.getServerLearningRate()).isEqualTo(0.5);

        // what is given wins; a server optimizer keeps eta_g 1; sync keeps the plain defaults
        AggregationConfig given = parse("--mode", "fedbuff", "--buffer-size", "3", "--staleness", "polynomial:a=1",
                "--participation-weighting", "none", "--server-lr", "1").aggregation.toConfig(10, 1);
        assertThat(given.getBufferSize()).isEqualTo(3);
        assertThat(given.getStaleness()).isEqualTo("polynomial:a=1");
        assertThat(given.getParticipationWeighting()).isEqualTo("none");
        assertThat(given.getServerLearningRate()).isEqualTo(1.0);
        assertThat(parse("--mode", "fedbuff", "--server-optimizer", "fedadam").aggregation.toConfig(10, 1).getServerLearningRate())
                .isEqualTo(1.0);
        assertThat(parse("--mode", "fedbuff", "--server-optimizer", "fedavgm").aggregation.toConfig(10, 1).getServerLearningRate())
                .isEqualTo(1.0);
        assertThat(parse("--mode", "fedbuff", "--server-optimizer", "fedavg:eta=0.8").aggregation.toConfig(10, 1)
                .getServerLearningRate()).isEqualTo(1.0);
        assertThat(parse("--mode", "fedbuff", "--algorithm", "fednova").aggregation.toConfig(10, 1).getParticipationWeighting())
                .isEqualTo("none");
        AggregationConfig sync = parse().aggregation.toConfig(10, 1);
        assertThat(sync.getParticipationWeighting()).isEqualTo("none");
        assertThat(sync.getServerLearningRate()).isEqualTo(1.0);
        assertThat(parse("--mode", "fedasync").aggregation.toConfig(10, 1).getStaleness()).isEqualTo("polynomial:a=0.5");
    }

    @Test
    void typosFailWithTheParsersMessage() {
        assertThatThrownBy(() -> parse("--algorithm", "fedprox").aggregation.toConfig(5, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fedprox needs mu");
        assertThatThrownBy(() -> parse("--server-optimizer", "fedadamw").aggregation.toConfig(5, 1))
                .hasMessageContaining("unknown server optimizer 'fedadamw'");
        assertThatThrownBy(() -> parse("--total-clients", "-1").aggregation.toConfig(5, 1))
                .hasMessageContaining("--total-clients must be >= 0");
        assertThatThrownBy(() -> parse("--participation-weighting", "inverse").aggregation.toConfig(5, 1))
                .hasMessageContaining("unknown participationWeighting 'inverse'");
        assertThatThrownBy(() -> parse("--momentum", "1").training.toConfig())
                .hasMessageContaining("momentum must be in [0, 1)");
    }

    @Test
    void chunkBytesIsUnsetByDefaultAndReachesTheSpecWhenGiven() {
        assertThat(parse().aggregation.toConfig(10, 1).getChunkBytes()).as("whole records by default").isNull();
        assertThat(parse("--chunk-bytes", "1024").aggregation.toConfig(10, 1).getChunkBytes()).isEqualTo(1024);
        assertThatThrownBy(() -> parse("--chunk-bytes", "1000").aggregation.toConfig(10, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--chunk-bytes must be a multiple of 4 from 1024");
        assertThatThrownBy(() -> parse("--chunk-bytes", "512").aggregation.toConfig(10, 1)).hasMessageContaining("not 512");
    }

    @Test
    void aChunkedSpecTheJobWouldRefuseIsCaughtBeforePublishing() {
        io.floe.core.spec.Architecture mlp = io.floe.core.spec.Architecture.parse("mlp(30,16,1)");
        RegisterCommand fedAvg = parse("--chunk-bytes", "1024");
        RegisterCommand krum = parse("--chunk-bytes", "1024", "--mode", "fedbuff");
        RegisterCommand dense = parse("--rule", "median");

        var ok = io.floe.trainer.daemon.ModelRegistration.spec("m", mlp, 1, fedAvg.aggregation.toConfig(10, 1), fedAvg.training.toConfig());
        var refused = io.floe.trainer.daemon.ModelRegistration.spec("m", mlp, 1, krum.aggregation.toConfig(10, 1),
                krum.training.toConfig());
        var whole = io.floe.trainer.daemon.ModelRegistration.spec("m", mlp, 1, dense.aggregation.toConfig(10, 1), dense.training.toConfig());

        assertThat(io.floe.trainer.daemon.ModelRegistration.specProblem(ok)).isNull();
        assertThat(io.floe.trainer.daemon.ModelRegistration.chunkCount(ok)).as("513 parameters, 256 a chunk").isEqualTo(3);
        assertThat(io.floe.trainer.daemon.ModelRegistration.specProblem(refused)).contains("mode fedbuff")
                .contains("leave chunkBytes unset");
        assertThat(io.floe.trainer.daemon.ModelRegistration.specProblem(whole)).as("a valid dense spec").isNull();
        assertThat(io.floe.trainer.daemon.ModelRegistration.chunkCount(whole)).isZero();
    }

    @Test
    void underCentralDpTheAutoExampleCapIsNoneAndAnExplicitCapIsRefusedBeforePublishing() {
        io.floe.core.spec.Architecture mlp = io.floe.core.spec.Architecture.parse("mlp(4,8,3)");
        RegisterCommand dp = parse("--dp-noise-multiplier", "1.0", "--dp-clip-norm", "0.5");
        RegisterCommand capped = parse("--dp-noise-multiplier", "1.0", "--dp-clip-norm", "0.5", "--example-cap", "median-multiple",
                "--example-cap-value", "10");

        var ok = io.floe.trainer.daemon.ModelRegistration.spec("m", mlp, 1, dp.aggregation.toConfig(10, 1), dp.training.toConfig());
        var refused = io.floe.trainer.daemon.ModelRegistration.spec("m", mlp, 1, capped.aggregation.toConfig(10, 1),
                capped.training.toConfig());

        assertThat(ok.getAggregation().getExampleCap()).isEqualTo("none");
        assertThat(io.floe.trainer.daemon.ModelRegistration.specProblem(ok)).isNull();
        assertThat(io.floe.trainer.daemon.ModelRegistration.specProblem(refused)).contains("exampleCap none");
    }

    private static RegisterCommand parse(String... args) {
        RegisterCommand command = new RegisterCommand();
        new CommandLine(command).parseArgs(Stream.concat(Stream.of(REQUIRED), Stream.of(args)).toArray(String[]::new));
        return command;
    }
}
