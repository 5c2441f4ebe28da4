package io.floe.core.round;

import io.floe.core.chunk.ChunkLayout;
import io.floe.core.chunk.ExactSum;
import io.floe.core.validate.Rejection;
import io.floe.core.validate.RejectionReason;
import io.floe.schema.ModelUpdate;
import java.util.Optional;

/**
 * Whether the header of a chunked model's update can join the open round: its ids, an example
 * count the exact sum can weigh (1 to 2^31 - 1), a manifest that matches the model's layout (chunk
 * size, parameter count, one 32-byte SHA-256 per chunk) and no tensors, then the round's own
 * admission ({@link SyncRound#admissionCheck}: base version, one update per client).
 */
public final class ChunkedAdmission {
    private ChunkedAdmission() {
    }

    /** Why a header cannot join the round, if it cannot. */
    public static Optional<Rejection> problem(ModelUpdate u, ChunkLayout layout, SyncRound round) {
        if (isBlank(u.getUpdateId()) || isBlank(u.getClientId())) {
            return Optional.of(Rejection.of(RejectionReason.MISSING_ID, "updateId and clientId must be non-empty"));
        }
        if (u.getNumExamples() <= 0 || u.getNumExamples() >= ExactSum.MAX_ABS_WEIGHT) {
            return Optional.of(Rejection.of(RejectionReason.NON_POSITIVE_EXAMPLES, "numExamples must be from 1 to 2^31 - 1 on a chunked"
                    + " model, was " + u.getNumExamples()));
        }
        if (u.getChunks() == null || !u.getTensors().isEmpty()) {
            return Optional.of(Rejection.of(RejectionReason.LAYOUT_MISMATCH, "model " + u.getModelId() + " is chunked ("
                    + layout.chunkBytes() + "-byte chunks): send a header with a ChunkManifest and no tensors, then its UpdateChunks"));
        }
        if (u.getChunks().getChunkBytes() != layout.chunkBytes() || u.getChunks().getParameters() != layout.parameters()
                || u.getChunks().getSha256().size() != layout.count()
                || u.getChunks().getSha256().stream().anyMatch(h -> h == null || h.remaining() != 32)) {
            return Optional.of(Rejection.of(RejectionReason.LAYOUT_MISMATCH, "manifest of " + u.getChunks().getParameters()
                    + " values in " + u.getChunks().getChunkBytes() + "-byte chunks with " + u.getChunks().getSha256().size()
                    + " hashes; the model has " + layout.parameters() + " values in " + layout.count() + " chunks of "
                    + layout.chunkBytes() + " bytes, one 32-byte SHA-256 each"));
        }
        return round.admissionCheck(u.getClientId(), u.getBaseVersion());
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

}
