package io.floe.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import io.floe.schema.DType;
import io.floe.schema.TensorEncoding;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class TensorRecordsTest {

    private static io.floe.schema.Tensor record(String name, List<Integer> shape, byte... data) {
        return io.floe.schema.Tensor.newBuilder()
                .setName(name)
                .setShape(shape)
                .setData(ByteBuffer.wrap(data))
                .build();
    }

    @Test
    void toRecordWritesShapeDtypeEncodingAndLittleEndianData() {
        // Prepare
        Tensor t = new Tensor("dense0.W", new int[] {1, 2}, new float[] {1.0f, -2.0f});

        // Execute
        io.floe.schema.Tensor r = TensorRecords.toRecord(t);

        // Assert
        assertThat(r.getName()).isEqualTo("dense0.W");
        assertThat(r.getShape()).containsExactly(1, 2);
        assertThat(r.getDtype()).isEqualTo(DType.FLOAT32);
        assertThat(r.getEncoding()).isEqualTo(TensorEncoding.DENSE_F32);
        assertThat(r.getData()).isEqualTo(ByteBuffer.wrap(new byte[] {0, 0, (byte) 0x80, 0x3F, 0, 0, 0, (byte) 0xC0}));
    }

    @Test
    void fromRecordDecodesHandWrittenBytes() {
        // Prepare: 0.5f = 00 00 00 3F
        io.floe.schema.Tensor r = record("b", List.of(1), (byte) 0, (byte) 0, (byte) 0, (byte) 0x3F);

        // Execute
        Tensor t = TensorRecords.fromRecord(r);

        // Assert
        assertThat(t).isEqualTo(new Tensor("b", new int[] {1}, new float[] {0.5f}));
    }

    @Test
    void modelWeightsRoundTripKeepsOrderAndValues() {
        // Prepare
        ModelWeights weights = new ModelWeights(List.of(
                new Tensor("W", new int[] {2, 2}, new float[] {1f, -0.25f, 3.5f, Float.MAX_VALUE}),
                new Tensor("b", new int[] {2}, new float[] {0.1f, -7f}),
                new Tensor("scalar", new int[] {}, new float[] {42f})));

        // Execute
        ModelWeights decoded = TensorRecords.fromRecords(TensorRecords.toRecords(weights));

        // Assert
        assertThat(decoded).isEqualTo(weights);
        assertThat(decoded.tensors()).extracting(Tensor::name).containsExactly("W", "b", "scalar");
    }

    @Test
    void fromRecordCanBeCalledTwiceOnTheSameRecord() {
        // Prepare
        io.floe.schema.Tensor r = TensorRecords.toRecord(new Tensor("w", new int[] {2}, new float[] {1f, 2f}));

        // Execute
        Tensor first = TensorRecords.fromRecord(r);
        Tensor second = TensorRecords.fromRecord(r);

        // Assert
        assertThat(second).isEqualTo(first);
    }

    @Test
    void rejectsDataShorterThanShape() {
        // Prepare: shape [2] needs 8 bytes
        io.floe.schema.Tensor r = record("w", List.of(2), new byte[4]);

        // Execute / Assert
        assertThatThrownBy(() -> TensorRecords.fromRecord(r))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("'w'")
                .hasMessageContaining("4 bytes, expected 8");
    }

    @Test
    void rejectsDataLongerThanShape() {
        // Prepare
        io.floe.schema.Tensor r = record("w", List.of(1), new byte[8]);

        // Execute / Assert
        assertThatThrownBy(() -> TensorRecords.fromRecord(r)).isInstanceOf(MalformedRecordException.class);
    }

    @Test
    void rejectsDataLengthNotAMultipleOfFour() {
        // Prepare
        io.floe.schema.Tensor r = record("w", List.of(1), new byte[5]);

        // Execute / Assert
        assertThatThrownBy(() -> TensorRecords.fromRecord(r)).isInstanceOf(MalformedRecordException.class);
    }

    @Test
    void rejectsNegativeDimension() {
        // Prepare
        io.floe.schema.Tensor r = record("w", List.of(2, -1), new byte[0]);

        // Execute / Assert
        assertThatThrownBy(() -> TensorRecords.fromRecord(r))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("invalid dimension -1");
    }

    @Test
    void rejectsShapeWhoseElementCountOverflows() {
        // Prepare: 65536^4 = 2^64, which wraps to 0 elements and would match empty data
        io.floe.schema.Tensor r = record("w", List.of(65536, 65536, 65536, 65536));

        // Execute / Assert
        assertThatThrownBy(() -> TensorRecords.fromRecord(r)).isInstanceOf(MalformedRecordException.class);
    }

    @Test
    void rejectsShapeTooLargeForAnyRecord() {
        // Prepare: 2^31 elements cannot be backed by a Java float[]
        io.floe.schema.Tensor r = record("w", List.of(65536, 32768), new byte[8]);

        // Execute / Assert
        assertThatThrownBy(() -> TensorRecords.fromRecord(r)).isInstanceOf(MalformedRecordException.class);
    }

    @Test
    void rejectsDuplicateNamesInAList() {
        // Prepare
        List<io.floe.schema.Tensor> records = List.of(
                TensorRecords.toRecord(Tensor.zeros("w", 1)),
                TensorRecords.toRecord(Tensor.zeros("w", 1)));

        // Execute / Assert
        assertThatThrownBy(() -> TensorRecords.fromRecords(records))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("duplicate tensor name 'w'");
    }

    @Test
    void toRecordsKeepsOneRecordPerTensor() {
        // Prepare
        ModelWeights weights = new ModelWeights(List.of(Tensor.zeros("a", 3), Tensor.zeros("b", 1, 1)));

        // Execute
        List<io.floe.schema.Tensor> records = TensorRecords.toRecords(weights);

        // Assert
        assertThat(records).extracting(io.floe.schema.Tensor::getName).containsExactly("a", "b");
        assertThat(records.get(0).getData().remaining()).isEqualTo(12);
        assertThat(records.get(1).getShape()).containsExactly(1, 1);
    }
}
