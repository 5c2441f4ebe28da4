package io.floe.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.ThreadMXBean;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import io.floe.schema.AcceptedUpdate;
import io.floe.schema.AggregationConfig;
import io.floe.schema.AggregationReport;
import io.floe.schema.ClientTrainingConfig;
import io.floe.schema.DeadLetter;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.ModelUpdate;
import io.floe.schema.Provenance;
import io.floe.schema.RejectedUpdate;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.message.MissingSchemaException;
import org.junit.jupiter.api.Test;

class WireCodecTest {

    private static final Instant NOW = Instant.ofEpochMilli(1_700_000_000_000L);
    private static final ModelWeights WEIGHTS = new ModelWeights(List.of(
            new Tensor("W", new int[] {2, 2}, new float[] {1f, 2f, 3f, 4f}),
            new Tensor("b", new int[] {1}, new float[] {-1f})));

    /** Decoding a few dozen bytes has no business allocating more than this. */
    private static final long MAX_ALLOCATION_FOR_TINY_INPUT = 16L << 20;

    private static ModelUpdate update() {
        return ModelUpdate.newBuilder()
                .setUpdateId("u-1").setModelId("m").setClientId("alice")
                .setBaseVersion(3L).setNumExamples(10L).setLocalSteps(4).setCreatedAt(NOW)
                .setTensors(TensorRecords.toRecords(WEIGHTS))
                .setMetrics(Map.of("loss", 0.5))
                .build();
    }

    private static ModelSpec spec() {
        return ModelSpec.newBuilder()
                .setModelId("m").setArchitecture("logreg(4)")
                .setInitialTensors(TensorRecords.toRecords(WEIGHTS)).setInitSeed(7L)
                .setAggregation(AggregationConfig.newBuilder().setClientsPerRound(2).build())
                .setTraining(ClientTrainingConfig.newBuilder().setBatchSize(8).build())
                .setCreatedAt(NOW)
                .build();
    }

