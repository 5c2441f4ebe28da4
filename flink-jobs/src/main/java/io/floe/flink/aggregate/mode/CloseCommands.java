package io.floe.flink.aggregate.mode;

import io.floe.core.chunk.ChunkLayout;
import io.floe.core.server.ChunkedDp;
import io.floe.core.server.ChunkedRoundWeights;
import io.floe.flink.shard.ChunkCommand;
import java.util.Map;

/**
 * What a chunked round's close tells every chunk, in order on each chunk's channel: under central
 * DP, a RESCALE for each update over the clip norm, then the CLOSE: the members and their weights,
 * n, the scale, the rule, the server optimizer and, under central DP, the chunk's noise seed and
 * deviation.
 */
final class CloseCommands {
    private CloseCommands() {
    }

    /** @param dp the round's DP plan, or null without central DP */
    static void send(ModelContext ctx, ChunkLayout layout, ChunkedRoundWeights round, ChunkedDp.Private dp) {
        long version = ctx.current().getVersion();
        String optimizer = ctx.spec().getAggregation().getServerOptimizer();
        for (int i = 0; i < layout.count(); i++) {
            if (dp != null) {
                for (Map.Entry<String, Double> clipped : dp.divisors().entrySet()) {
                    ctx.out().chunkCommand(ChunkCommand.rescale(ctx.modelId(), i, layout.count(), version, clipped.getKey(),
                            clipped.getValue()));
                }
            }
            ChunkCommand close = ChunkCommand.close(ctx.modelId(), i, layout.count(), version, round.ids(), round.weights(),
                    round.total(), round.scale(), version + 1, round.rule(), round.trimPerSide());
            close.serverOptimizer = optimizer;
            if (dp != null) {
                close.noiseStd = dp.noiseStd();
                close.noiseSeed = dp.chunkSeed(i);
            }
            ctx.out().chunkCommand(close);
        }
    }

    /** A DROP of {@code updateId} to every chunk: a folded chunk is read back and taken out, a kept one forgotten. */
    static void dropEverywhere(String updateId, ChunkLayout layout, long version, ModelContext ctx) {
        for (int i = 0; i < layout.count(); i++) {
            ctx.out().chunkCommand(ChunkCommand.drop(ctx.modelId(), i, layout.count(), version, updateId));
        }
    }
}
