package io.floe.core.anomaly;

/** What the anomaly policy does with one update. */
public enum Decision {
    /** Nothing suspicious. */
    ACCEPT,
    /** Suspicious, kept at full weight, noted in the report. */
    FLAG,
    /** Suspicious, kept with its weight multiplied by the policy's factor. */
    DOWNWEIGHT,
    /** Suspicious, left out of the aggregate and dead-lettered. */
    REJECT
}
