package io.floe.trainer.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.schema.ModelUpdate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What a trainer exports before its first round and after some. */
class TrainerMetricsTest {

    @Test
    void beforeTheFirstRoundCountersAreZeroAndScoresNaN() {
        TrainerMetrics m = new TrainerMetrics("wdbc", "site-1", () -> -1, () -> 0);

        String text = m.scrape();

        assertThat(text)
                .contains("floe_trainer_rounds_total{model_id=\"wdbc\",client_id=\"site-1\"} 0\n")
                .contains("floe_trainer_last_version{model_id=\"wdbc\",client_id=\"site-1\"} -1\n")
                .contains("floe_trainer_publish_retries_total{model_id=\"wdbc\",client_id=\"site-1\"} 0\n")
                .contains("floe_trainer_local_loss{model_id=\"wdbc\",client_id=\"site-1\"} NaN\n")
                .contains("floe_trainer_dp_epsilon{model_id=\"wdbc\",client_id=\"site-1\"} NaN\n");
        assertThat(text.lines().filter(l -> l.startsWith("# TYPE"))).hasSize(7);
    }

    @Test
    void exportsTheLastRoundsLocalScoresAndEpsilonAndReadsVersionAndRetriesWhenScraped() {
        // Prepare
        AtomicLong version = new AtomicLong(-1);
        AtomicLong retries = new AtomicLong();
        TrainerMetrics m = new TrainerMetrics("wdbc", "site-1", version::get, retries::get);

        // Execute: two rounds, the broker away for a while in between
        m.published(update(0, Map.of("loss", 0.6, "accuracy", 0.7, "auc", 0.75, "dp_epsilon", 0.5)));
        version.set(0);
        retries.set(4);
        m.published(update(1, Map.of("loss", 0.3, "accuracy", 0.9, "auc", 0.95, "dp_epsilon", 0.8)));
        version.set(3);

        // Assert
        assertThat(m.rounds()).isEqualTo(2);
        assertThat(m.scrape())
                .contains("floe_trainer_rounds_total{model_id=\"wdbc\",client_id=\"site-1\"} 2\n")
                .contains("floe_trainer_last_version{model_id=\"wdbc\",client_id=\"site-1\"} 3\n")
                .contains("floe_trainer_publish_retries_total{model_id=\"wdbc\",client_id=\"site-1\"} 4\n")
                .contains("floe_trainer_local_loss{model_id=\"wdbc\",client_id=\"site-1\"} 0.3\n")
                .contains("floe_trainer_local_accuracy{model_id=\"wdbc\",client_id=\"site-1\"} 0.9\n")
                .contains("floe_trainer_local_auc{model_id=\"wdbc\",client_id=\"site-1\"} 0.95\n")
                .contains("floe_trainer_dp_epsilon{model_id=\"wdbc\",client_id=\"site-1\"} 0.8\n");
    }

    @Test
    void aRoundWithoutAMetricShowsItAsNaNNotTheOlderValue() {
        TrainerMetrics m = new TrainerMetrics("fmnist", "c-1", () -> 2, () -> 0);
        m.published(update(0, Map.of("loss", 0.6, "auc", 0.7)));

        m.published(update(1, Map.of("loss", 0.5, "accuracy", 0.8)));

        assertThat(m.scrape()).contains("floe_trainer_local_auc{model_id=\"fmnist\",client_id=\"c-1\"} NaN\n");
    }

    static ModelUpdate update(long baseVersion, Map<String, Double> metrics) {
        return ModelUpdate.newBuilder().setUpdateId("u-" + baseVersion).setModelId("wdbc").setClientId("site-1")
                .setBaseVersion(baseVersion).setNumExamples(10).setCreatedAt(Instant.EPOCH).setTensors(List.of())
                .setMetrics(metrics).build();
    }
}
