package io.floe.bench;

import io.floe.core.chunk.ChunkData;
import io.floe.core.chunk.ChunkLayout;
import io.floe.core.chunk.ChunkedUpdates;
import io.floe.core.trust.Ed25519Keys;
import io.floe.core.trust.RecordSignatures;
import io.floe.schema.ModelUpdate;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What client authentication costs per update (issue 14): verifying the Ed25519 signature of a
 * chunked update's header, whose manifest lists one SHA-256 per chunk (what the job does once per
 * update), and signing it (the trainer), for a model of {@code parameters} float32 values in chunks
 * of 1 MiB less 4 KiB. Beside them, one chunk's SHA-256 (what routing does for each of the
 * update's chunks anyway), to set the signature against the per-update work it adds to.
 *
 * <pre>{@code
 * mvn -q -pl benchmarks -am package -DskipTests
 * CP="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
 * java -cp "$CP" org.openjdk.jmh.Main SignatureBenchmark -jvmArgs "-cp $CP" -rf json -rff floe-out/signature-jmh.json
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SignatureBenchmark {
    @Param({"10000000", "100000000"})
    public long parameters;

    private KeyPair client;
    private ModelUpdate signed;
    private ModelUpdate unsigned;
    private ByteBuffer chunk;

    @Setup
    public void setup() {
        client = Ed25519Keys.generate();
        ChunkLayout layout = ChunkLayout.of(parameters, ChunkLayout.DEFAULT_CHUNK_BYTES);
        SplittableRandom rnd = new SplittableRandom(42);
        List<ByteBuffer> hashes = new ArrayList<>(layout.count());
        for (int i = 0; i < layout.count(); i++) {
            byte[] h = new byte[32];
            rnd.nextBytes(h);
            hashes.add(ByteBuffer.wrap(h));
        }
        unsigned = ModelUpdate.newBuilder().setUpdateId("u-1").setModelId("m").setClientId("site-7").setBaseVersion(3)
                .setNumExamples(120).setLocalSteps(5).setCreatedAt(Instant.ofEpochMilli(1_700_000_000_000L)).setTensors(List.of())
                .setMetrics(Map.of("loss", 0.3)).setChunks(ChunkedUpdates.manifest(layout, hashes)).build();
        signed = RecordSignatures.sign(ModelUpdate.newBuilder(unsigned).build(), client.getPrivate());
        float[] values = new float[ChunkLayout.DEFAULT_CHUNK_BYTES / 4];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) rnd.nextGaussian();
        }
        chunk = ByteBuffer.wrap(ChunkData.encode(values, 0, values.length));
        if (RecordSignatures.verify(signed, client.getPublic()) != RecordSignatures.Verdict.VALID) {
            throw new IllegalStateException("the signed header does not verify");
        }
    }

    /** The job: one verification per update. */
    @Benchmark
    public RecordSignatures.Verdict verifyHeader() {
        return RecordSignatures.verify(signed, client.getPublic());
    }

    /** The trainer: one signature per update. */
    @Benchmark
    public ModelUpdate signHeader() {
        return RecordSignatures.sign(unsigned, client.getPrivate());
    }

    /** Routing's SHA-256 of one chunk, done for every chunk with or without authentication. */
    @Benchmark
    public byte[] hashOneChunk() {
        return ChunkData.sha256(chunk.duplicate());
    }
}
