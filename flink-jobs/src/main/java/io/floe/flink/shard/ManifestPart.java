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
    /** PENDING: the anomaly policy's thresholds the cosine scores are judged by (NaN: not judged again). */
    public double normZThreshold = Double.NaN;
    public double cosineThreshold = Double.NaN;
    /**
     * DIGEST under a coordinate-wise rule: the round's members (sorted by update id), each one's dot
     * with the chunk's coordinate-wise median, and the median's sum of squares
     * ({@link io.floe.core.anomaly.MedianCosines.Share}); null otherwise.
     */
    public String[] members;
    public double[] medianDots;
    public double medianSquares;

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

    /** A DIGEST with the chunk's share of its members' cosine scores. */
    public static ManifestPart digest(String modelId, long version, int index, byte[] sha256, String[] members,
            io.floe.core.anomaly.MedianCosines.Share share) {
        ManifestPart p = digest(modelId, version, index, sha256);
        p.members = members;
        p.medianDots = share.dots();
        p.medianSquares = share.medianSquares();
        return p;
    }

    /** PENDING's policy, when its report's cosines are to be judged again. */
    public io.floe.core.anomaly.AnomalyPolicy policy() {
        return Double.isNaN(cosineThreshold) ? null : new io.floe.core.anomaly.AnomalyPolicy(io.floe.core.anomaly.Decision.FLAG,
                normZThreshold, cosineThreshold, io.floe.core.anomaly.AnomalyPolicy.DEFAULT_DOWNWEIGHT, 0);
    }
}
