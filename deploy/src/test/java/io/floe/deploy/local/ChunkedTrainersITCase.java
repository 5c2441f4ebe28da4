package io.floe.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.chunk.ChunkData;
import io.floe.core.wire.WireCodec;
import io.floe.schema.AggregationConfig;
import io.floe.schema.DeadLetter;
import io.floe.schema.ModelUpdate;
import io.floe.schema.UpdateChunk;
import io.floe.trainer.daemon.ModelRegistration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * floe's own trainers on a chunked model (issue 12), through the real broker and job: each
 * trainer follows versions published as a manifest plus ModelChunks, trains only on complete ones,
 * and sends its update as a header plus UpdateChunks keyed {@code modelId#index}; the demo's
 * observer assembles every version. The same federation as a dense model ends at the same test AUC
 * to within float rounding (the chunked path sums exactly).
 */
@Timeout(value = 280, unit = TimeUnit.SECONDS)
class ChunkedTrainersITCase {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    private static final int SITES = 5;
    private static final int ROUNDS = 4;
    /** mlp(30,16,1): 513 parameters, chunks of 256 values: 3 chunks. */
    private static final int CHUNK_BYTES = 1024;

    @Test
    void trainersFollowAndSendChunkedVersionsAndEndWhereTheDenseRunEnds() throws Exception {
        try (EmbeddedFloe floe = EmbeddedFloe.start(2, 3, Duration.ofMillis(300), "0")) {
            HospitalsScenario scenario = HospitalsScenario.load(Path.of("../data/wdbc/breast_cancer.csv"), SITES, 42, 0.5, 0.6);

            List<RoundRecord> chunked = FederatedRun.run(floe, scenario, settings("chunked", CHUNK_BYTES), null);
            List<RoundRecord> dense = FederatedRun.run(floe, scenario, settings("dense", null), null);

            // every version published and assembled; learning happened; the dense run ends at the same AUC
            assertThat(chunked).extracting(RoundRecord::version).containsExactly(0L, 1L, 2L, 3L, 4L);
            assertThat(chunked.subList(1, ROUNDS + 1)).allSatisfy(r -> assertThat(r.participants()).isEqualTo(SITES));
            assertThat(chunked.get(ROUNDS).testAuc()).isGreaterThan(0.95).isGreaterThan(chunked.get(0).testAuc());
            assertThat(chunked.get(ROUNDS).testAuc()).isCloseTo(dense.get(ROUNDS).testAuc(), org.assertj.core.data.Offset.offset(0.01));
            // the uplink the ledger measured is the headers plus chunk records: more than the raw floats
            assertThat(chunked.get(1).uplinkBytes()).isGreaterThan(SITES * 513L * 4);

            // on floe.updates: per update a header keyed by the model id, no tensors, and 3 chunks keyed chunked#0..2
            List<ConsumerRecord<byte[], byte[]>> updates = CommittedRecords.read(floe.bootstrapServers(), floe.topics().updates(),
                    READ_TIMEOUT);
            List<ModelUpdate> headers = updates.stream().filter(r -> key(r).equals("chunked"))
                    .map(r -> WireCodec.MODEL_UPDATE.decode(r.value())).toList();
            assertThat(headers).hasSize(SITES * ROUNDS).allSatisfy(h -> {
                assertThat(h.getTensors()).isEmpty();
                assertThat(h.getChunks().getChunkBytes()).isEqualTo(CHUNK_BYTES);
                assertThat(h.getChunks().getSha256()).hasSize(3);
            });
            Map<String, Long> chunksPerKey = updates.stream().filter(r -> key(r).startsWith("chunked#"))
                    .peek(r -> assertThat(WireCodec.UPDATE_CHUNK.hasHeaderOf(r.value())).isTrue())
                    .collect(Collectors.groupingBy(ChunkedTrainersITCase::key, Collectors.counting()));
            assertThat(chunksPerKey).containsOnlyKeys(ChunkData.key("chunked", 0), ChunkData.key("chunked", 1), ChunkData.key("chunked", 2))
                    .allSatisfy((k, n) -> assertThat(n).isEqualTo(SITES * ROUNDS));
            List<UpdateChunk> chunks = updates.stream().filter(r -> key(r).startsWith("chunked#"))
                    .map(r -> WireCodec.UPDATE_CHUNK.decode(r.value())).toList();
            assertThat(chunks.stream().map(UpdateChunk::getUpdateId).collect(Collectors.toSet()))
                    .isEqualTo(headers.stream().map(ModelUpdate::getUpdateId).collect(Collectors.toSet()));
            // dense updates stay whole
            assertThat(updates.stream().filter(r -> key(r).startsWith("dense#"))).isEmpty();

            // the models topic: one manifest per version, chunk records skipped by the check
            PublishedOnceCheck check = PublishedOnceCheck.read(floe.bootstrapServers(), floe.topics(), "chunked", ROUNDS);
            assertThat(check.problems()).isEmpty();
            assertThat(CommittedRecords.read(floe.bootstrapServers(), floe.topics().models(), READ_TIMEOUT).stream()
                    .filter(r -> key(r).startsWith("chunked#"))).hasSize(3 * (ROUNDS + 1));
            List<DeadLetter> letters = CommittedRecords.read(floe.bootstrapServers(), floe.topics().deadLetter(), READ_TIMEOUT).stream()
                    .map(r -> WireCodec.DEAD_LETTER.decode(r.value())).toList();
            assertThat(letters).isEmpty();
            assertThat(floe.jobStatus()).isEqualTo("RUNNING");
        }
    }

    private static RunSettings settings(String modelId, Integer chunkBytes) {
        AggregationConfig aggregation = AggregationConfig.newBuilder().setRule("fedavg").setClientsPerRound(SITES)
                .setChunkBytes(chunkBytes).build();
        return new RunSettings(modelId, "mlp(30,16,1)", 42, ROUNDS, aggregation, ModelRegistration.training(0.1f, 2, 16), "none", 0);
    }

    private static String key(ConsumerRecord<byte[], byte[]> r) {
        return r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
    }
}
