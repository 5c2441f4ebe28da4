package io.floe.flink.shard;

/**
 * One piece of a chunked model's next version, to the {@link ManifestWriter} of its model: either
 * the version itself without its chunk hashes and its report (PENDING, from the coordinator), or one
 * chunk's SHA-256 once its folder published it (DIGEST). A Flink POJO.
 */
public class ManifestPart {
    public enum Kind { PENDING, DIGEST }

    public String modelId;
    public Kind kind;
    public long version;
    public int index;
    public byte[] sha256;
    /** PENDING: the GlobalModel (single-object bytes) with an empty hash list, and its report's bytes (absent for version 0... then the CREATED report). */
    public byte[] model;
    public byte[] report;

    public ManifestPart() {
    }

    public static ManifestPart pending(String modelId, long version, byte[] model, byte[] report) {
        ManifestPart p = new ManifestPart();
        p.kind = Kind.PENDING;
        p.modelId = modelId;
        p.version = version;
        p.model = model;
        p.report = report;
        return p;
    }

    public static ManifestPart digest(String modelId, long version, int index, byte[] sha256) {
        ManifestPart p = new ManifestPart();
        p.kind = Kind.DIGEST;
        p.modelId = modelId;
        p.version = version;
        p.index = index;
        p.sha256 = sha256;
        return p;
    }
}
