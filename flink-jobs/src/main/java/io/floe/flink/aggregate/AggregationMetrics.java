package io.floe.flink.aggregate;

import io.floe.core.validate.RejectionReason;
import io.floe.schema.AggregationReport;
import io.floe.schema.GlobalModel;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.MetricGroup;

/**
 * The aggregation operator's metrics, observed on the way out: {@link Outputs} hands every model
 * version, report and dead letter it emits to this class, and the operator adds the size of each
 * update it receives. Nothing in the modes knows about metrics, and a metric cannot disagree with
 * what went to Kafka.
 *
 * <p>Each model gets its own group, {@code floe.model=<modelId>} under the operator's group (see
 * {@link ModelMetrics} for its metrics); a reporter that turns key/value groups into labels, such
 * as Prometheus's, exports e.g. {@code flink_taskmanager_job_task_operator_floe_model_versionsPublished{model="wdbc"}}.
 * A model's group is registered on the subtask that owns its key once the model exists there (it
 * published a version, or the operator found it in state). Records naming a model that does not
 * exist are counted in one shared group, {@code floe.model=(unknown)}: a client inventing model ids
 * cannot make the job register a metric group per id. Dead letters without a model id (a spec with
 * none) are not counted: they have no model to label.
 *
 * <p>Metrics are not state: after a restore from a checkpoint or savepoint the counters restart
 * at 0 and the gauges read NaN (current version -1) until the model publishes again. Prometheus's
 * {@code rate()} and {@code increase()} treat the drop as a counter reset.
 */
final class AggregationMetrics {
    static final String GROUP = "floe";
    static final String MODEL_KEY = "model";
    /** The group of every record that names a model which does not exist (on this subtask). */
    static final String UNKNOWN_MODEL = "(unknown)";

    private final MetricGroup floe;
    private final Map<String, ModelMetrics> byModel = new HashMap<>();

    AggregationMetrics(MetricGroup operatorGroup) {
        this.floe = operatorGroup.addGroup(GROUP);
    }

    /** An update record of {@code bytes} bytes arrived for {@code modelId}, whatever becomes of it. */
    void updateReceived(String modelId, int bytes) {
        if (hasId(modelId)) {
            of(modelId).updateReceived(bytes);
        }
    }

    /** The operator found {@code modelId} in its state: its records are counted under its own group. */
    void modelExists(String modelId) {
        registered(modelId);
    }

    void published(GlobalModel version) {
        registered(version.getModelId()).published(version);
    }

    void reported(AggregationReport report) {
        of(report.getModelId()).reported(report);
    }

    /** A dead letter for {@code modelId}; {@code update} when the refused record is an update. */
    void deadLettered(String modelId, boolean update, RejectionReason reason) {
        if (hasId(modelId)) {
            of(modelId).deadLettered(update, reason);
        }
    }

    /** The model's own metrics if it exists, else the shared group of unknown models. */
    private ModelMetrics of(String modelId) {
        ModelMetrics m = byModel.get(modelId);
        return m != null ? m : registered(UNKNOWN_MODEL);
    }

    private ModelMetrics registered(String modelId) {
        return byModel.computeIfAbsent(modelId, id -> new ModelMetrics(floe.addGroup(MODEL_KEY, id)));
    }

    private static boolean hasId(String modelId) {
        return modelId != null && !modelId.isEmpty();
    }
}