    /** Bytes the current thread allocated while {@code action} ran (HotSpot's ThreadMXBean extension). */
    private static long allocatedBytesWhile(Runnable action) {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "per-thread allocation counter not available");
        WireCodec.MODEL_UPDATE.encode(update()); // warm up class loading outside the measurement
        long before = threads.getCurrentThreadAllocatedBytes();
        action.run();
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void roundTripsEveryRecordType() {
        // Prepare
        ModelSpec spec = spec();
        ModelUpdate update = update();
        GlobalModel model = GlobalModel.newBuilder()
                .setModelId("m").setVersion(4L).setCreatedAt(NOW).setArchitecture("logreg(4)")
                .setTensors(TensorRecords.toRecords(WEIGHTS)).setTraining(spec.getTraining())
                .setProvenance(Provenance.newBuilder().setRule("fedavg").setParentVersion(3L)
                        .setUpdateIds(List.of("u-1")).setSeed(7L).build())
                .build();
        AggregationReport report = AggregationReport.newBuilder()
                .setModelId("m").setVersion(4L).setBaseVersion(3L).setCreatedAt(NOW).setRule("fedavg")
                .setAccepted(List.of(AcceptedUpdate.newBuilder()
                        .setUpdateId("u-1").setClientId("alice").setNumExamples(10L).setWeight(1.0).build()))
                .setRejected(List.of(RejectedUpdate.newBuilder()
                        .setClientId("bob").setReason("DUPLICATE_CLIENT").setDetail("twice").build()))
                .setClientMetrics(Map.of("loss", 0.5))
                .build();
        DeadLetter letter = DeadLetter.newBuilder()
                .setSourceTopic("floe.updates").setPartition(1).setOffset(99L)
                .setPayload(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setReason("UNDECODABLE").setDetail("garbage").setRejectedAt(NOW)
                .build();

        // Execute / Assert
        assertThat(WireCodec.MODEL_SPEC.decode(WireCodec.MODEL_SPEC.encode(spec))).isEqualTo(spec);
        assertThat(WireCodec.MODEL_UPDATE.decode(WireCodec.MODEL_UPDATE.encode(update))).isEqualTo(update);
        assertThat(WireCodec.GLOBAL_MODEL.decode(WireCodec.GLOBAL_MODEL.encode(model))).isEqualTo(model);
        assertThat(WireCodec.AGGREGATION_REPORT.decode(WireCodec.AGGREGATION_REPORT.encode(report))).isEqualTo(report);
        assertThat(WireCodec.DEAD_LETTER.decode(WireCodec.DEAD_LETTER.encode(letter))).isEqualTo(letter);
    }

    @Test
    void encodingIsSingleObjectEncoding() {
        // Execute
        byte[] bytes = WireCodec.MODEL_UPDATE.encode(update());

        // Assert
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
    }

    @Test
    void tensorsSurviveTheWire() {
        // Execute
        ModelUpdate decoded = WireCodec.MODEL_UPDATE.decode(WireCodec.MODEL_UPDATE.encode(update()));

        // Assert
        assertThat(TensorRecords.fromRecords(decoded.getTensors())).isEqualTo(WEIGHTS);
    }

    @Test
    void emptyAndNullBytesAreMalformed() {
        // Execute / Assert
        assertThatThrownBy(() -> WireCodec.MODEL_UPDATE.decode(new byte[0]))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("ModelUpdate");
        assertThatThrownBy(() -> WireCodec.MODEL_UPDATE.decode(null))
                .isInstanceOf(MalformedRecordException.class);
    }

    @Test
    void garbageIsMalformed() {
        // Prepare
        byte[] text = "{\"updateId\": \"u-1\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] oneByte = {(byte) 0xC3};

        // Execute / Assert
        assertThatThrownBy(() -> WireCodec.MODEL_UPDATE.decode(text))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("not a decodable ModelUpdate");
        assertThatThrownBy(() -> WireCodec.MODEL_UPDATE.decode(oneByte))
                .isInstanceOf(MalformedRecordException.class);
    }

    @Test
    void recordOfAnotherTypeIsMalformed() {
        // Prepare
        byte[] specBytes = WireCodec.MODEL_SPEC.encode(spec());

        // Execute
        Throwable thrown = catchThrowable(() -> WireCodec.MODEL_UPDATE.decode(specBytes));

        // Assert: the fingerprint is unknown to the ModelUpdate decoder
        assertThat(thrown).isInstanceOf(MalformedRecordException.class)
                .hasCauseInstanceOf(MissingSchemaException.class);
    }

    /** ModelUpdate as a newer floe might write it: two fields appended, with defaults (the README's evolution rule). */
    private static org.apache.avro.Schema newerUpdateSchema() {
        org.apache.avro.Schema current = ModelUpdate.getClassSchema();
        List<org.apache.avro.Schema.Field> fields = new java.util.ArrayList<>();
        for (org.apache.avro.Schema.Field f : current.getFields()) {
            fields.add(new org.apache.avro.Schema.Field(f, f.schema()));
        }
        fields.add(new org.apache.avro.Schema.Field("trainerVersion", org.apache.avro.Schema.create(org.apache.avro.Schema.Type.STRING),
                null, "unknown"));
        fields.add(new org.apache.avro.Schema.Field("sketch", org.apache.avro.Schema.createArray(
                org.apache.avro.Schema.create(org.apache.avro.Schema.Type.DOUBLE)), null, List.of()));
        return org.apache.avro.Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
    }

    @Test
    void aRecordWrittenWithANewerSchemaThatAppendsDefaultedFieldsIsRead() throws Exception {
        // Prepare: the update written by a newer writer, fingerprint unknown here
        ModelUpdate original = update();
        org.apache.avro.Schema newer = newerUpdateSchema();
        // read the current bytes with the newer schema as reader (Avro fills the new fields' defaults), then set them
        byte[] current = WireCodec.MODEL_UPDATE.encode(original);
        org.apache.avro.generic.GenericRecord written = new org.apache.avro.generic.GenericDatumReader<org.apache.avro.generic.GenericRecord>(
                ModelUpdate.getClassSchema(), newer).read(null, org.apache.avro.io.DecoderFactory.get()
                        .binaryDecoder(current, 10, current.length - 10, null));
        written.put("trainerVersion", "floe 0.2");
        written.put("sketch", List.of(1.0, 2.0, 3.0));
        ByteBuffer encoded = new org.apache.avro.message.BinaryMessageEncoder<org.apache.avro.generic.GenericRecord>(
                org.apache.avro.generic.GenericData.get(), newer).encode(written);
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);

        // Execute
        ModelUpdate read = WireCodec.MODEL_UPDATE.decode(bytes);

        // Assert
        assertThat(WireCodec.isNewerVersion(bytes)).isTrue();
        assertThat(WireCodec.MODEL_UPDATE.hasHeaderOf(bytes)).isFalse();
        assertThat(read).isEqualTo(original);
        assertThat(WireCodec.MODEL_UPDATE.modelIdOf(bytes)).isEqualTo(original.getModelId());
        assertThat(WireCodec.isNewerVersion(WireCodec.MODEL_SPEC.encode(spec()))).as("a current type is not newer").isFalse();
    }

    @Test
    void anUnknownFingerprintOverABodyThatDoesNotParseIsMalformed() {
        byte[] value = WireCodec.MODEL_UPDATE.encode(update());
        value[2] ^= 0x55; // another fingerprint: read as a newer version
        byte[] cut = Arrays.copyOf(value, value.length / 2);

        assertThat(WireCodec.isNewerVersion(cut)).isTrue();
        assertThat(catchThrowable(() -> WireCodec.MODEL_UPDATE.decode(cut))).isInstanceOf(MalformedRecordException.class);
        assertThat(catchThrowable(() -> WireCodec.MODEL_UPDATE.modelIdOf(Arrays.copyOf(value, 12))))
                .isInstanceOf(MalformedRecordException.class);
    }

