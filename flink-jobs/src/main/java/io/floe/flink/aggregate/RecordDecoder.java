package io.floe.flink.aggregate;

import io.floe.core.validate.Rejection;
import io.floe.core.validate.RejectionReason;
import io.floe.core.wire.MalformedRecordException;
import io.floe.core.wire.TopicNames;
import io.floe.core.wire.WireCodec;
import io.floe.flink.io.InboundRecord;
import io.floe.flink.io.OutboundRecord;
import io.floe.schema.ClientHeartbeat;
import io.floe.schema.ClientRelease;
import io.floe.schema.ModelSpec;
import io.floe.schema.ModelUpdate;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * First stage: decodes each inbound record far enough to know its model, by the topic it came
 * from (and, on the control topic, by the record type its single-object header names). Anything undecodable goes to the {@link #DEAD_LETTERS} side output with reason
 * UNDECODABLE; nothing here can throw on input.
 */
public class RecordDecoder extends ProcessFunction<InboundRecord, ModelEvent> {
    public static final OutputTag<OutboundRecord> DEAD_LETTERS = new OutputTag<>("dead-letters") {
    };

    private final TopicNames topics;
    private final DeadLetters deadLetters;

    public RecordDecoder(TopicNames topics) {
        this.topics = topics;
        this.deadLetters = new DeadLetters(topics);
    }

    @Override
    public void processElement(InboundRecord in, Context ctx, Collector<ModelEvent> out) {
        try {
            if (topics.control().equals(in.topic) && WireCodec.CLIENT_RELEASE.hasHeaderOf(in.value)) {
                ClientRelease release = WireCodec.CLIENT_RELEASE.decode(in.value);
                out.collect(new ModelEvent(release.getModelId(), ModelEvent.Kind.RELEASE, in));
            } else if (topics.control().equals(in.topic)) {
                ModelSpec spec = WireCodec.MODEL_SPEC.decode(in.value);
                out.collect(new ModelEvent(spec.getModelId(), ModelEvent.Kind.SPEC, in));
            } else if (topics.updates().equals(in.topic)) {
                ModelUpdate update = WireCodec.MODEL_UPDATE.decode(in.value);
                out.collect(new ModelEvent(update.getModelId(), ModelEvent.Kind.UPDATE, in));
            } else if (topics.clients().equals(in.topic)) {
                ClientHeartbeat heartbeat = WireCodec.CLIENT_HEARTBEAT.decode(in.value);
                out.collect(new ModelEvent(heartbeat.getModelId(), ModelEvent.Kind.HEARTBEAT, in));
            } else {
                ctx.output(DEAD_LETTERS, deadLetters.of(in,
                        Rejection.of(RejectionReason.UNDECODABLE, "record from unexpected topic " + in.topic), null, null, null));
            }
        } catch (MalformedRecordException e) {
            ctx.output(DEAD_LETTERS, deadLetters.of(in, Rejection.of(RejectionReason.UNDECODABLE, e.getMessage()), null, null, null));
        }
    }
}
