package io.floe.bench.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What a bench ingest case leaves behind: the job's log, GC log and REST view (checkpoint history,
 * vertices) beside the JSON report, in {@code ingest-logs/<case>}; its work directory (checkpoints,
 * RocksDB files) is deleted.
 */
final class CaseLogs {
    private CaseLogs() {
    }

    /** Where a case's job log and GC log are kept: beside the JSON, in ingest-logs/<case>. */
    static Path of(Path json, IngestCase c) {
        Path parent = json.toAbsolutePath().getParent();
        return parent.resolve("ingest-logs").resolve(c.name().replace(' ', '_').replace('=', '-') + "_" + c.stateBackend());
    }

    /** The job's checkpoint history and vertices (with their metrics) as the REST API has them at the end of the rounds. */
    static void dump(FlinkRest rest, Path logs, PrintStream log) {
        try {
            Files.createDirectories(logs);
            ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            m.writeValue(logs.resolve("checkpoints.json").toFile(), rest.get("/jobs/" + rest.jobId() + "/checkpoints"));
            m.writeValue(logs.resolve("job.json").toFile(), rest.get("/jobs/" + rest.jobId()));
        } catch (Exception e) {
            log.println("   (reading the job's REST API: " + e + ")");
        }
    }

    /** Copies the job's log and GC log out of the case's work directory (which goes, with its checkpoints and RocksDB files). */
    static void keep(Path jobDir, Path logs, Map<String, Object> row, PrintStream log) {
        try {
            Files.createDirectories(logs);
            for (String name : List.of("job.log", "gc.log")) {
                Path f = jobDir.resolve(name);
                if (Files.exists(f)) {
                    Files.copy(f, logs.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            row.put("jobLogs", logs.toString());
        } catch (IOException e) {
            log.println("   (keeping the job's logs: " + e + ")");
        }
    }

    /** Deletes {@code dir} and everything under it, as far as it can (the case's work directory: checkpoints, RocksDB). */
    static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // best effort
        }
    }
}