    @Test
    void claimedStringLengthBeyondTheInputIsMalformed() {
        // Prepare: a valid header, then updateId claiming 2^30 bytes (zigzag varint 80 80 80 80 08)
        byte[] header = Arrays.copyOf(WireCodec.MODEL_UPDATE.encode(update()), 10);
        byte[] value = concat(header, new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08, 'u'});

        // Execute
        long allocated = allocatedBytesWhile(() -> {
            Throwable thrown = catchThrowable(() -> WireCodec.MODEL_UPDATE.decode(value));

            // Assert
            assertThat(thrown).isInstanceOf(MalformedRecordException.class);
        });

        // Assert: Avro alone allocates the claimed 1 GiB before noticing the input has 1 byte left
        assertThat(allocated).isLessThan(MAX_ALLOCATION_FOR_TINY_INPUT);
    }

    @Test
    void claimedArrayLengthBeyondTheInputIsMalformed() {
        // Prepare: ids "u", "m", "c", baseVersion 0, numExamples 1, localSteps 0, createdAt 0,
        // then a tensors block claiming 2^30 items (zigzag varint 80 80 80 80 08)
        byte[] header = Arrays.copyOf(WireCodec.MODEL_UPDATE.encode(update()), 10);
        byte[] body = {2, 'u', 2, 'm', 2, 'c', 0, 2, 0, 0,
                (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08};
        byte[] value = concat(header, body);

        // Execute
        long allocated = allocatedBytesWhile(() -> {
            Throwable thrown = catchThrowable(() -> WireCodec.MODEL_UPDATE.decode(value));

            // Assert
            assertThat(thrown).isInstanceOf(MalformedRecordException.class);
        });

        // Assert
        assertThat(allocated).isLessThan(MAX_ALLOCATION_FOR_TINY_INPUT);
    }

    @Test
    void everyTruncationIsMalformed() {
        // Prepare
        byte[] full = WireCodec.MODEL_UPDATE.encode(update());

        for (int length = 1; length < full.length; length++) {
            byte[] truncated = Arrays.copyOf(full, length);

            // Execute
            Throwable thrown = catchThrowable(() -> WireCodec.MODEL_UPDATE.decode(truncated));

            // Assert
            assertThat(thrown).as("truncated to %d of %d bytes", length, full.length)
                    .isInstanceOf(MalformedRecordException.class);
        }
    }

    @Test
    void randomBytesAreMalformed() {
        // Prepare
        Random random = new Random(20240601L);

        for (int i = 0; i < 2_000; i++) {
            byte[] garbage = new byte[1 + random.nextInt(64)];
            random.nextBytes(garbage);

            // Execute
            Throwable thrown = catchThrowable(() -> WireCodec.MODEL_UPDATE.decode(garbage));

            // Assert
            assertThat(thrown).as("garbage %s", Arrays.toString(garbage)).isInstanceOf(MalformedRecordException.class);
        }
    }

    @Test
    void corruptedBodyEitherDecodesOrIsMalformed() {
        // Prepare: a valid header (marker and fingerprint) followed by a damaged body, the hardest case
        byte[] valid = WireCodec.MODEL_UPDATE.encode(update());
        Random random = new Random(42L);

        for (int i = 0; i < 5_000; i++) {
            byte[] corrupted = valid.clone();
            int flips = 1 + random.nextInt(3);
            for (int f = 0; f < flips; f++) {
                int at = 10 + random.nextInt(corrupted.length - 10);
                corrupted[at] = (byte) random.nextInt(256);
            }

            // Execute
            Throwable thrown = catchThrowable(() -> WireCodec.MODEL_UPDATE.decode(corrupted));

            // Assert
            if (thrown != null) {
                assertThat(thrown).as("corrupted %s", Arrays.toString(corrupted))
                        .isInstanceOf(MalformedRecordException.class);
            }
        }
    }

    @Test
    void randomBodyAfterValidHeaderIsMalformedOrDecodes() {
        // Prepare
        byte[] header = Arrays.copyOf(WireCodec.MODEL_UPDATE.encode(update()), 10);
        Random random = new Random(7L);

        for (int i = 0; i < 5_000; i++) {
            byte[] body = new byte[random.nextInt(80)];
            random.nextBytes(body);
            byte[] value = concat(header, body);

            // Execute
            Throwable thrown = catchThrowable(() -> WireCodec.MODEL_UPDATE.decode(value));

            // Assert
            if (thrown != null) {
                assertThat(thrown).as("value %s", Arrays.toString(value)).isInstanceOf(MalformedRecordException.class);
            }
        }
    }
}
