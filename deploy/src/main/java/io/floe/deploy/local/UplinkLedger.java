package io.floe.deploy.local;

import io.floe.core.wire.WireCodec;
import io.floe.schema.AcceptedUpdate;
import io.floe.schema.ModelUpdate;
import io.floe.schema.UpdateChunk;
import io.floe.trainer.daemon.ChunkedUpdate;
import io.floe.trainer.daemon.NetworkTraining;
import io.floe.trainer.daemon.UpdateSink;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the run's trainers sent up, by updateId: the wire size of each update and the DP-SGD epsilon
 * it reported. {@link FederatedRun} wraps every trainer's sink with {@link #wrap}, and looks up the
 * updates a report accepted, so a version's uplink bytes are measured, not estimated from the model's
 * shape: they follow the tensor codec, the control variates SCAFFOLD sends and the metrics map.
 *
 * <p>The size is the Kafka record's value, the update's Avro single-object encoding
 * ({@link WireCodec#MODEL_UPDATE}); the key (the model id) and Kafka's batch framing and compression
 * are left out; a chunked update counts its header and all its chunk records. An update is recorded
 * before it is handed to the broker, so the job cannot report it before the ledger knows it. Thread-safe: all trainer threads share one ledger.
 */
public final class UplinkLedger {
    /** One sent update: its encoded size and the epsilon it reported (NaN without DP-SGD). */
    private record Sent(long bytes, double dpEpsilon) {
    }

    private final Map<String, Sent> sent = new ConcurrentHashMap<>();

    /** Records {@code update} as sent: its encoded size and its {@code dp_epsilon} metric. */
    public void record(ModelUpdate update) {
        double eps = update.getMetrics() == null ? Double.NaN
                : update.getMetrics().getOrDefault(NetworkTraining.METRIC_DP_EPSILON, Double.NaN);
        sent.put(update.getUpdateId(), new Sent(WireCodec.MODEL_UPDATE.encode(update).length, eps));
    }

    /**
     * Records a chunked update as sent: its header's encoded size plus every chunk record's
     * ({@link WireCodec#UPDATE_CHUNK}), keys left out as for whole updates.
     */
    public void record(ChunkedUpdate update) {
        ModelUpdate header = update.header();
        long bytes = WireCodec.MODEL_UPDATE.encode(header).length;
        for (UpdateChunk c : update.chunks()) {
            bytes += WireCodec.UPDATE_CHUNK.encode(c).length;
        }
        double eps = header.getMetrics() == null ? Double.NaN
                : header.getMetrics().getOrDefault(NetworkTraining.METRIC_DP_EPSILON, Double.NaN);
        sent.put(header.getUpdateId(), new Sent(bytes, eps));
    }

    /** A sink that records each update (whole or chunked) here, then hands it to {@code delegate}. */
    public UpdateSink wrap(UpdateSink delegate) {
        return new UpdateSink() {
            @Override
            public void send(ModelUpdate update) throws InterruptedException {
                record(update);
                delegate.send(update);
            }

            @Override
            public void sendChunked(ChunkedUpdate update) throws InterruptedException {
                record(update);
                delegate.sendChunked(update);
            }

            @Override
            public void stopRetrying() {
                delegate.stopRetrying();
            }
        };
    }

    /** Bytes of the accepted updates this ledger saw (an update it never saw counts 0). */
    public long bytesOf(List<AcceptedUpdate> accepted) {
        long total = 0;
        for (AcceptedUpdate a : accepted) {
            Sent s = sent.get(a.getUpdateId());
            total += s == null ? 0 : s.bytes();
        }
        return total;
    }

    /**
     * The largest DP-SGD epsilon among the accepted updates, NaN when none reported one: each site
     * has its own guarantee, and the weakest one is the run's.
     */
    public double maxEpsilonOf(List<AcceptedUpdate> accepted) {
        double max = Double.NaN;
        for (AcceptedUpdate a : accepted) {
            Sent s = sent.get(a.getUpdateId());
            if (s != null && Double.isFinite(s.dpEpsilon()) && (Double.isNaN(max) || s.dpEpsilon() > max)) {
                max = s.dpEpsilon();
            }
        }
        return max;
    }

    /** Updates recorded so far, accepted or not. */
    public int size() {
        return sent.size();
    }
}
