package io.floe.flink.shard;

import io.floe.core.chunk.ExactSum;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Keeps an {@link ExactSum} in keyed state in its compact form ({@link ExactSum#toBytes}: 8 bytes
 * per coordinate in nearly every case), so a chunk's open round costs twice its slice in a checkpoint,
 * while the heap state backend keeps the object itself between folds (no decoding per chunk).
 */
public final class ExactSumSerializer extends TypeSerializerSingleton<ExactSum> {
    public static final ExactSumSerializer INSTANCE = new ExactSumSerializer();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public ExactSum createInstance() {
        return new ExactSum(0);
    }

    @Override
    public ExactSum copy(ExactSum from) {
        return from.copy();
    }

    @Override
    public ExactSum copy(ExactSum from, ExactSum reuse) {
        return from.copy();
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(ExactSum record, DataOutputView target) throws IOException {
        byte[] bytes = record.toBytes();
        target.writeInt(bytes.length);
        target.write(bytes);
    }

    @Override
    public ExactSum deserialize(DataInputView source) throws IOException {
        byte[] bytes = new byte[source.readInt()];
        source.readFully(bytes);
        return ExactSum.fromBytes(bytes);
    }

    @Override
    public ExactSum deserialize(ExactSum reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        int n = source.readInt();
        target.writeInt(n);
        target.write(source, n);
    }

    @Override
    public TypeSerializerSnapshot<ExactSum> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Serializer snapshot for savepoints. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<ExactSum> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
