package io.floe.flink.aggregate;

import io.floe.core.trust.JobTrust;
import io.floe.core.wire.TopicNames;
import io.floe.core.wire.WireCodec;
import io.floe.flink.io.InboundRecord;
import io.floe.flink.io.OutboundRecord;
import io.floe.schema.AggregationReport;
import io.floe.schema.ClientHeartbeat;
import io.floe.schema.ClientRelease;
import io.floe.schema.DeadLetter;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.ModelUpdate;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * A scripted, deterministic run of a {@link ModelAggregator} under the keyed operator harness:
 * every input gets the next offset and the record timestamp {@code T0 + offset * STEP_MS} (the
 * operator stamps models and reports with it), processing time moves only when the script says
 * so, and everything the operator publishes is kept in emission order for {@link #digest()}.
 *
 * <p>{@link #restart()} snapshots the operator, closes it and opens a fresh one restored from the
 * snapshot, so the rest of the script runs on restored state.
 */
final class ScriptedRun implements AutoCloseable {
    static final TopicNames TOPICS = TinyLinearModel.TOPICS;
    static final long T0 = TinyLinearModel.T0;
    /** Milliseconds of record time between two inputs. */
    static final long STEP_MS = 100L;

    private final byte[] dpNoiseSecret;
    private final JobTrust trust;
    private final List<OutboundRecord> published = new ArrayList<>();
    private KeyedOneInputStreamOperatorTestHarness<String, ModelEvent, OutboundRecord> harness;
    private long offset;
    private long processingTime;
    private long checkpointId;

    ScriptedRun(byte[] dpNoiseSecret) throws Exception {
        this(dpNoiseSecret, JobTrust.none());
    }

    /** A run of an operator that trusts and signs as {@code trust} says. */
    ScriptedRun(byte[] dpNoiseSecret, JobTrust trust) throws Exception {
        this.dpNoiseSecret = dpNoiseSecret.clone();
        this.trust = trust;
        this.harness = AggregatorHarness.open(operator(), null);
    }

    private ModelAggregator operator() {
        return new ModelAggregator(TOPICS, dpNoiseSecret, io.floe.flink.resume.PublishedModels.none(), trust);
    }

    /** Any record for {@code modelId}, as the decoder routes it ({@code kind} on {@code topic}). */
    void record(String modelId, ModelEvent.Kind kind, String topic, byte[] value) throws Exception {
        send(modelId, kind, topic, value);
    }

    /** The record time the next input gets. */
    long nextTime() {
        return nextTimestamp();
    }

    void spec(ModelSpec spec) throws Exception {
        send(spec.getModelId(), ModelEvent.Kind.SPEC, TOPICS.control(), WireCodec.MODEL_SPEC.encode(spec));
    }

    void update(ModelUpdate update) throws Exception {
        send(update.getModelId(), ModelEvent.Kind.UPDATE, TOPICS.updates(), WireCodec.MODEL_UPDATE.encode(update));
    }

    void update(ModelUpdate.Builder update) throws Exception {
        update(update.build());
    }

    void heartbeat(String modelId, String clientId) throws Exception {
        send(modelId, ModelEvent.Kind.HEARTBEAT, TOPICS.clients(), WireCodec.CLIENT_HEARTBEAT.encode(ClientHeartbeat.newBuilder()
                .setClientId(clientId).setModelId(modelId).setSentAt(Instant.ofEpochMilli(nextTimestamp())).setNumExamples(10).build()));
    }

    void release(String modelId, String clientId) throws Exception {
        send(modelId, ModelEvent.Kind.RELEASE, TOPICS.control(), WireCodec.CLIENT_RELEASE.encode(ClientRelease.newBuilder()
                .setModelId(modelId).setClientId(clientId).setOperator("golden-test").setReason("scripted release")
                .setCreatedAt(Instant.ofEpochMilli(nextTimestamp())).build()));
    }

    /** Moves the harness's processing time (firing the deadline timers due by then). */
    void processingTime(long time) throws Exception {
        processingTime = time;
        harness.setProcessingTime(time);
        collect();
    }

    /** Snapshot, close, and go on with a new operator restored from the snapshot. */
    void restart() throws Exception {
        collect();
        checkpointId++;
        OperatorSubtaskState snapshot = harness.snapshot(checkpointId, T0 + offset * STEP_MS);
        harness.close();
        harness = AggregatorHarness.open(operator(), snapshot);
        harness.setProcessingTime(processingTime);
        collect();
    }

    /** The newest version of {@code modelId} published so far. */
    GlobalModel latestModel(String modelId) {
        GlobalModel latest = null;
        for (OutboundRecord r : published) {
            if (r.topic.equals(TOPICS.models())) {
                GlobalModel m = WireCodec.GLOBAL_MODEL.decode(r.value);
                if (m.getModelId().equals(modelId)) {
                    latest = m;
                }
            }
        }
        return latest;
    }

    List<GlobalModel> models() {
        return PublishedRecords.of(published, TOPICS).models();
    }

    List<AggregationReport> reports() {
        return PublishedRecords.of(published, TOPICS).reports();
    }

    List<String> deadLetterReasons() {
        return PublishedRecords.of(published, TOPICS).deadLetters().stream().map(DeadLetter::getReason).toList();
    }

    /**
     * SHA-256 over every published record in emission order: its topic, then for models and
     * reports its key and value bytes, for dead letters only its reason and updateId. A dead
     * letter's other fields describe the input rather than the operator's decision, and its
     * rejectedAt falls back to the wall clock for an input without a timestamp; they are left out.
     * Models and reports hold no wall-clock time here: their createdAt is the input's record
     * timestamp or the deadline timer's processing time, both scripted.
     */
    String digest() throws NoSuchAlgorithmException {
        collect();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (OutboundRecord r : published) {
            field(sha, r.topic.getBytes(StandardCharsets.UTF_8));
            if (r.topic.equals(TOPICS.deadLetter())) {
                DeadLetter letter = WireCodec.DEAD_LETTER.decode(r.value);
                field(sha, letter.getReason().getBytes(StandardCharsets.UTF_8));
                field(sha, letter.getUpdateId() == null ? null : letter.getUpdateId().getBytes(StandardCharsets.UTF_8));
            } else {
                field(sha, r.key);
                field(sha, r.value);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }

    /** Length-prefixed, so that field boundaries are part of the digest; -1 for null. */
    private static void field(MessageDigest sha, byte[] bytes) {
        int n = bytes == null ? -1 : bytes.length;
        sha.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        if (bytes != null) {
            sha.update(bytes);
        }
    }

    private long nextTimestamp() {
        return T0 + (offset + 1) * STEP_MS;
    }

    private void send(String modelId, ModelEvent.Kind kind, String topic, byte[] value) throws Exception {
        offset++;
        long timestamp = T0 + offset * STEP_MS;
        InboundRecord record = new InboundRecord(topic, 0, offset, timestamp, modelId.getBytes(StandardCharsets.UTF_8), value);
        harness.processElement(new ModelEvent(modelId, kind, record), timestamp);
        collect();
    }

    private void collect() {
        published.addAll(PublishedRecords.drain(harness, TOPICS).all());
    }
}
