package io.floe.bench;

import io.floe.core.chunk.ChunkValues;
import io.floe.core.codec.TopKCodec;
import io.floe.schema.TensorEncoding;

import io.floe.core.chunk.ChunkData;
import io.floe.core.chunk.ExactSum;
import java.nio.ByteBuffer;
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
 * The chunk folder's per-chunk work (issue 12), one chunk of 261,120 values (the default 1 MiB less
 * 4 KiB): folding it into the exact sum from its little-endian bytes (what {@code ChunkFolder}
 * does), checking its values and hashing it (what routing does), beside the plain float weighted
 * sum of the same values (the memory-bound reference). Throughput: values per second = 261,120 /
 * time per operation.
 *
 * <pre>{@code
 * mvn -q -pl benchmarks -am package -DskipTests
 * CP="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
 * java -cp "$CP" org.openjdk.jmh.Main ExactSumBenchmark -jvmArgs "-cp $CP" -rf json -rff floe-out/exactsum-jmh.json
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ExactSumBenchmark {
    @Param({"261120"})
    public int values;

    private float[] chunk;
    private ByteBuffer bytes;
    private ExactSum sum;
    private float[] plain;
    /** A round's sum after 32 updates (weights 100..131): what a checkpoint writes. */
    private ExactSum folded;
    /** The chunk as a top-1% TOPK_F32 chunk (issue 15): its 2,612 values of largest magnitude. */
    private ByteBuffer topOnePercent;

    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(42);
        chunk = new float[values];
        for (int i = 0; i < values; i++) {
            chunk[i] = (float) (rnd.nextGaussian() * 0.01);
        }
        bytes = ByteBuffer.wrap(ChunkData.encode(chunk, 0, values));
        sum = new ExactSum(values);
        plain = new float[values];
        int[] kept = TopKCodec.topIndices(chunk, TopKCodec.kept(values, 0.01));
        topOnePercent = ByteBuffer.wrap(TopKCodec.encode(chunk, kept));
        folded = new ExactSum(values);
        for (int k = 0; k < 32; k++) {
            folded.add(100 + k, chunk);
        }
    }

    /** ChunkFolder on a top-1% chunk: decoded (k indices and values) and folded in O(k). */
    @Benchmark
    public ExactSum foldTopOnePercent() {
        ChunkValues.read(TensorEncoding.TOPK_F32, topOnePercent, values).foldInto(sum, 37, 1.0);
        return sum;
    }

    /** ExactSumSerializer: an open round's sum into keyed-state bytes (every checkpoint, per chunk). */
    @Benchmark
    public byte[] sumToBytes() {
        return folded.toBytes();
    }

    /** ChunkFolder: n_k x folded exactly, read from the record's bytes. */
    @Benchmark
    public ExactSum foldExact() {
        sum.add(37, bytes);
        return sum;
    }

    /** Baseline: out += w * x in float from a float[] (no decoding, not order-independent). */
    @Benchmark
    public float[] plainWeightedSum() {
        float w = 37f;
        for (int i = 0; i < values; i++) {
            plain[i] += w * chunk[i];
        }
        return plain;
    }

    /** Routing: every value finite and below 2^32, read from the bytes. */
    @Benchmark
    public String checkValues() {
        return ChunkData.problem(bytes);
    }

    /** Routing: the chunk's SHA-256 (compared with its header's). */
    @Benchmark
    public byte[] sha256() {
        return ChunkData.sha256(bytes);
    }
}
