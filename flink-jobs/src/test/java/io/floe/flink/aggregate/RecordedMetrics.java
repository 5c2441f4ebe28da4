package io.floe.flink.aggregate;

import io.floe.core.validate.RejectionReason;
import io.floe.flink.io.OutboundRecord;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.executiongraph.ExecutionAttemptID;
import org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskMetricGroup;
import org.apache.flink.runtime.metrics.util.TestingMetricRegistry;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * The metrics an operator under a keyed harness registers, as a reporter would see them: a real
 * task metric group on a registry that records each metric with its group's variables (the
 * labels a Prometheus reporter would export). The harness's default environment registers
 * metrics nowhere, so harnesses opened here get an environment with this group.
 */
final class RecordedMetrics implements AutoCloseable {
    private record Registered(Map<String, String> variables, String name, Metric metric) {
    }

    private final List<Registered> registered = new CopyOnWriteArrayList<>();
    private final TaskManagerMetricGroup taskManager;
    private final TaskMetricGroup task;
    private final MockEnvironment environment;

    RecordedMetrics() {
        TestingMetricRegistry registry = TestingMetricRegistry.builder()
                .setRegisterConsumer((metric, name, group) -> registered.add(new Registered(group.getAllVariables(), name, metric)))
                .build();
        taskManager = TaskManagerMetricGroup.createTaskManagerMetricGroup(registry, "localhost", ResourceID.generate());
        task = taskManager.addJob(new JobID(), "floe aggregation").addTask(ExecutionAttemptID.randomId(), "aggregate");
        environment = new MockEnvironmentBuilder().setMetricGroup(task).build();
    }

    /** A harness around {@code aggregator} that registers its metrics here, restored from {@code from} unless null. */
    KeyedOneInputStreamOperatorTestHarness<String, ModelEvent, OutboundRecord> open(ModelAggregator aggregator,
            org.apache.flink.runtime.checkpoint.OperatorSubtaskState from) throws Exception {
        var harness = new KeyedOneInputStreamOperatorTestHarness<String, ModelEvent, OutboundRecord>(
                new KeyedProcessOperator<>(aggregator), e -> e.modelId, Types.STRING, environment);
        if (from != null) {
            harness.initializeState(from);
        }
        harness.open();
        return harness;
    }

    long counter(String modelId, String name) {
        return ((Counter) metric(Map.of("<model>", modelId), name)).getCount();
    }

    long rejected(String modelId, RejectionReason reason) {
        return ((Counter) metric(Map.of("<model>", modelId, "<reason>", reason.name()), ModelMetrics.UPDATES_REJECTED)).getCount();
    }

    Object gauge(String modelId, String name) {
        return ((Gauge<?>) metric(Map.of("<model>", modelId), name)).getValue();
    }

    Histogram histogram(String modelId, String name) {
        return (Histogram) metric(Map.of("<model>", modelId), name);
    }

    /** Whether any metric was registered for {@code modelId}. */
    boolean hasModel(String modelId) {
        return registered.stream().anyMatch(r -> modelId.equals(r.variables().get("<model>")));
    }

    private Metric metric(Map<String, String> labels, String name) {
        List<Metric> found = registered.stream()
                .filter(r -> r.name().equals(name) && r.variables().entrySet().containsAll(labels.entrySet())
                        && (labels.containsKey("<reason>") || !r.variables().containsKey("<reason>")))
                .map(Registered::metric)
                .toList();
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " metrics named " + name + " with " + labels + "; registered: "
                    + registered.stream().map(r -> r.variables().get("<model>") + "/" + r.name()).distinct().toList());
        }
        return found.get(0);
    }

    @Override
    public void close() throws Exception {
        environment.close();
        taskManager.close();
    }
}
