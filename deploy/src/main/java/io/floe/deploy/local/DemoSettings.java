package io.floe.deploy.local;

import io.floe.deploy.chaos.ChaosSchedule;
import java.nio.file.Path;

/**
 * Settings of the embedded demo.
 *
 * @param data the WDBC CSV (or any CSV in the same form)
 * @param hospitals number of simulated hospitals (trainers), all taking part in every round
 * @param labelSkew Dirichlet concentration of each hospital's class mix (smaller = more skewed)
 * @param sizeSkew sigma of the log-normal draw of hospital sizes (larger = more unequal)
 * @param run the federated run (model, rounds, seed, aggregation, client training, attack)
 * @param checkpointIntervalMs Flink checkpoint interval (a published model is visible after the next checkpoint)
 * @param report JSON report path
 * @param plot PNG plot path
 * @param webUiPorts port or range of the Flink web UI
 * @param metricsPorts port or range of the Prometheus endpoint; null for none
 * @param target the test score whose first version and uplink bytes the system metrics report
 * @param chaos faults to inject during the run ({@code --chaos}); none for a calm run
 * @param baselines which baselines to train after the run ({@code --baselines}); null for all
 * @param authenticated whether the sites are enrolled and sign, the job signs and obeys only the operator ({@code --authentication})
 */
public record DemoSettings(Path data, int hospitals, double labelSkew, double sizeSkew, RunSettings run,
        long checkpointIntervalMs, Path report, Path plot, String webUiPorts, String metricsPorts, byte[] dpNoiseSecret,
        FlSystemMetrics.Target target, ChaosSchedule chaos, Baselines.Choice baselines, boolean authenticated) {

    public DemoSettings {
        chaos = chaos == null ? ChaosSchedule.none() : chaos;
        baselines = baselines == null ? Baselines.Choice.ALL : baselines;
    }
}
