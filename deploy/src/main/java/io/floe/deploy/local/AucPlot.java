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
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Test AUC per global version as a PNG, with the centralised and single-hospital baselines as lines. */
public final class AucPlot {
    private AucPlot() {
    }

    public static void write(Path file, String title, List<RoundRecord> history, Baselines.Result baselines) throws IOException {
        XYSeries fed = new XYSeries("federated (floe)");
        for (RoundRecord r : history) {
            fed.add(r.version(), r.testAuc());
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "global version (round)", "test ROC AUC",
                new XYSeriesCollection(fed), PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.getRenderer().setSeriesStroke(0, new BasicStroke(2.5f));
        plot.getRenderer().setSeriesPaint(0, new Color(0x1f77b4));
        addBaseline(plot, "centralised " + fmt(baselines.centralized().auc()), baselines.centralized().auc(), new Color(0x2ca02c));
        addBaseline(plot, "best single hospital " + fmt(baselines.bestSingleSite().auc()), baselines.bestSingleSite().auc(),
                new Color(0xff7f0e));
        addBaseline(plot, "mean single hospital " + fmt(baselines.meanSingleSiteAuc()), baselines.meanSingleSiteAuc(),
                new Color(0xd62728));
        double lowest = Math.min(baselines.meanSingleSiteAuc(),
                history.stream().skip(1).mapToDouble(RoundRecord::testAuc).min().orElse(0.5));
        plot.getRangeAxis().setRange(Math.max(0.0, Math.floor((lowest - 0.02) * 50) / 50), 1.0);
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 900, 540);
    }

    private static void addBaseline(XYPlot plot, String label, double value, Color color) {
        ValueMarker m = new ValueMarker(value, color, new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f,
                new float[] {6f, 4f}, 0f));
        m.setLabel(label);
        m.setLabelPaint(color);
        m.setLabelAnchor(RectangleAnchor.BOTTOM_RIGHT);
        m.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
        plot.addRangeMarker(m);
    }

    private static String fmt(double v) {
        return String.format("%.4f", v);
    }
}
