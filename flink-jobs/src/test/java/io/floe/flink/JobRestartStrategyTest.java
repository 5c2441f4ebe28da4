package io.floe.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The job sets its own restart strategy, configurable from the command line, or leaves it to the cluster. */
class JobRestartStrategyTest {
    private static AggregationJobOptions parse(String... args) {
        AggregationJobOptions options = new AggregationJobOptions();
        new CommandLine(options).parseArgs(args);
        return options;
    }

    @Test
    void theJobRestartsWithExponentialDelayCappedAtTenSecondsByDefault() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();

        AggregationJob.configure(env, parse("--bootstrap-servers", "broker:9092"));

        assertThat(env.getConfiguration().get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("exponential-delay");
        assertThat(env.getConfiguration().get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF))
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(env.getConfiguration().get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF))
                .isEqualTo(Duration.ofSeconds(10));
        assertThat(env.getConfiguration().get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER))
                .isEqualTo(2.0);
    }

    @Test
    void smallRecordsWaitAtMostFiveMillisecondsInANetworkBufferByDefault() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        AggregationJob.configure(env, parse("--bootstrap-servers", "broker:9092"));
        assertThat(env.getBufferTimeout()).isEqualTo(5L);

        StreamExecutionEnvironment flushEach = StreamExecutionEnvironment.getExecutionEnvironment();
        AggregationJob.configure(flushEach, parse("--bootstrap-servers", "broker:9092", "--buffer-timeout-ms", "0"));
        assertThat(flushEach.getBufferTimeout()).isZero();
    }

    @Test
    void backoffsComeFromTheCommandLine() {
        JobRestartStrategy s = JobRestartStrategy.from(parse("--bootstrap-servers", "b:9092", "--restart-initial-backoff-ms", "200",
                "--restart-max-backoff-ms", "3000"));

        assertThat(s.asConfiguration().get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF))
                .isEqualTo(Duration.ofMillis(200));
        assertThat(s.asConfiguration().get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF))
                .isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void clusterLeavesTheStrategyToTheClustersConfiguration() {
        JobRestartStrategy s = JobRestartStrategy.from(parse("--bootstrap-servers", "b:9092", "--restart-strategy", "cluster"));

        assertThat(s.asConfiguration().keySet()).isEmpty();
    }

    @Test
    void inconsistentSettingsAreRefusedWithTheFix() {
        assertThatThrownBy(() -> JobRestartStrategy.from(parse("--bootstrap-servers", "b:9092", "--restart-strategy", "fixed")))
                .hasMessageContaining("exponential-delay or cluster");
        assertThatThrownBy(() -> JobRestartStrategy.from(parse("--bootstrap-servers", "b:9092", "--restart-initial-backoff-ms",
                "20000"))).hasMessageContaining("0 < initial <= max");
    }
}
