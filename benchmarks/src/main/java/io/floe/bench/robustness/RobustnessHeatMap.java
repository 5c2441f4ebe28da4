package io.floe.bench.robustness;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Heat map of final test AUC: a row per rule, a column per scenario (clean, then attack x N);
 * backdoor columns also show the backdoor success rate. Red is poor, green good.
 */
final class RobustnessHeatMap {
    private static final int CELL_W = 92;
    private static final int CELL_H = 40;
    private static final int LEFT = 130;
    private static final int TOP = 120;

    private RobustnessHeatMap() {
    }

    static void write(Path file, List<RobustnessResult> results, RobustnessExperiment.Plan plan) throws IOException {
        List<String> scenarios = RobustnessTable.scenarios(results);
        Map<String, Map<String, RobustnessResult>> rows = RobustnessTable.byRule(results);
        int width = Math.max(780, LEFT + CELL_W * scenarios.size() + 20);
        int height = TOP + CELL_H * rows.size() + 60;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(String.format(Locale.ROOT, "floe robustness: final test AUC, %d hospitals, %s, %d rounds", plan.hospitals(),
                plan.architecture(), plan.rounds()), 10, 22);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.drawString("cell: AUC (bd = backdoor success); colour from AUC 0.8 or less (red) to 1.0 (green)", 10, 40);
        for (int c = 0; c < scenarios.size(); c++) {
            Graphics2D gr = (Graphics2D) g.create();
            gr.translate(LEFT + c * CELL_W + CELL_W / 2, TOP - 6);
            gr.rotate(-Math.PI / 6);
            gr.drawString(scenarios.get(c), 0, 0);
            gr.dispose();
        }
        int r = 0;
        for (Map.Entry<String, Map<String, RobustnessResult>> row : rows.entrySet()) {
            int y = TOP + r * CELL_H;
            g.setColor(Color.BLACK);
            g.drawString(row.getKey(), 10, y + CELL_H / 2 + 4);
            for (int c = 0; c < scenarios.size(); c++) {
                RobustnessResult res = row.getValue().get(scenarios.get(c));
                int x = LEFT + c * CELL_W;
                if (res == null) {
                    continue;
                }
                g.setColor(colour(res.auc()));
                g.fillRect(x, y, CELL_W, CELL_H);
                g.setColor(Color.DARK_GRAY);
                g.setStroke(new BasicStroke(1f));
                g.drawRect(x, y, CELL_W, CELL_H);
                g.setColor(Color.BLACK);
                String top = String.format(Locale.ROOT, "%.3f", res.auc());
                String bottom = Double.isNaN(res.backdoorSuccess()) ? "" : String.format(Locale.ROOT, "bd %.2f", res.backdoorSuccess());
                FontMetrics fm = g.getFontMetrics();
                g.drawString(top, x + (CELL_W - fm.stringWidth(top)) / 2, y + (bottom.isEmpty() ? CELL_H / 2 + 4 : 16));
                if (!bottom.isEmpty()) {
                    g.drawString(bottom, x + (CELL_W - fm.stringWidth(bottom)) / 2, y + 32);
                }
            }
            r++;
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    /** AUC 0.8 or below red, 1.0 green, through yellow (the differences that matter here are near 1). */
    private static Color colour(double auc) {
        double t = Math.max(0, Math.min(1, (auc - 0.8) / 0.2));
        int red = (int) (t < 0.5 ? 230 : 230 - (t - 0.5) * 2 * 140);
        int green = (int) (t < 0.5 ? 80 + t * 2 * 150 : 230);
        return new Color(red, green, 90);
    }
}
