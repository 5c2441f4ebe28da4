package io.floe.deploy.local;

import java.nio.file.Path;

/**
 * Settings of the embedded demo.
 *
 * @param data the WDBC CSV (or any CSV in the same form)
 * @param hospitals number of simulated hospitals (trainers), all taking part in every round
 * @param rounds global versions to train after version 0
 * @param seed seeds the split, the initial weights and local shuffling
 * @param labelSkew Dirichlet concentration of each hospital's class mix (smaller = more skewed)
 * @param sizeSkew sigma of the log-normal draw of hospital sizes (larger = more unequal)
 * @param rule aggregation rule
 * @param architecture model descriptor, e.g. logreg(30) or mlp(30,16,1)
 * @param learningRate client learning rate
 * @param localEpochs local epochs per round
 * @param batchSize client batch size
 * @param checkpointIntervalMs Flink checkpoint interval (a published model is visible after the next checkpoint)
 * @param report JSON report path
 * @param plot PNG plot path
 * @param webUiPorts port or range of the Flink web UI
 */
public record DemoSettings(Path data, int hospitals, int rounds, long seed, double labelSkew, double sizeSkew, String rule, String architecture,
        float learningRate, int localEpochs, int batchSize, long checkpointIntervalMs, Path report, Path plot,
        String webUiPorts) {
}
