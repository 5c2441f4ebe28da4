package io.floe.deploy.local;

import io.floe.trainer.data.Dataset;
import java.util.List;

/**
 * The data of one federated experiment: each site's local records, the names the sites train
 * under, and the held-out evaluation set that no site sees. {@link FederatedRun} starts one
 * trainer per site, {@link GlobalModelEvaluator} scores every published version on
 * {@link #evaluationSet()}, and {@link Baselines} trains the same model centrally and at each site
 * alone on the same split.
 *
 * <p>Implementations: {@link HospitalsScenario} (WDBC over N hospitals, binary) and
 * {@link FmnistScenario} (Fashion-MNIST over N clients by a NIID-Bench partition, ten classes).
 *
 * <p>Call order does not matter; implementations are immutable and load their data when built.
 */
public interface FederatedScenario {

    /** Short name for reports, e.g. {@code hospitals} or {@code fmnist}. */
    String name();

    /** Each site's raw local records, in site order; a site trainer standardises them itself. */
    List<Dataset> sites();

    /** The client id of site {@code i}, e.g. {@code hospital-03} or {@code client-03}. */
    String siteName(int site);

    /**
     * The held-out set every global version is scored on, already pre-processed as a new site
     * would pre-process its own data (standardised with its own statistics, as every trainer does).
     */
    Dataset evaluationSet();

    /** Classes of the labels: 2 for a binary task, K for a softmax over K classes. */
    int classCount();

    /** True for a task of more than two classes (scored by accuracy; AUC is NaN). */
    default boolean multiclass() {
        return classCount() > 2;
    }

    /** One line per site (size and class mix), each ending in a line separator. */
    String describe();

    /**
     * Whether sites (and the baselines, and the evaluation set) standardise features with their own
     * statistics: true for tables, false for images already scaled to [0, 1].
     */
    default boolean standardizes() {
        return true;
    }
}
