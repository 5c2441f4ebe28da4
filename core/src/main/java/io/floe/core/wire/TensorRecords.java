package io.floe.core.wire;

import io.floe.core.codec.Compression;
import io.floe.core.codec.DenseF32Codec;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import io.floe.schema.DType;
import io.floe.schema.TensorEncoding;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Converts between Avro {@link io.floe.schema.Tensor} records and core {@link Tensor}s; reads every
 * {@link io.floe.schema.TensorEncoding} ({@link Compression#decode}).
 */
public final class TensorRecords {
    private TensorRecords() {
    }

    public static io.floe.schema.Tensor toRecord(Tensor t) {
        List<Integer> shape = new ArrayList<>(t.shape().length);
        for (int d : t.shape()) {
            shape.add(d);
        }
        return io.floe.schema.Tensor.newBuilder()
                .setName(t.name())
                .setShape(shape)
                .setDtype(DType.FLOAT32)
                .setEncoding(TensorEncoding.DENSE_F32)
                .setData(ByteBuffer.wrap(DenseF32Codec.encode(t.values())))
                .build();
    }

    /**
     * The record of {@code t} in {@code compression}'s encoding ({@code random} draws int8's
     * stochastic rounding); what a reader decodes from it is {@link #fromRecord}.
     */
    public static io.floe.schema.Tensor toRecord(Tensor t, Compression compression, RandomGenerator random) {
        if (compression.isNone()) {
            return toRecord(t);
        }
        List<Integer> shape = new ArrayList<>(t.shape().length);
        for (int d : t.shape()) {
            shape.add(d);
        }
        return io.floe.schema.Tensor.newBuilder().setName(t.name()).setShape(shape).setDtype(DType.FLOAT32)
                .setEncoding(compression.encoding())
                .setData(ByteBuffer.wrap(compression.encode(t.values(), random)))
                .build();
    }

    public static List<io.floe.schema.Tensor> toRecords(ModelWeights weights) {
        List<io.floe.schema.Tensor> out = new ArrayList<>(weights.tensorCount());
        for (Tensor t : weights.tensors()) {
            out.add(toRecord(t));
        }
        return out;
    }

    /** @throws MalformedRecordException when the shape is invalid or the data length does not match it */
    public static Tensor fromRecord(io.floe.schema.Tensor r) {
        int[] shape = new int[r.getShape().size()];
        for (int i = 0; i < shape.length; i++) {
            Integer d = r.getShape().get(i);
            if (d == null || d < 0) {
                throw new MalformedRecordException("tensor '" + r.getName() + "' has invalid dimension " + d);
            }
            shape[i] = d;
        }
        if (r.getEncoding() == null || r.getDtype() != DType.FLOAT32) {
            throw new MalformedRecordException("tensor '" + r.getName() + "' has unsupported encoding "
                    + r.getEncoding() + "/" + r.getDtype());
        }
        long count;
        try {
            count = Tensor.elementCount(shape);
        } catch (IllegalArgumentException e) {
            throw new MalformedRecordException(e.getMessage(), e);
        }
        try {
            return new Tensor(r.getName(), shape, Compression.decode(r.getEncoding(), r.getData(), count));
        } catch (IllegalArgumentException e) {
            throw new MalformedRecordException("tensor '" + r.getName() + "': " + e.getMessage(), e);
        }
    }

    /** @throws MalformedRecordException when a tensor is malformed or two share a name */
    public static ModelWeights fromRecords(List<io.floe.schema.Tensor> records) {
        List<Tensor> out = new ArrayList<>(records.size());
        for (io.floe.schema.Tensor r : records) {
            out.add(fromRecord(r));
        }
        try {
            return new ModelWeights(out);
        } catch (IllegalArgumentException e) {
            throw new MalformedRecordException(e.getMessage(), e);
        }
    }
}
