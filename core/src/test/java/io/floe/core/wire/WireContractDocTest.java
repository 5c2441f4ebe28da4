package io.floe.core.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.floe.core.validate.RejectionReason;
import io.floe.schema.AggregationReport;
import io.floe.schema.ClientHeartbeat;
import io.floe.schema.ClientRelease;
import io.floe.schema.DeadLetter;
import io.floe.schema.GlobalModel;
import io.floe.schema.ModelSpec;
import io.floe.schema.ModelUpdate;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

/**
 * The README's wire contract stays true: it lists every record's single-object header (marker
 * and fingerprint, as the bytes appear on the wire) and every rejection reason, and the schema
 * files parse with plain Avro tooling (one {@link Schema.Parser}, files in dependency order).
 */
class WireContractDocTest {
    private static final Path README = Path.of("../README.md");
    private static final List<Schema> RECORDS = List.of(ModelSpec.getClassSchema(), ModelUpdate.getClassSchema(),
            GlobalModel.getClassSchema(), AggregationReport.getClassSchema(), ClientRelease.getClassSchema(),
            ClientHeartbeat.getClassSchema(), DeadLetter.getClassSchema(), io.floe.schema.UpdateChunk.getClassSchema(),
            io.floe.schema.ModelChunk.getClassSchema(), io.floe.schema.ClientEnrolment.getClassSchema(),
            io.floe.schema.ClientRevocation.getClassSchema(), io.floe.schema.ChunkScoreShare.getClassSchema());

    /** The row the README's header table must hold for {@code schema}. */
    static String row(Schema schema) {
        long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        StringBuilder header = new StringBuilder("C3 01");
        for (int i = 0; i < 8; i++) {
            header.append(String.format(" %02X", (fingerprint >>> (8 * i)) & 0xff));
        }
        return "| `" + schema.getFullName() + "` | `" + header + "` | `" + String.format("%016x", fingerprint) + "` |";
    }

    @Test
    void theReadmeListsEveryRecordsSingleObjectHeader() throws Exception {
        String readme = Files.readString(README);

        List<String> missing = new ArrayList<>();
        for (Schema s : RECORDS) {
            if (!readme.contains(row(s))) {
                missing.add(row(s));
            }
        }

        assertThat(missing).as("README rows to add or replace (a schema changed)").isEmpty();
    }

    @Test
    void theReadmeNamesEveryRejectionReason() throws Exception {
        String readme = Files.readString(README);

        assertThat(Arrays.stream(RejectionReason.values()).map(r -> "`" + r.name() + "`"))
                .allSatisfy(code -> assertThat(readme).contains(code));
    }

    @Test
    void theSchemaFilesParseWithOnePlainAvroParserInDependencyOrder() throws Exception {
        File dir = new File("../schemas/src/main/avro");
        Schema.Parser parser = new Schema.Parser();
        List<String> order = List.of("Tensor", "ClientTrainingConfig", "AggregationConfig", "ChunkManifest", "ModelSpec", "ModelUpdate",
                "GlobalModel", "AggregationReport", "ClientRelease", "ClientHeartbeat", "DeadLetter", "UpdateChunk", "ModelChunk",
                "ClientEnrolment", "ClientRevocation", "ChunkScoreShare");

        for (String name : order) {
            parser.parse(new File(dir, name + ".avsc"));
        }

        assertThat(dir.list((d, n) -> n.endsWith(".avsc"))).hasSize(order.size());
        for (Schema s : RECORDS) {
            assertThat(SchemaNormalization.parsingFingerprint64(parser.getTypes().get(s.getFullName())))
                    .as("fingerprint of %s parsed from its file", s.getFullName())
                    .isEqualTo(SchemaNormalization.parsingFingerprint64(s));
        }
    }
}
