package org.qqt.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.knowm.xchart.XYChart;
import org.qqt.io.AtomicFiles;
import org.qqt.io.BadInputException;

/**
 * Small multiples: XChart panels of equal size laid out row by row under one title, painted into one PNG (a bitmap)
 * or one SVG (vector, text kept as {@code <text>}), atomically, by the file's extension.
 */
final class PanelGrid {
    static final int TITLE_HEIGHT = 40;

    private PanelGrid() {}

    /** Writes {@code panels} ({@code columns} per row; all panels the size of the first) to a .png or .svg file. */
    static void write(String title, List<XYChart> panels, int columns, Path file) {
        if (panels.isEmpty()) {
            throw new IllegalArgumentException("no panels");
        }
        int w = panels.get(0).getWidth();
        int h = panels.get(0).getHeight();
        int cols = Math.min(columns, panels.size());
        int rows = (panels.size() + cols - 1) / cols;
        int width = cols * w;
        int height = TITLE_HEIGHT + rows * h;
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".png")) {
            BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            paint(g, title, panels, cols, width, height);
            g.dispose();
            AtomicFiles.write(file, out -> ImageIO.write(img, "png", out));
        } else if (n.endsWith(".svg")) {
            AtomicFiles.write(file, out -> Figure5Chart.writeSvg(width, height,
                    g -> paint(g, title, panels, cols, width, height), out));
        } else {
            throw new BadInputException(file + ": unknown image type; use .png or .svg");
        }
    }

    private static void paint(Graphics2D g, String title, List<XYChart> panels, int cols, int width, int height) {
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(new Color(0x1d232a));
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.drawString(title, 14, 27);
        AffineTransform base = g.getTransform();
        for (int i = 0; i < panels.size(); i++) {
            XYChart c = panels.get(i);
            g.setTransform(base);
            g.translate((i % cols) * c.getWidth(), TITLE_HEIGHT + (i / cols) * c.getHeight());
            c.paint(g, c.getWidth(), c.getHeight());
        }
        g.setTransform(base);
    }
}
