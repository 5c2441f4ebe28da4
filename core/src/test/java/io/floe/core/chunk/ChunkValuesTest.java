package io.floe.core.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.core.codec.Fp16Codec;
import io.floe.core.codec.TopKCodec;
import io.floe.core.wire.WireCodec;
import io.floe.schema.TensorEncoding;
import io.floe.schema.UpdateChunk;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

/** Compressed update chunks (issue 15 on the chunked path): read, checked, folded as their dense equivalents. */
class ChunkValuesTest {

    private static float[] gaussian(int n, long seed, double scale) {
        Random rnd = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rnd.nextGaussian() * scale);
        }
        return v;
    }

    private static float[] sparse(float[] dense, int k) {
        float[] kept = new float[dense.length];
        for (int i : TopKCodec.topIndices(dense, k)) {
            kept[i] = dense[i];
        }
        return kept;
    }

    @Test
    void aTopKChunkFoldsToTheSameBitsAsItsDenseFormWithAndWithoutADivisor() {
        float[] kept = sparse(gaussian(5000, 1, 0.01), 50);
        ChunkedUpdates.Cut cut = ChunkedUpdates.cut("m", "u", kept, 4096, TensorEncoding.TOPK_F32);
        for (double divisor : new double[] {1.0, 3.7}) {
            ExactSum sparseSum = new ExactSum(5000);
            ExactSum denseSum = new ExactSum(5000);
            for (UpdateChunk chunk : cut.chunks()) {
                ChunkLayout layout = ChunkLayout.of(5000, 4096);
                int length = layout.length(chunk.getIndex());
                ChunkValues values = ChunkValues.read(TensorEncoding.TOPK_F32, chunk.getData(), length);
                assertThat(values.fits(length)).isTrue();
                assertThat(values.problem()).isNull();
                ExactSum partSparse = new ExactSum(length);
                values.foldInto(partSparse, 37, divisor);
                ExactSum partDense = new ExactSum(length);
                partDense.add(37, ByteBuffer.wrap(ChunkData.encode(kept, (int) layout.offset(chunk.getIndex()), length)), divisor);
                assertThat(partSparse).as("chunk %d, divisor %s", chunk.getIndex(), divisor).isEqualTo(partDense);
                assertThat(values.dense(length)).containsExactly(java.util.Arrays.copyOfRange(kept, (int) layout.offset(chunk.getIndex()),
                        (int) layout.offset(chunk.getIndex()) + length));
            }
        }
        // 50 values in 5 chunks: a few bytes each, not 4 KiB
        long bytes = cut.chunks().stream().mapToLong(c -> c.getData().remaining()).sum();
        assertThat(bytes).isLessThan(50 * 4 + 50 * 3 + 5 * 2);
    }

    @Test
    void anFp16ChunkCarriesExactlyTheValuesAnFp16TensorDecodesTo() {
        float[] halves = Fp16Codec.decode(ByteBuffer.wrap(Fp16Codec.encode(gaussian(3000, 2, 0.5))), 3000);
        ChunkedUpdates.Cut cut = ChunkedUpdates.cut("m", "u", halves, 4096, TensorEncoding.FP16);
        assertThat(cut.chunks()).hasSize(3);
        UpdateChunk first = cut.chunks().get(0);
        assertThat(first.getData().remaining()).isEqualTo(2 * 1024);
        ChunkValues values = ChunkValues.read(TensorEncoding.FP16, first.getData(), 1024);
        assertThat(values.dense(1024)).containsExactly(java.util.Arrays.copyOfRange(halves, 0, 1024));
        assertThat(ChunkData.sha256(first.getData())).isEqualTo(cut.manifest().getSha256().get(0).array());
    }

    @Test
    void eachInt8ChunkIsQuantizedOnItsOwnRangeAndFoldsAsItsDecodedValues() {
        // chunk 0 spans [-0.01, 0.01], chunk 1 [-100, 100]: one scale for both would be 200 / 255
        float[] values = gaussian(2048, 3, 0.003);
        for (int i = 1024; i < 2048; i++) {
            values[i] *= 10_000;
        }
        ChunkedUpdates.Cut cut = ChunkedUpdates.cut("m", "u", values, 4096, TensorEncoding.INT8);
        assertThat(cut.chunks()).extracting(UpdateChunk::getEncoding).containsOnly(TensorEncoding.INT8);
        assertThat(cut.chunks().get(0).getData().remaining()).isEqualTo(8 + 1024);
        float[] decoded = ChunkedUpdates.decoded(cut);
        for (int c = 0; c < 2; c++) {
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 1024 * c; i < 1024 * (c + 1); i++) {
                min = Math.min(min, values[i]);
                max = Math.max(max, values[i]);
            }
            double step = ((double) max - min) / 255;
            for (int i = 1024 * c; i < 1024 * (c + 1); i++) {
                assertThat(Math.abs((double) decoded[i] - values[i])).as("value %d", i).isLessThanOrEqualTo(step * 1.0001);
            }
        }
        assertThat(ChunkData.sha256(cut.chunks().get(1).getData())).isEqualTo(cut.manifest().getSha256().get(1).array());
        // the same update is cut into the same bytes (a retrained update); another update draws other roundings
        assertThat(ChunkedUpdates.cut("m", "u", values, 4096, TensorEncoding.INT8).manifest()).isEqualTo(cut.manifest());
        assertThat(ChunkedUpdates.cut("m", "v", values, 4096, TensorEncoding.INT8).manifest()).isNotEqualTo(cut.manifest());
        ChunkValues first = ChunkValues.read(TensorEncoding.INT8, cut.chunks().get(0).getData(), 1024);
        assertThat(ChunkValues.read(TensorEncoding.INT8, cut.chunks().get(0).getData(), -1).span()).isEqualTo(1024);
        ExactSum folded = new ExactSum(1024);
        first.foldInto(folded, 5, 1.0);
        ExactSum dense = new ExactSum(1024);
        dense.add(5, ByteBuffer.wrap(ChunkData.encode(decoded, 0, 1024)), 1.0);
        assertThat(folded).isEqualTo(dense);
    }

    @Test
    void int8ChunksAreUnbiased() {
        // the mean of many independent cuts (other update ids, other draws) converges on the values
        float[] values = gaussian(1024, 4, 1.0);
        double[] mean = new double[values.length];
        int draws = 2000;
        for (int d = 0; d < draws; d++) {
            float[] decoded = ChunkedUpdates.decoded(ChunkedUpdates.cut("m", "u" + d, values, 4096, TensorEncoding.INT8));
            for (int i = 0; i < values.length; i++) {
                mean[i] += decoded[i] / (double) draws;
            }
        }
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double step = ((double) max - min) / 255;
        // one draw errs by up to a step, its standard deviation is at most step / 2: 5 sigma of the mean
        for (int i = 0; i < values.length; i++) {
            assertThat(Math.abs(mean[i] - values[i])).as("value %d", i).isLessThan(5 * 0.5 * step / Math.sqrt(draws));
        }
    }

    @Test
    void routingLearnsTheSpanWithoutTheLayoutAndTheFolderChecksIt() {
        ByteBuffer topk = ByteBuffer.wrap(TopKCodec.encode(new float[] {0f, 0f, 2f, 0f, 0f, 0f, 0f, -1f}, new int[] {2, 7}));
        ChunkValues atRouting = ChunkValues.read(TensorEncoding.TOPK_F32, topk, -1);
        assertThat(atRouting.span()).isEqualTo(8);
        assertThat(atRouting.fits(8)).isTrue();
        assertThat(atRouting.fits(7)).isFalse();
        assertThat(atRouting.fits(1024)).isTrue();
        assertThatThrownBy(() -> ChunkValues.read(TensorEncoding.TOPK_F32, topk, 7)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("index 7");
        ByteBuffer dense = ByteBuffer.wrap(ChunkData.encode(new float[] {1f, 2f, 3f}, 0, 3));
        assertThat(ChunkValues.read(TensorEncoding.DENSE_F32, dense, -1).span()).isEqualTo(3);
        assertThatThrownBy(() -> ChunkValues.read(TensorEncoding.DENSE_F32, dense, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThat(ChunkValues.read(TensorEncoding.FP16, ByteBuffer.wrap(new byte[10]), -1).span()).isEqualTo(5);
    }

    @Test
    void badValuesAndMaliciousEncodingsAreRefusedNotFolded() {
        ByteBuffer nan = ByteBuffer.wrap(TopKCodec.encode(new float[] {Float.NaN, 1f}, new int[] {0}));
        assertThat(ChunkValues.read(TensorEncoding.TOPK_F32, nan, 2).problem()).contains("not finite");
        // k of 2^31 - 1 in a 6-byte record: refused before any allocation of k
        ByteBuffer huge = ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07, 0});
        assertThatThrownBy(() -> ChunkValues.read(TensorEncoding.TOPK_F32, huge, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ChunkValues.read(TensorEncoding.INT8, ByteBuffer.wrap(new byte[7]), -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not even its offset and scale");
        assertThatThrownBy(() -> ChunkValues.read(TensorEncoding.INT8, ByteBuffer.wrap(new byte[12]), 5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 13");
        ByteBuffer nanScale = ByteBuffer.allocate(12).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(0f).putFloat(Float.NaN);
        assertThatThrownBy(() -> ChunkValues.read(TensorEncoding.INT8, nanScale.rewind(), 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be finite");
        // a finite offset and scale whose levels overflow float32: read, then refused as not finite
        ByteBuffer overflow = ByteBuffer.allocate(9).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(3e38f).putFloat(3e38f).put((byte) -1);
        assertThat(ChunkValues.read(TensorEncoding.INT8, overflow.rewind(), 1).problem()).contains("not finite");
        ByteBuffer inf = ByteBuffer.wrap(Fp16Codec.encode(new float[] {Float.POSITIVE_INFINITY}));
        assertThat(ChunkValues.read(TensorEncoding.FP16, inf, 1).problem()).contains("not finite");
    }

    @Test
    void theViewReadsTheEncodingAndAChunkOfTheFirstChunkedSchemaIsDense() throws Exception {
        UpdateChunk topk = UpdateChunk.newBuilder().setModelId("m").setUpdateId("u").setIndex(3)
                .setData(ByteBuffer.wrap(TopKCodec.encode(new float[] {0f, 5f}, new int[] {1}))).setEncoding(TensorEncoding.TOPK_F32).build();
        assertThat(UpdateChunkView.of(WireCodec.UPDATE_CHUNK.encode(topk)).encoding()).isEqualTo(TensorEncoding.TOPK_F32);

        // the schema before the encoding field, as a trainer of the previous release writes it
        Schema old = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"UpdateChunk\",\"namespace\":\"io.floe.schema\",\"fields\":["
                + "{\"name\":\"modelId\",\"type\":\"string\"},{\"name\":\"updateId\",\"type\":\"string\"},"
                + "{\"name\":\"index\",\"type\":\"int\"},{\"name\":\"data\",\"type\":\"bytes\"}]}");
        GenericData.Record r = new GenericData.Record(old);
        r.put("modelId", "m");
        r.put("updateId", "u");
        r.put("index", 2);
        r.put("data", ByteBuffer.wrap(ChunkData.encode(new float[] {1f, 2f}, 0, 2)));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0xC3, 0x01});
        out.write(ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(SchemaNormalization.parsingFingerprint64(old)).array());
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericData.Record>(old).write(r, enc);
        enc.flush();
        UpdateChunkView view = UpdateChunkView.of(out.toByteArray());
        assertThat(view.encoding()).isEqualTo(TensorEncoding.DENSE_F32);
        assertThat(view.index()).isEqualTo(2);
        assertThat(ChunkValues.read(view.encoding(), view.data(), 2).dense(2)).containsExactly(1f, 2f);
        assertThat(List.of(view.updateId())).containsExactly("u");
    }
}
