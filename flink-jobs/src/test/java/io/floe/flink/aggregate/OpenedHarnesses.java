package io.floe.flink.aggregate;

import io.floe.flink.io.OutboundRecord;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The aggregator harnesses a test opened, closed after each test; register with
 * {@code @RegisterExtension final OpenedHarnesses harnesses = new OpenedHarnesses();}.
 */
final class OpenedHarnesses implements AfterEachCallback {
    private final List<KeyedOneInputStreamOperatorTestHarness<String, ModelEvent, OutboundRecord>> opened = new ArrayList<>();

    /** A harness around a fresh {@code new ModelAggregator(TOPICS)}, restored from {@code from} unless null. */
    KeyedOneInputStreamOperatorTestHarness<String, ModelEvent, OutboundRecord> open(OperatorSubtaskState from) throws Exception {
        return open(new ModelAggregator(TinyLinearModel.TOPICS), from);
    }

    KeyedOneInputStreamOperatorTestHarness<String, ModelEvent, OutboundRecord> open(ModelAggregator aggregator,
            OperatorSubtaskState from) throws Exception {
        var harness = AggregatorHarness.open(aggregator, from);
        opened.add(harness);
        return harness;
    }

    /** Closes a harness now (a simulated failure before a restore). */
    void close(KeyedOneInputStreamOperatorTestHarness<String, ModelEvent, OutboundRecord> harness) throws Exception {
        harness.close();
        opened.remove(harness);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (var harness : opened) {
            harness.close();
        }
        opened.clear();
    }
}
