package io.floe.deploy.local;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYItemRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Test AUC (binary scenarios) or test accuracy (multiclass scenarios) per global version as a PNG,
 * with the centralised and single-site baselines as dashed lines (those the run trained).
 */
public final class AucPlot {
    private static final float[] DASH = {6f, 4f};

    private AucPlot() {
    }

    /** Test AUC per version, baselines labelled "hospital" (the hospitals demo). */
    public static void write(Path file, String title, List<RoundRecord> history, Baselines.Result baselines) throws IOException {
        write(file, title, history, baselines, false, "hospital");
    }

    /**
     * @param accuracy plot test accuracy (multiclass) instead of test AUC
     * @param siteWord what a site is called in the legend, e.g. {@code client}
     */
    public static void write(Path file, String title, List<RoundRecord> history, Baselines.Result baselines, boolean accuracy,
            String siteWord) throws IOException {
        long last = history.get(history.size() - 1).version();
        XYSeries fed = new XYSeries("federated (floe)");
        for (RoundRecord r : history) {
            fed.add(r.version(), accuracy ? r.testAccuracy() : r.testAuc());
        }
        XYSeriesCollection data = new XYSeriesCollection(fed);
        double lowestBaseline = Double.POSITIVE_INFINITY;
        if (baselines.hasCentralized()) {
            double central = accuracy ? baselines.centralized().accuracy() : baselines.centralized().auc();
            data.addSeries(flat(String.format("centralised (pooled data) %.4f", central), central, last));
            lowestBaseline = central;
        }
        if (baselines.hasSingleSites()) {
            double best = accuracy ? baselines.bestSingleSite().accuracy() : baselines.bestSingleSite().auc();
            double mean = accuracy ? baselines.meanSingleSiteAccuracy() : baselines.meanSingleSiteAuc();
            data.addSeries(flat(String.format("best single %s %.4f", siteWord, best), best, last));
            data.addSeries(flat(String.format("mean single %s %.4f", siteWord, mean), mean, last));
            lowestBaseline = Math.min(lowestBaseline, mean);
        }

        JFreeChart chart = ChartFactory.createXYLineChart(title, "global version (round)", accuracy ? "test accuracy" : "test ROC AUC", data,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYItemRenderer r = plot.getRenderer();
        Color[] colors = {new Color(0x1f77b4), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0xd62728)};
        for (int i = 0; i < colors.length; i++) {
            r.setSeriesPaint(i, colors[i]);
            r.setSeriesStroke(i, i == 0 ? new BasicStroke(2.5f)
                    : new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, DASH, 0f));
        }
        double lowest = Math.min(lowestBaseline, history.stream().skip(1)
                .mapToDouble(h -> accuracy ? h.testAccuracy() : h.testAuc()).min().orElse(accuracy ? 0.0 : 0.5));
        plot.getRangeAxis().setRange(Math.max(0.0, Math.floor((lowest - 0.02) * 50) / 50), 1.0);
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 900, 540);
    }

    private static XYSeries flat(String name, double value, long lastVersion) {
        XYSeries s = new XYSeries(name);
        s.add(0, value);
        s.add(lastVersion, value);
        return s;
    }
}
