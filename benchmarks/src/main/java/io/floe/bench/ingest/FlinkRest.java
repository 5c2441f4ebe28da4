package io.floe.bench.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The few figures {@code bench ingest} reads from the job's Flink REST API. */
final class FlinkRest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String jobId;

    FlinkRest(String restUrl, String jobId) {
        this.base = restUrl.endsWith("/") ? restUrl.substring(0, restUrl.length() - 1) : restUrl;
        this.jobId = jobId;
    }

    String jobId() {
        return jobId;
    }

    JsonNode get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** /jobs/:id/checkpoints: completed count and the latest completed checkpoint's state size (full) and checkpointed size (incremental). */
    record Checkpoints(long completed, long failed, long stateSize, long checkpointedSize, long durationMs, String lastFailure) {
    }

    Checkpoints checkpoints() throws Exception {
        JsonNode n = get("/jobs/" + jobId + "/checkpoints");
        JsonNode latest = n.path("latest").path("completed");
        return new Checkpoints(n.path("counts").path("completed").asLong(), n.path("counts").path("failed").asLong(),
                latest.path("state_size").asLong(-1), latest.path("checkpointed_size").asLong(-1),
                latest.path("end_to_end_duration").asLong(-1),
                n.path("latest").path("failed").path("failure_message").asText(null));
    }

    /** The state backend the job runs with (/jobs/:id/checkpoints/config). */
    String stateBackend() throws Exception {
        return get("/jobs/" + jobId + "/checkpoints/config").path("state_backend").asText("?");
    }

    String status() throws Exception {
        return get("/jobs/" + jobId).path("state").asText("?");
    }

    /** Failures of the job so far (entries of its exception history), -1 if unknown. */
    long failures() {
        try {
            JsonNode h = get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries");
            return h.isArray() ? h.size() : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    /** The root exception of the job's last failure, or null. */
    String rootException() {
        try {
            JsonNode n = get("/jobs/" + jobId + "/exceptions");
            JsonNode h = n.path("exceptionHistory").path("entries");
            if (h.isArray() && h.size() > 0) {
                String s = h.get(0).path("stacktrace").asText("");
                return s.lines().findFirst().orElse(s);
            }
            return null;
        } catch (Exception e) {
            return null;
        }
    }
}
