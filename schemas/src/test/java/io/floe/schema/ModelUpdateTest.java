package io.floe.schema;

import static io.floe.schema.SingleObjectRoundTrip.biasTensor;
import static io.floe.schema.SingleObjectRoundTrip.bytes;
import static io.floe.schema.SingleObjectRoundTrip.roundTrip;
import static io.floe.schema.SingleObjectRoundTrip.weightTensor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;
import org.junit.jupiter.api.Test;

class ModelUpdateTest {

    private static final Instant CREATED_AT = Instant.ofEpochMilli(1_700_000_000_456L);

    @Test
    void roundTripsInSingleObjectEncoding() {
        // Prepare
        ModelUpdate update = ModelUpdate.newBuilder()
                .setUpdateId("6f1c0c1e-4d1b-4a57-9f59-7f6a3c2b9e10")
                .setModelId("wdbc-logreg")
                .setClientId("alice")
                .setBaseVersion(5L)
                .setNumExamples(120L)
                .setLocalSteps(15)
                .setCreatedAt(CREATED_AT)
                .setTensors(List.of(weightTensor(), biasTensor()))
                .setMetrics(Map.of("loss", 0.3125, "accuracy", 0.9))
                .setSignature(bytes(0xDE, 0xAD, 0xBE, 0xEF))
                .build();

        // Execute
        ModelUpdate decoded = roundTrip(ModelUpdate.getEncoder(), ModelUpdate.getDecoder(), update);

        // Assert
        assertThat(decoded).isNotSameAs(update).isEqualTo(update);
        assertThat(decoded.getLocalSteps()).isEqualTo(15);
        assertThat(decoded.getMetrics()).containsExactlyInAnyOrderEntriesOf(Map.of("loss", 0.3125, "accuracy", 0.9));
        assertThat(decoded.getSignature()).isEqualTo(bytes(0xDE, 0xAD, 0xBE, 0xEF));
        assertThat(decoded.getTensors().get(0).getData()).isEqualTo(weightTensor().getData());
    }

    @Test
    void encodingStartsWithMarkerAndLittleEndianSchemaFingerprint() throws IOException {
        // Prepare
        ModelUpdate update = currentUpdate();
        long fingerprint = SchemaNormalization.parsingFingerprint64(ModelUpdate.getClassSchema());

        // Execute
        ByteBuffer encoded = ModelUpdate.getEncoder().encode(update).order(ByteOrder.LITTLE_ENDIAN);

        // Assert: single-object encoding is C3 01, the CRC-64-AVRO fingerprint little-endian, then the body
        assertThat(encoded.get(0)).isEqualTo((byte) 0xC3);
        assertThat(encoded.get(1)).isEqualTo((byte) 0x01);
        assertThat(encoded.getLong(2)).isEqualTo(fingerprint);
    }

    @Test
    void olderSchemaIsReadableByTheCurrentOne() throws IOException {
        // Prepare
        Schema v1 = v1Schema();

        // Execute
        SchemaCompatibility.SchemaPairCompatibility compatibility =
                SchemaCompatibility.checkReaderWriterCompatibility(ModelUpdate.getClassSchema(), v1);

        // Assert
        assertThat(compatibility.getType()).isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        assertThat(SchemaNormalization.parsingFingerprint64(v1))
                .as("v1 must have its own fingerprint, or this test proves nothing about evolution")
                .isNotEqualTo(SchemaNormalization.parsingFingerprint64(ModelUpdate.getClassSchema()));
    }

    @Test
    void recordWrittenWithV1DecodesWithDefaultsForNewFields() throws IOException {
        // Prepare
        Schema v1 = v1Schema();
        ByteBuffer encoded = encodeWithV1(v1);
        SchemaStore.Cache knownSchemas = new SchemaStore.Cache();
        knownSchemas.addSchema(v1);

        // Execute
        ModelUpdate decoded = ModelUpdate.createDecoder(knownSchemas).decode(encoded);

        // Assert: fields v1 did not have take their defaults ...
        assertThat(decoded.getMetrics()).isEmpty();
        assertThat(decoded.getSignature()).isNull();
        assertThat(decoded.getControlDelta()).isEmpty();
        // ... and every v1 field survives
        assertThat(decoded.getUpdateId()).isEqualTo("u-old");
        assertThat(decoded.getModelId()).isEqualTo("wdbc-logreg");
        assertThat(decoded.getClientId()).isEqualTo("legacy-client");
        assertThat(decoded.getBaseVersion()).isEqualTo(2L);
        assertThat(decoded.getNumExamples()).isEqualTo(64L);
        assertThat(decoded.getLocalSteps()).isEqualTo(8);
        assertThat(decoded.getCreatedAt()).isEqualTo(CREATED_AT);
        assertThat(decoded.getTensors()).hasSize(1);
        Tensor tensor = decoded.getTensors().get(0);
        assertThat(tensor.getName()).isEqualTo("dense0.b");
        assertThat(tensor.getShape()).containsExactly(1);
        assertThat(tensor.getDtype()).isEqualTo(DType.FLOAT32);
        assertThat(tensor.getEncoding()).isEqualTo(TensorEncoding.DENSE_F32);
        assertThat(tensor.getData()).isEqualTo(bytes(0x00, 0x00, 0x00, 0x3F));
    }

    @Test
    void decoderThatDoesNotKnowV1RejectsItsRecords() throws IOException {
        // Prepare
        ByteBuffer encoded = encodeWithV1(v1Schema());

        // Execute / Assert: the job turns this into a dead letter
        assertThatThrownBy(() -> ModelUpdate.getDecoder().decode(encoded))
                .isInstanceOf(MissingSchemaException.class);
    }

    private static ModelUpdate currentUpdate() {
        return ModelUpdate.newBuilder()
                .setUpdateId("u-1")
                .setModelId("wdbc-logreg")
                .setClientId("alice")
                .setBaseVersion(0L)
                .setNumExamples(1L)
                .setCreatedAt(CREATED_AT)
                .setTensors(List.of(biasTensor()))
                .build();
    }

    private static Schema v1Schema() throws IOException {
        try (InputStream in = ModelUpdateTest.class.getResourceAsStream("/ModelUpdate-v1.avsc")) {
            assertThat(in).as("ModelUpdate-v1.avsc on the test classpath").isNotNull();
            return new Schema.Parser().parse(in);
        }
    }

    /** A v1 record as an older trainer, without the generated classes of today, would write it. */
    private static ByteBuffer encodeWithV1(Schema v1) throws IOException {
        Schema tensorSchema = v1.getField("tensors").schema().getElementType();
        GenericRecord tensor = new GenericData.Record(tensorSchema);
        tensor.put("name", "dense0.b");
        tensor.put("shape", List.of(1));
        tensor.put("dtype", new GenericData.EnumSymbol(tensorSchema.getField("dtype").schema(), "FLOAT32"));
        tensor.put("encoding", new GenericData.EnumSymbol(tensorSchema.getField("encoding").schema(), "DENSE_F32"));
        tensor.put("data", bytes(0x00, 0x00, 0x00, 0x3F));

        GenericRecord update = new GenericData.Record(v1);
        update.put("updateId", "u-old");
        update.put("modelId", "wdbc-logreg");
        update.put("clientId", "legacy-client");
        update.put("baseVersion", 2L);
        update.put("numExamples", 64L);
        update.put("localSteps", 8);
        update.put("createdAt", CREATED_AT.toEpochMilli());
        update.put("tensors", List.of(tensor));

        return new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(update);
    }
}
