package io.floe.bench.compression;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.text.DecimalFormat;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Test score (AUC or accuracy) of each version against the uplink bytes spent to reach it, one
 * line per run, on a log axis of KiB: a compression that learns as fast per byte sits to the left
 * of dense. A colour per compression; solid with error feedback, dashed without; median runs
 * dotted. Version 0 (no bytes yet) is left out.
 */
final class ScoreVersusBytesPlot {
    private static final float[] DASH = {6f, 4f};
    private static final float[] DOT = {2f, 3f};
    private static final Map<String, Color> COLORS = Map.of("none", Color.BLACK, "fp16", new Color(0x1f77b4), "int8",
            new Color(0x2ca02c), "topk:ratio=0.1", new Color(0xff7f0e), "topk:ratio=0.01", new Color(0xd62728), "topk:ratio=0.001",
            new Color(0x9467bd), "topk:ratio=0.01,scope=tensor", new Color(0x8c564b));

    private ScoreVersusBytesPlot() {
    }

    static void write(Path file, String scenario, List<CompressionRun> runs) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (CompressionRun r : runs) {
            XYSeries s = new XYSeries(r.variant().label(), false);
            long[] cumulative = r.cumulativeBytes();
            for (int i = 0; i < cumulative.length; i++) {
                if (cumulative[i] > 0) {
                    s.add(cumulative[i] / 1024.0, r.score(r.history().get(i)));
                }
            }
            data.addSeries(s);
        }
        boolean auc = !runs.isEmpty() && "auc".equals(runs.get(0).target().metric());
        String score = auc ? "test AUC" : "test accuracy";
        JFreeChart chart = ChartFactory.createXYLineChart("floe bench compression: " + scenario + ", " + score
                + " against cumulative uplink", "cumulative uplink (KiB, log scale)", score, data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        LogAxis x = new LogAxis("cumulative uplink (KiB, log scale)");
        x.setSmallestValue(1);
        // a tick at each power of ten, written as a number of KiB (1, 10, 100, ...)
        x.setAutoTickUnitSelection(false);
        x.setTickUnit(new NumberTickUnit(1.0));
        x.setNumberFormatOverride(new DecimalFormat("#,##0"));
        plot.setDomainAxis(x);
        NumberAxis y = (NumberAxis) plot.getRangeAxis();
        y.setAutoRangeIncludesZero(false);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < runs.size(); i++) {
            CompressionVariant v = runs.get(i).variant();
            renderer.setSeriesPaint(i, COLORS.getOrDefault(v.compression(), Color.GRAY));
            float[] pattern = !v.rule().equals("fedavg") ? DOT : v.dense() || v.errorFeedback() ? null : DASH;
            renderer.setSeriesStroke(i, pattern == null ? new BasicStroke(2f)
                    : new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, pattern, 0f));
            renderer.setSeriesShape(i, new java.awt.geom.Ellipse2D.Double(-2, -2, 4, 4));
        }
        plot.setRenderer(renderer);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 1000, 620);
    }
}
