package io.floe.bench.async;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Test AUC against wall-clock seconds, one line per variant, one PNG per dropout rate. */
final class AsyncPlot {
    private AsyncPlot() {
    }

    static void write(Path outDir, List<AsyncResult> results, double targetAuc) throws IOException {
        for (double dropout : results.stream().map(AsyncResult::dropout).distinct().toList()) {
            XYSeriesCollection data = new XYSeriesCollection();
            for (AsyncResult r : results) {
                if (r.dropout() != dropout) {
                    continue;
                }
                XYSeries s = new XYSeries(r.variant().name() + " (" + r.variant().describe() + ")");
                for (double[] p : r.curve()) {
                    s.add(p[0], p[1]);
                }
                data.addSeries(s);
            }
            JFreeChart chart = ChartFactory.createXYLineChart(String.format(Locale.ROOT,
                    "floe: test AUC vs wall-clock, 30%% stragglers, %.0f%% dropouts", 100 * dropout),
                    "seconds since version 0", "test ROC AUC", data, PlotOrientation.VERTICAL, true, false, false);
            XYPlot plot = chart.getXYPlot();
            plot.setBackgroundPaint(Color.WHITE);
            plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
            plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
            plot.getRangeAxis().setRange(0.9, 1.0);
            XYStepRenderer r = new XYStepRenderer();
            Color[] colors = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), Color.GRAY};
            for (int i = 0; i < data.getSeriesCount(); i++) {
                r.setSeriesPaint(i, colors[i % colors.length]);
                r.setSeriesStroke(i, new BasicStroke(2f));
            }
            plot.setRenderer(r);
            ValueMarker target = new ValueMarker(targetAuc, Color.DARK_GRAY, new BasicStroke(1f, BasicStroke.CAP_BUTT,
                    BasicStroke.JOIN_MITER, 1f, new float[] {6f, 4f}, 0f));
            target.setLabel("target " + targetAuc);
            plot.addRangeMarker(target);
            ChartUtils.saveChartAsPNG(outDir.resolve(String.format(Locale.ROOT, "auc-vs-time-dropout-%02.0f.png", 100 * dropout))
                    .toFile(), chart, 900, 540);
        }
    }
}
