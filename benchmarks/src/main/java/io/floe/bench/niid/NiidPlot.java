package io.floe.bench.niid;

import io.floe.deploy.local.RoundRecord;
import io.floe.deploy.local.TestScores;
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
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYItemRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Test accuracy per round of each algorithm on one partition; centralised and mean single-client as dashed lines. */
final class NiidPlot {
    private static final float[] DASH = {6f, 4f};
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
        new Color(0x9467bd), new Color(0x8c564b)};

    private NiidPlot() {
    }

    static void write(Path file, String partition, List<NiidCell> cells, TestScores centralized, List<TestScores> solo,
            NiidProfile profile) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        long last = 0;
        for (NiidCell c : cells) {
            XYSeries s = new XYSeries(c.algorithm());
            for (RoundRecord r : c.history()) {
                s.add(r.version(), r.testAccuracy());
                last = Math.max(last, r.version());
            }
            data.addSeries(s);
        }
        int algorithms = data.getSeriesCount();
        if (centralized != null) {
            data.addSeries(flat(String.format(Locale.ROOT, "centralised %.3f", centralized.accuracy()), centralized.accuracy(), last));
        }
        if (solo != null && !solo.isEmpty()) {
            double mean = solo.stream().mapToDouble(TestScores::accuracy).average().orElse(Double.NaN);
            data.addSeries(flat(String.format(Locale.ROOT, "single client (mean) %.3f", mean), mean, last));
        }
        JFreeChart chart = ChartFactory.createXYLineChart("Fashion-MNIST, 10 clients, " + partition + " (" + profile.name() + ": "
                + profile.model() + ")", "global version (round)", "test accuracy", data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.getRangeAxis().setRange(0.0, 1.0);
        XYItemRenderer r = plot.getRenderer();
        for (int i = 0; i < data.getSeriesCount(); i++) {
            r.setSeriesPaint(i, i < algorithms ? COLORS[i % COLORS.length] : Color.GRAY.darker());
            r.setSeriesStroke(i, i < algorithms ? new BasicStroke(2f)
                    : new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, DASH, 0f));
        }
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 900, 540);
    }

    private static XYSeries flat(String name, double value, long lastVersion) {
        XYSeries s = new XYSeries(name);
        s.add(0, value);
        s.add(Math.max(1, lastVersion), value);
        return s;
    }
}
