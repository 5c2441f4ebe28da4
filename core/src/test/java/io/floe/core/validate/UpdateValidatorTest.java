package io.floe.core.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.aggregate.ClientUpdate;
import io.floe.core.round.SyncRound;
import io.floe.core.tensor.ModelWeights;
import io.floe.core.tensor.Tensor;
import io.floe.core.wire.TensorRecords;
import io.floe.schema.ModelUpdate;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UpdateValidatorTest {

    private static final long OPEN_VERSION = 3L;

    /** The global model's layout: W is 2x2, b has one element. */
    private static final ModelWeights GLOBAL = new ModelWeights(List.of(
            new Tensor("W", new int[] {2, 2}, new float[] {1f, 2f, 3f, 4f}),
            new Tensor("b", new int[] {1}, new float[] {0f})));

    private static final ModelWeights DELTA = new ModelWeights(List.of(
            new Tensor("W", new int[] {2, 2}, new float[] {0.5f, -0.5f, 0.25f, 0f}),
            new Tensor("b", new int[] {1}, new float[] {-1f})));

    private final SyncRound round = SyncRound.open(OPEN_VERSION, 3);

    private static ModelUpdate.Builder validUpdate() {
        return ModelUpdate.newBuilder()
                .setUpdateId("u-1")
                .setModelId("m")
                .setClientId("alice")
                .setBaseVersion(OPEN_VERSION)
                .setNumExamples(12L)
                .setLocalSteps(4)
                .setCreatedAt(Instant.ofEpochMilli(1_000L))
                .setTensors(TensorRecords.toRecords(DELTA))
                .setMetrics(Map.of("loss", 0.25));
    }

    private static Rejection rejectionOf(ValidationResult result) {
        assertThat(result).isInstanceOf(ValidationResult.Rejected.class);
        return ((ValidationResult.Rejected) result).rejection();
    }

    private static List<io.floe.schema.Tensor> deltaWith(Tensor w, Tensor b) {
        return TensorRecords.toRecords(new ModelWeights(List.of(w, b)));
    }

    @Test
    void validUpdateIsAcceptedWithItsDecodedDelta() {
        // Execute
        ValidationResult result = UpdateValidator.validate(validUpdate().build(), GLOBAL, round::admissionCheck);

        // Assert
        assertThat(result).isInstanceOf(ValidationResult.Accepted.class);
        ClientUpdate accepted = ((ValidationResult.Accepted) result).update();
        assertThat(accepted.updateId()).isEqualTo("u-1");
        assertThat(accepted.clientId()).isEqualTo("alice");
        assertThat(accepted.baseVersion()).isEqualTo(OPEN_VERSION);
        assertThat(accepted.numExamples()).isEqualTo(12L);
        assertThat(accepted.localSteps()).isEqualTo(4);
        assertThat(accepted.delta()).isEqualTo(DELTA);
        assertThat(accepted.metrics()).containsExactlyEntriesOf(Map.of("loss", 0.25));
    }

    @Test
    void validationDoesNotAdmitTheClient() {
        // Execute
        UpdateValidator.validate(validUpdate().build(), GLOBAL, round::admissionCheck);

        // Assert: accepting into the round is the caller's next step
        assertThat(round.acceptedCount()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"updateId", "clientId", "modelId"})
    void blankIdIsMissingId(String field) {
        // Prepare
        ModelUpdate update = validUpdate().build();
        update.put(field, " ");

        // Execute
        Rejection rejection = rejectionOf(UpdateValidator.validate(update, GLOBAL, round::admissionCheck));

        // Assert
        assertThat(rejection.reason()).isEqualTo(RejectionReason.MISSING_ID);
    }

    @Test
    void emptyUpdateIdIsMissingId() {
        // Prepare
        ModelUpdate update = validUpdate().setUpdateId("").build();

        // Execute
        Rejection rejection = rejectionOf(UpdateValidator.validate(update, GLOBAL, round::admissionCheck));

        // Assert
        assertThat(rejection.reason()).isEqualTo(RejectionReason.MISSING_ID);
    }

    @ParameterizedTest
    @ValueSource(longs = {0L, -1L, Long.MIN_VALUE})
    void nonPositiveExampleCountIsRejected(long numExamples) {
        // Prepare
        ModelUpdate update = validUpdate().setNumExamples(numExamples).build();

        // Execute
        Rejection rejection = rejectionOf(UpdateValidator.validate(update, GLOBAL, round::admissionCheck));

        // Assert
        assertThat(rejection.reason()).isEqualTo(RejectionReason.NON_POSITIVE_EXAMPLES);
        assertThat(rejection.detail()).contains(Long.toString(numExamples));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"-1, LATE_UPDATE", "1, WRONG_BASE_VERSION"})
    void otherBaseVersionIsLateOrFromTheFuture(long offset, RejectionReason expected) {
        // Prepare
        ModelUpdate update = validUpdate().setBaseVersion(OPEN_VERSION + offset).build();

        // Execute
        Rejection rejection = rejectionOf(UpdateValidator.validate(update, GLOBAL, round::admissionCheck));

        // Assert
        assertThat(rejection.reason()).isEqualTo(expected);
    }

    @Test
    void secondUpdateOfAClientIsDuplicate() {
        // Prepare
        round.accept("alice");
        ModelUpdate update = validUpdate().setUpdateId("u-2").build();

        // Execute
        Rejection rejection = rejectionOf(UpdateValidator.validate(update, GLOBAL, round::admissionCheck));

        // Assert
        assertThat(rejection.reason()).isEqualTo(RejectionReason.DUPLICATE_CLIENT);
    }

    @Test
    void dataShorterThanShapeIsMalformedTensor() {
        // Prepare
        List<io.floe.schema.Tensor> tensors = new ArrayList<>(TensorRecords.toRecords(DELTA));
        tensors.get(0).setData(ByteBuffer.wrap(new byte[12]));
        ModelUpdate update = validUpdate().setTensors(tensors).build();

        // Execute
        Rejection rejection = rejectionOf(UpdateValidator.validate(update, GLOBAL, round::admissionCheck));

        // Assert
        assertThat(rejection.reason()).isEqualTo(RejectionReason.MALFORMED_TENSOR);
        assertThat(rejection.detail()).contains("'W'");
    }

    @Test
    void duplicateTensorNameIsMalformedTensor() {
        // Prepare
        Tensor b = new Tensor("b", new int[] {1}, new float[] {1f});
        List<io.floe.schema.Tensor> tensors = List.of(TensorRecords.toRecord(b), TensorRecords.toRecord(b));
        ModelUpdate update = validUpdate().setTensors(tensors).build();

        // Execute
        Rejection rejection = rejectionOf(UpdateValidator.validate(update, GLOBAL, round::admissionCheck));

        // Assert
        assertThat(rejection.reason()).isEqualTo(RejectionReason.MALFORMED_TENSOR);
    }

    @Test
    void otherTensorNameIsLayoutMismatch() {
        // Prepare
        ModelUpdate update = validUpdate().setTensors(deltaWith(
                Tensor.zeros("W", 2, 2), Tensor.zeros("bias", 1))).build();

        // Execute
        Rejection rejection = rejectionOf(UpdateValidator.validate(update, GLOBAL, round::admissionCheck));

        // Assert
        assertThat(rejection.reason()).isEqualTo(RejectionReason.LAYOUT_MISMATCH);
        assertThat(rejection.detail()).contains("bias[1]").contains("b[1]");
    }

    @Test
    void otherTensorShapeIsLayoutMismatch() {
        // Prepare: same name and element count, transposed shape
        ModelUpdate update = validUpdate().setTensors(deltaWith(
                Tensor.zeros("W", 4, 1), Tensor.zeros("b", 1))).build();

        // Execute
        Rejection rejection = rejectionOf(UpdateValidator.validate(update, GLOBAL, round::admissionCheck));

        // Assert
        assertThat(rejection.reason()).isEqualTo(RejectionReason.LAYOUT_MISMATCH);
        assertThat(rejection.detail()).contains("W[4, 1]").contains("W[2, 2]");
    }

    @Test
    void missingTensorIsLayoutMismatch() {
        // Prepare
        ModelUpdate update = validUpdate()
                .setTensors(TensorRecords.toRecords(new ModelWeights(List.of(Tensor.zeros("W", 2, 2)))))
                .build();

        // Execute
        Rejection rejection = rejectionOf(UpdateValidator.validate(update, GLOBAL, round::admissionCheck));

        // Assert
        assertThat(rejection.reason()).isEqualTo(RejectionReason.LAYOUT_MISMATCH);
    }

    @ParameterizedTest
    @ValueSource(floats = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY})
    void nonFiniteValueIsRejected(float bad) {
        // Prepare
        ModelUpdate update = validUpdate().setTensors(deltaWith(
                new Tensor("W", new int[] {2, 2}, new float[] {0f, 1f, bad, 2f}), Tensor.zeros("b", 1))).build();

        // Execute
        Rejection rejection = rejectionOf(UpdateValidator.validate(update, GLOBAL, round::admissionCheck));

        // Assert
        assertThat(rejection.reason()).isEqualTo(RejectionReason.NON_FINITE_VALUES);
        assertThat(rejection.detail()).contains("'W'");
    }

    @Test
    void cheaperChecksComeFirst() {
        // Prepare: a late update that is also malformed is reported as late, without decoding it
        List<io.floe.schema.Tensor> tensors = new ArrayList<>(TensorRecords.toRecords(DELTA));
        tensors.get(0).setData(ByteBuffer.wrap(new byte[1]));
        ModelUpdate update = validUpdate().setBaseVersion(OPEN_VERSION - 1).setTensors(tensors).build();

        // Execute
        Rejection rejection = rejectionOf(UpdateValidator.validate(update, GLOBAL, round::admissionCheck));

        // Assert
        assertThat(rejection.reason()).isEqualTo(RejectionReason.LATE_UPDATE);
    }
}
