package io.floe.trainer.daemon;

import io.floe.core.chunk.ChunkData;
import io.floe.core.trust.RecordSignatures;
import io.floe.core.wire.RecordSize;
import io.floe.core.wire.UpdatePartitions;
import io.floe.core.wire.WireCodec;
import io.floe.schema.ModelUpdate;
import io.floe.schema.UpdateChunk;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes a trainer's updates to the updates topic, keyed by model id, with an idempotent
 * producer (acks=all): a retried send never lands twice, and the updateId lets the job spot a
 * resend after a trainer restart.
 *
 * <p>Rides out broker outages: a send that fails with a retriable error (the producer's delivery,
 * request or metadata timeout while the broker is down) is sent again with backoff until it is
 * acknowledged, {@link #stopRetrying() stopped} or interrupted ({@link PublishRetry}). A trainer on
 * an unattended gateway must not exit because the broker restarted. Resending is safe: the
 * updateId is the idempotency key and the job drops duplicates.
 *
 * <p>Chunked models ({@link #publishChunked}): the header goes first, keyed by model id, to
 * partition 0, and once it is acknowledged the chunks, each keyed {@code modelId#index}, round-robin
 * by index over the other partitions ({@link UpdatePartitions}: the job reads the small headers
 * ahead of the chunks, so it folds chunks as they come instead of holding them for their header); several chunks are in flight at a time, and a chunk whose send failed is sent
 * again through the same retry as a whole update. The job counts a chunk of an update that lands
 * twice once (its receipts are kept per updateId and index).
 *
 * <p>Signed updates: given the client's private key ({@code --client-key}), every update is signed
 * before it is sent, a chunked one on its header once the manifest is filled in (the manifest's
 * SHA-256 list covers the chunks, which are not signed one by one). A model whose spec requires
 * client authentication takes only such updates, from a client enrolled with the matching public key.
 */
public final class UpdatePublisher implements UpdateSink, AutoCloseable {
    private final String topic;
    private final Properties config;
    private final PublishRetry retry;
    private final Object producerLock = new Object();
    /** Chunk records in flight at most, so a large model does not wait on the producer's buffer. */
    static final long MAX_CHUNK_BYTES_IN_FLIGHT = 16L << 20;
    private final Supplier<Producer<byte[], byte[]>> producers;
    private final PrivateKey clientKey;
    private Producer<byte[], byte[]> producer;
    private boolean closed;

    /** A publisher with the default backoff (1 s doubling to 30 s), jitter seeded by the producer's client id. */
    public UpdatePublisher(String bootstrapServers, String updatesTopic, Properties extra) {
        this(bootstrapServers, updatesTopic, extra, null);
    }

    /** @param retry the backoff between attempts; null for {@link PublishRetry#forClient} of the producer's client id */
    public UpdatePublisher(String bootstrapServers, String updatesTopic, Properties extra, PublishRetry retry) {
        this(bootstrapServers, updatesTopic, extra, retry, null);
    }

    /**
     * A publisher that signs every update with the client's key.
     *
     * @param retry the backoff between attempts; null for {@link PublishRetry#forClient} of the producer's client id
     * @param clientKey the client's Ed25519 private key ({@code --client-key}); null: updates go out unsigned
     */
    public UpdatePublisher(String bootstrapServers, String updatesTopic, Properties extra, PublishRetry retry,
            PrivateKey clientKey) {
        this.topic = updatesTopic;
        this.clientKey = clientKey;
        Properties p = new Properties();
        p.putAll(extra);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(RecordSize.MAX_BYTES));
        p.putIfAbsent(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(RecordSize.PRODUCER_BUFFER_BYTES));
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "floe-trainer-updates-" + UUID.randomUUID());
        this.config = p;
        this.retry = retry != null ? retry : PublishRetry.forClient(p.getProperty(ProducerConfig.CLIENT_ID_CONFIG));
        this.producers = () -> new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        this.producer = producers.get();
    }

    /** A publisher on producers from {@code producers} (tests: Kafka's MockProducer); recreated ones come from it too. */
    UpdatePublisher(String updatesTopic, Supplier<Producer<byte[], byte[]>> producers, PublishRetry retry) {
        this(updatesTopic, producers, retry, null);
    }

    /** As above, signing with {@code clientKey} (null: unsigned). */
    UpdatePublisher(String updatesTopic, Supplier<Producer<byte[], byte[]>> producers, PublishRetry retry, PrivateKey clientKey) {
        this.topic = updatesTopic;
        this.clientKey = clientKey;
        this.config = new Properties();
        this.retry = retry;
        this.producers = producers;
        this.producer = producers.get();
    }

    /**
     * Sends and waits for the broker's acknowledgement, retrying while the broker is unreachable.
     * With a client key, signs {@code update} first, in place (its {@code signature} is set; the
     * tensors are not copied): what the caller holds afterwards is what was sent.
     *
     * @throws InterruptedException when interrupted before the acknowledgement
     * @throws PublishRetry.StoppedException when {@link #stopRetrying()} or {@link #close()} came first
     * @throws IllegalStateException when the broker refused the update for good (too large, not authorised)
     */
    public RecordMetadata publish(ModelUpdate update) throws InterruptedException {
        return publish(update, null);
    }

    /** As above, on {@code partition} (null: Kafka's key hashing). */
    private RecordMetadata publish(ModelUpdate update, Integer partition) throws InterruptedException {
        if (clientKey != null) {
            RecordSignatures.sign(update, clientKey);
        }
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, partition,
                update.getModelId().getBytes(StandardCharsets.UTF_8), WireCodec.MODEL_UPDATE.encode(update));
        return retry.call("update " + update.getUpdateId(), () -> sendOnce(record), this::recreateProducer);
    }

    @Override
    public void send(ModelUpdate update) throws InterruptedException {
        publish(update);
    }

    /**
     * Sends a chunked update: the header (signed when there is a client key, and retried until
     * acknowledged), then every chunk keyed
     * {@code modelId#index}, and returns once all of them are acknowledged. Up to
     * {@link #MAX_CHUNK_BYTES_IN_FLIGHT} of chunks are sent without waiting; a chunk whose send fails
     * is sent again, alone, with the retry's backoff until acknowledged, stopped or interrupted.
     *
     * @throws InterruptedException when interrupted before every record was acknowledged
     * @throws PublishRetry.StoppedException when {@link #stopRetrying()} or {@link #close()} came first
     * @throws IllegalStateException when the broker refused a record for good
     */
    public void publishChunked(ChunkedUpdate update) throws InterruptedException {
        ModelUpdate header = update.header();
        int partitions = partitionCount();
        publish(header, UpdatePartitions.header(partitions));
        String what = "update " + header.getUpdateId();
        Deque<Pending> inFlight = new ArrayDeque<>();
        long bytesInFlight = 0;
        for (UpdateChunk chunk : update.chunks()) {
            byte[] value = WireCodec.UPDATE_CHUNK.encode(chunk);
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, UpdatePartitions.chunk(chunk.getIndex(), partitions),
                    ChunkData.key(chunk.getModelId(), chunk.getIndex()).getBytes(StandardCharsets.UTF_8), value);
            while (!inFlight.isEmpty() && bytesInFlight + value.length > MAX_CHUNK_BYTES_IN_FLIGHT) {
                bytesInFlight -= settle(inFlight.poll());
            }
            inFlight.add(new Pending(record, chunk.getIndex(), what, sendAsync(record)));
            bytesInFlight += value.length;
        }
        while (!inFlight.isEmpty()) {
            settle(inFlight.poll());
        }
    }

    /** The updates topic's partitions as the producer knows them; 0 (Kafka's own partitioning) when it cannot tell. */
    private int partitionCount() {
        try {
            return producer.partitionsFor(topic).size();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    @Override
    public void sendChunked(ChunkedUpdate update) throws InterruptedException {
        publishChunked(update);
    }

    /** A chunk record sent without waiting. */
    private record Pending(ProducerRecord<byte[], byte[]> record, int index, String update, Future<RecordMetadata> sent) {
    }

    /** Waits for a chunk's acknowledgement; when its send failed, sends it again through the retry. Returns its bytes. */
    private long settle(Pending p) throws InterruptedException {
        try {
            p.sent().get();
        } catch (ExecutionException e) {
            Throwable failure = e.getCause() == null ? e : e.getCause();
            String what = "chunk " + p.index() + " of " + p.update();
            if (retry.isStopped()) {
                // closing the producer under a waiting send fails it; that is the stop, not a broker fault
                throw new PublishRetry.StoppedException(what, 1);
            }
            if (PublishRetry.classify(failure) == PublishRetry.Failure.FATAL) {
                throw new IllegalStateException("cannot publish " + what + " (retrying cannot fix this): " + failure, failure);
            }
            // the first attempt failed: counted, then retried (or, once stopped, ended) as any record is
            retry.countRetry();
            retry.call(what, () -> sendOnce(p.record()), this::recreateProducer);
        }
        return p.record().value().length;
    }

    /** Hands the record to the current producer; a send that throws at once (a full buffer, no metadata) is a failed future. */
    private Future<RecordMetadata> sendAsync(ProducerRecord<byte[], byte[]> record) {
        Producer<byte[], byte[]> current;
        synchronized (producerLock) {
            current = producer;
        }
        try {
            return current.send(record);
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            throw e;
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Ends a publish that waits for the broker, for good: it and any later publish throw
     * {@link PublishRetry.StoppedException} once an attempt fails.
     */
    @Override
    public void stopRetrying() {
        retry.stop();
    }

    /** Sends retried after a failed attempt, over this publisher's life ({@link PublishRetry#retries()}). */
    public long publishRetries() {
        return retry.retries();
    }

    private RecordMetadata sendOnce(ProducerRecord<byte[], byte[]> record) throws Exception {
        Producer<byte[], byte[]> current;
        synchronized (producerLock) {
            current = producer;
        }
        try {
            return current.send(record).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /**
     * Replaces a producer whose idempotence state broke; the new one gets a new producer id. The new
     * one is built first: when that throws, the old one stays in place and the retry tries again.
     */
    private void recreateProducer() {
        synchronized (producerLock) {
            if (closed) {
                return;
            }
            Producer<byte[], byte[]> replacement = producers.get();
            producer.close(Duration.ZERO);
            producer = replacement;
        }
    }

    @Override
    public void close() {
        retry.stop();
        synchronized (producerLock) {
            closed = true;
            producer.close(Duration.ofSeconds(5));
        }
    }
}
