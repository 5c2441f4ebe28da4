package io.floe.bench.privacy;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Test AUC against epsilon (log scale); runs without DP as dashed lines at the right edge. */
final class PrivacyPlot {
    private PrivacyPlot() {
    }

    static void write(Path file, List<PrivacyPoint> points) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        double maxEps = points.stream().mapToDouble(PrivacyPoint::epsilon).filter(Double::isFinite).max().orElse(10);
        for (String setting : new String[] {"local DP-SGD", "central DP"}) {
            XYSeries dp = new XYSeries(setting + " (10 hospitals)".replace("10 hospitals",
                    setting.startsWith("local") ? "10 hospitals" : "many clients"));
            XYSeries none = new XYSeries(setting + ", no DP");
            for (PrivacyPoint p : points) {
                if (!p.setting().equals(setting)) {
                    continue;
                }
                if (Double.isFinite(p.epsilon()) && p.epsilon() > 0) {
                    dp.add(p.epsilon(), p.auc());
                } else if (Double.isInfinite(p.epsilon())) {
                    none.add(0.3, p.auc());
                    none.add(maxEps * 1.5, p.auc());
                }
            }
            data.addSeries(dp);
            data.addSeries(none);
        }
        JFreeChart chart = ChartFactory.createXYLineChart("floe: privacy vs utility on WDBC", "epsilon (delta 1e-5)", "test ROC AUC",
                data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        LogAxis x = new LogAxis("epsilon (delta 1e-5), log scale");
        x.setSmallestValue(0.1);
        x.setNumberFormatOverride(new java.text.DecimalFormat("0.##"));
        plot.setDomainAxis(x);
        double lowest = points.stream().mapToDouble(PrivacyPoint::auc).min().orElse(0.5);
        plot.getRangeAxis().setRange(Math.max(0, Math.floor((lowest - 0.03) * 20) / 20), 1.0);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        Color[] colors = {new Color(0x1f77b4), new Color(0x1f77b4), new Color(0xd62728), new Color(0xd62728)};
        for (int i = 0; i < 4; i++) {
            r.setSeriesPaint(i, colors[i]);
            r.setSeriesShapesVisible(i, i % 2 == 0);
            r.setSeriesStroke(i, i % 2 == 0 ? new BasicStroke(2f)
                    : new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {6f, 4f}, 0f));
        }
        plot.setRenderer(r);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 900, 540);
    }
}
