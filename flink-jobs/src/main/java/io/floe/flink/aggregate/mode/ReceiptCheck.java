package io.floe.flink.aggregate.mode;

import io.floe.core.chunk.ChunkLayout;
import io.floe.flink.shard.ChunkReceipt;
import io.floe.schema.ModelUpdate;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Whether a chunk, as routing saw it, is the one its header's manifest promises: the values could be
 * read, the SHA-256 is the listed one, and the values span the chunk of the layout (a top-k chunk may
 * end before it). What {@link ShardedRounds} drops a whole update for (CHUNK_MISMATCH).
 */
final class ReceiptCheck {
    private ReceiptCheck() {
    }

    /** Why {@code receipt} does not match {@code header}'s manifest and {@code layout}, or null when it does. */
    static String mismatch(ChunkReceipt receipt, ModelUpdate header, ChunkLayout layout) {
        if (receipt.problem != null) {
            return receipt.problem;
        }
        if (receipt.sha256 == null || !Arrays.equals(receipt.sha256, bytes(header.getChunks().getSha256().get(receipt.index)))) {
            return "its SHA-256 is not the one the header lists";
        }
        if (!fits(receipt, layout.length(receipt.index))) {
            return receipt.encoding + " data spanning " + receipt.valueSpan + " values where the chunk has " + layout.length(receipt.index);
        }
        return null;
    }

    /** A top-k chunk may end before the chunk does; every other encoding covers it exactly (ChunkValues.fits). */
    private static boolean fits(ChunkReceipt receipt, int length) {
        return "TOPK_F32".equals(receipt.encoding) ? receipt.valueSpan >= 0 && receipt.valueSpan <= length : receipt.valueSpan == length;
    }

    private static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }
}
