package io.floe.core.wire;

/**
 * The largest record floe writes to or accepts from its topics, shared by the topics' config
 * ({@code max.message.bytes}), the job's sink and the trainers' producers ({@code max.request.size}).
 * Kafka's defaults (1 MB) stop at about a quarter of a million float32 parameters, and SCAFFOLD's
 * global model carries the weights twice (x and c): an {@code mlp(784,200,200,10)} with SCAFFOLD
 * is 1.6 MB. 64 MiB holds models of about 8 million parameters with their control variate.
 */
public final class RecordSize {
    /** 64 MiB. */
    public static final int MAX_BYTES = 64 * 1024 * 1024;
    /** Producer buffer that holds at least one record of {@link #MAX_BYTES}: 2 x MAX_BYTES. */
    public static final long PRODUCER_BUFFER_BYTES = 2L * MAX_BYTES;

    private RecordSize() {
    }
}
