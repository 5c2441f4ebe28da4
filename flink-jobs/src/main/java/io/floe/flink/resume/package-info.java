/**
 * What a job that starts without state continues from: each model's newest committed version on
 * the models topic and the privacy ledger of its newest report, read once at submission
 * ({@link io.floe.flink.resume.PublishedModels}) and handed to the aggregation operator, which
 * adopts them for a model that has no keyed state instead of publishing version 0 again.
 */
package io.floe.flink.resume;
