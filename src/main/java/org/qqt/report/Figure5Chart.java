package org.qqt.report;

import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.VectorHints;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import java.awt.AlphaComposite;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Annotation;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.qqt.io.AtomicFiles;
import org.qqt.io.BadInputException;
import org.qqt.io.SampleCount;
import org.qqt.scaling.ParetoFrontier;

/**
 * Renders a {@link Figure5} with XChart: log-x error vs samples seen, one line per mixture, bands and
 * best-mixture regions drawn as translucent overlays, actual points as dots in their mixture's colour.
 * Works headless; writes PNG or SVG by the file's extension.
 */
public final class Figure5Chart {
    static final int WIDTH = 1000;
    static final int HEIGHT = 800;

    /** Matplotlib's tab10: distinguishable, and what the paper's plots use. */
    static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf),
    };

    private Figure5Chart() {}

    /**
     * The x axis unit: millions of samples when the chart reaches 1M (the paper's axes read 10^2 to 10^3 M),
     * thousands when it reaches 1k (the CPU-sized mini Figure 5), else samples.
     */
    record Unit(double scale, String name) {
        static Unit of(Figure5 fig) {
            double hi = 0;
            for (Figure5.Curve c : fig.curves()) {
                for (double v : c.x()) {
                    hi = Math.max(hi, v);
                }
                for (double v : c.actualX()) {
                    hi = Math.max(hi, v);
                }
            }
            return hi >= 1e6 ? new Unit(1e6, "millions") : hi >= 1e3 ? new Unit(1e3, "thousands")
                    : new Unit(1, "samples");
        }

        double[] of(double[] x) {
            double[] out = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                out[i] = x[i] / scale;
            }
            return out;
        }
    }

    public static Color colour(int i) {
        return PALETTE[i % PALETTE.length];
    }

    /** Writes {@code figure} to {@code file}: .png or .svg (anything else is a bad-input error). */
    public static void write(Figure5 figure, Path file) {
        save(build(figure), file, "--plot " + file + ": unknown image type; use .png, .svg, or no extension for both");
    }

    /** Writes {@code chart} to {@code file} by extension (.png or .svg), atomically; else bad input {@code badType}. */
    static void save(XYChart chart, Path file, String badType) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".png")) {
            AtomicFiles.write(file, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
        } else if (n.endsWith(".svg")) {
            AtomicFiles.write(file, out -> writeSvg(chart, out));
        } else {
            throw new BadInputException(badType);
        }
    }

    /**
     * The files a --plot path stands for: itself for .png/.svg, both {@code path.png} and {@code path.svg}
     * when it has no extension.
     */
    public static List<Path> expand(Path plot) {
        String n = plot.getFileName().toString();
        String lower = n.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".png") || lower.endsWith(".svg")) {
            return List.of(plot);
        }
        if (n.contains(".")) {
            throw new BadInputException("--plot " + plot + ": unknown image type; use .png, .svg, or no extension "
                    + "for both");
        }
        return List.of(plot.resolveSibling(n + ".png"), plot.resolveSibling(n + ".svg"));
    }

    /**
     * SVG as XChart's VectorGraphicsEncoder writes it, but with text kept as {@code <text>} (searchable, and
     * a tenth of the size of glyph outlines).
     */
    static void writeSvg(XYChart chart, OutputStream out) throws IOException {
        writeSvg(chart.getWidth(), chart.getHeight(), g -> chart.paint(g, chart.getWidth(), chart.getHeight()), out);
    }

    /** What {@code paint} draws on a {@code width} × {@code height} page, as SVG with text kept as text. */
    static void writeSvg(int width, int height, Consumer<Graphics2D> paint, OutputStream out) throws IOException {
        VectorGraphics2D g = new VectorGraphics2D();
        g.setRenderingHint(VectorHints.KEY_TEXT, VectorHints.VALUE_TEXT_DEFAULT);
        paint.accept(g);
        new SVGProcessor().getDocument(g.getCommands(), new PageSize(0, 0, width, height)).writeTo(out);
        g.dispose();
    }

    /** The house style of qqt's charts: white, light grid, sans-serif, legend below, log x. */
    static void style(XYStyler st) {
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setPlotBorderColor(new Color(0x999999));
        st.setPlotGridLinesColor(new Color(0xe6e6e6));
        st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        st.setChartTitleBoxVisible(false);
        st.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
        st.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        st.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        st.setLegendPosition(Styler.LegendPosition.OutsideS);
        st.setLegendLayout(Styler.LegendLayout.Vertical);
        st.setLegendBorderColor(Color.WHITE);
        st.setLegendBackgroundColor(new Color(255, 255, 255, 235));
        st.setLegendSeriesLineLength(28);
        st.setChartPadding(14);
        st.setXAxisLogarithmic(true);
        st.setXAxisLogarithmicDecadeOnly(false);
        st.setXAxisDecimalPattern("#,##0.#");
        st.setYAxisDecimalPattern("0.00");
        st.setMarkerSize(9);
        st.setAntiAlias(true);
    }

    static XYChart build(Figure5 fig) {
        XYChart chart = new XYChart(WIDTH, HEIGHT);
        chart.setTitle(fig.title());
        Unit unit = Unit.of(fig);
        chart.setXAxisTitle(unit.scale() == 1 ? "samples seen (log scale)"
                : "samples seen (" + unit.name() + ", log scale)");
        chart.setYAxisTitle(fig.yAxisTitle());
        XYStyler st = chart.getStyler();
        style(st);

        double[] yr = yRange(fig);
        double[] xr = xRange(fig, unit);
        st.setYAxisMin(yr[0]);
        st.setYAxisMax(yr[1]);
        st.setXAxisMin(xr[0]);
        st.setXAxisMax(xr[1]);

        // regions first (they are painted over the plot, translucent), then bands, then crossover lines
        for (Figure5.Region r : fig.regions()) {
            chart.addAnnotation(new RegionOverlay(r.from() / unit.scale(), r.to() / unit.scale(), colour(r.index())));
        }
        List<Figure5.Curve> curves = fig.curves();
        for (int i = 0; i < curves.size(); i++) {
            Figure5.Curve c = curves.get(i);
            if (c.low() != null) {
                chart.addAnnotation(new BandOverlay(unit.of(c.x()), c.low(), c.high(), colour(i)));
            }
        }
        for (ParetoFrontier.Crossover c : fig.crossovers()) {
            chart.addAnnotation(new CrossoverLine(c.budget() / unit.scale(), "≈" + SampleCount.format(round3(c.budget()))));
        }

        for (int i = 0; i < curves.size(); i++) {
            Figure5.Curve c = curves.get(i);
            XYSeries s = chart.addSeries(c.label(), unit.of(c.x()), c.y());
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(colour(i));
            s.setLineStyle(new BasicStroke(2.4f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        }
        boolean anyActual = false;
        for (int i = 0; i < curves.size(); i++) {
            Figure5.Curve c = curves.get(i);
            if (c.actualX().length == 0) {
                continue;
            }
            anyActual = true;
            XYSeries s = chart.addSeries(c.name() + " (actual)", unit.of(c.actualX()), c.actualY());
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(colour(i));
            s.setShowInLegend(false);
        }
        if (anyActual) {
            // one neutral legend entry explaining the dots; a point outside the axis range draws nothing
            XYSeries s = chart.addSeries("actual runs (dots)", new double[] {xr[0] / 10}, new double[] {yr[1] * 2});
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(new Color(0x555555));
        }
        return chart;
    }

    private static double round3(double v) {
        double mag = Math.pow(10, Math.floor(Math.log10(v)) - 2);
        return Math.rint(v / mag) * mag;
    }

    static double[] xRange(Figure5 fig, Unit unit) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (Figure5.Curve c : fig.curves()) {
            for (double v : c.x()) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            for (double v : c.actualX()) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        // a little air on both sides in log space; each end moves on to the log axis' next tick (d·10^k) when that
        // widens the axis by at most 15%, so that the ends carry labels
        double pad = Math.pow(hi / lo, 0.03);
        double from = lo / pad / unit.scale();
        double to = hi * pad / unit.scale();
        double span = Math.log(to / from);
        double tickBelow = tickAtOrBelow(from);
        double tickAbove = tickAtOrAbove(to);
        return new double[] {Math.log(from / tickBelow) <= 0.15 * span ? tickBelow : from,
            Math.log(tickAbove / to) <= 0.15 * span ? tickAbove : to};
    }

    /** The largest d·10^k (d = 1..9) at or below v. */
    static double tickAtOrBelow(double v) {
        double decade = Math.pow(10, Math.floor(Math.log10(v)));
        return Math.floor(v / decade * (1 + 1e-12)) * decade;
    }

    /** The smallest d·10^k (d = 1..10) at or above v. */
    static double tickAtOrAbove(double v) {
        double decade = Math.pow(10, Math.floor(Math.log10(v)));
        return Math.ceil(v / decade * (1 - 1e-12)) * decade;
    }

    static double[] yRange(Figure5 fig) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Figure5.Curve c : fig.curves()) {
            for (double[] arr : new double[][] {c.y(), c.low(), c.high(), c.actualY()}) {
                if (arr == null) {
                    continue;
                }
                for (double v : arr) {
                    if (Double.isFinite(v)) {
                        lo = Math.min(lo, v);
                        hi = Math.max(hi, v);
                    }
                }
            }
        }
        if (!(hi > lo)) {
            lo -= 0.05;
            hi += 0.05;
        }
        double pad = 0.06 * (hi - lo);
        double step = niceStep((hi - lo + 2 * pad) / 8);
        return new double[] {Math.floor((lo - pad) / step) * step, Math.ceil((hi + pad) / step) * step};
    }

    private static double niceStep(double raw) {
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * mag >= raw) {
                return m * mag;
            }
        }
        return 10 * mag;
    }

    /** Base for overlays drawn in data coordinates, clipped to the plot area. */
    private abstract static class Overlay extends Annotation {
        Overlay() {
            super(false);
        }

        Rectangle2D plot() {
            int x0 = getXAxisScreenValueForMin();
            int x1 = getXAxisScreenValueForMax();
            int y0 = getYAxisScreenValueForMax();
            int y1 = getYAxisScreenValueForMin();
            return new Rectangle2D.Double(Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0));
        }

        double sx(double x) {
            return getXAxisScreenValue(x);
        }

        double sy(double y) {
            return getYAxisScreenValue(y);
        }

        @Override
        public void paint(Graphics2D g) {
            if (!isVisible) {
                return;
            }
            Graphics2D g2 = (Graphics2D) g.create();
            try {
                Rectangle2D plot = plot();
                g2.clip(plot);
                draw(g2, plot);
            } finally {
                g2.dispose();
            }
        }

        abstract void draw(Graphics2D g, Rectangle2D plot);
    }

    /** A translucent vertical stripe: where one mixture is predicted best. */
    private static final class RegionOverlay extends Overlay {
        private final double from;
        private final double to;
        private final Color colour;

        RegionOverlay(double from, double to, Color colour) {
            this.from = from;
            this.to = to;
            this.colour = colour;
        }

        @Override
        void draw(Graphics2D g, Rectangle2D plot) {
            double a = sx(from);
            double b = sx(to);
            g.setComposite(AlphaComposite.SrcOver);
            g.setColor(new Color(colour.getRed(), colour.getGreen(), colour.getBlue(), 22));
            g.fill(new Rectangle2D.Double(Math.min(a, b), plot.getY(), Math.abs(b - a), plot.getHeight()));
            g.setColor(new Color(colour.getRed(), colour.getGreen(), colour.getBlue(), 210));
            g.fill(new Rectangle2D.Double(Math.min(a, b), plot.getY(), Math.abs(b - a), 6));
        }
    }

    /** A translucent band between two curves (bootstrap 2.5–97.5%). */
    private static final class BandOverlay extends Overlay {
        private final double[] x;
        private final double[] low;
        private final double[] high;
        private final Color colour;

        BandOverlay(double[] x, double[] low, double[] high, Color colour) {
            this.x = x;
            this.low = low;
            this.high = high;
            this.colour = colour;
        }

        @Override
        void draw(Graphics2D g, Rectangle2D plot) {
            Path2D.Double p = new Path2D.Double();
            p.moveTo(sx(x[0]), sy(high[0]));
            for (int i = 1; i < x.length; i++) {
                p.lineTo(sx(x[i]), sy(high[i]));
            }
            for (int i = x.length - 1; i >= 0; i--) {
                p.lineTo(sx(x[i]), sy(low[i]));
            }
            p.closePath();
            g.setColor(new Color(colour.getRed(), colour.getGreen(), colour.getBlue(), 50));
            g.fill((Shape) p);
        }
    }

    /** A dashed vertical line at a crossover, labelled with its budget. */
    private static final class CrossoverLine extends Overlay {
        private final double at;
        private final String label;

        CrossoverLine(double at, String label) {
            this.at = at;
            this.label = label;
        }

        @Override
        void draw(Graphics2D g, Rectangle2D plot) {
            double x = sx(at);
            g.setColor(new Color(0x444444));
            g.setStroke(new BasicStroke(1.3f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                    new float[] {6f, 4f}, 0f));
            g.draw(new java.awt.geom.Line2D.Double(x, plot.getY(), x, plot.getMaxY()));
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
            FontMetrics fm = g.getFontMetrics();
            int w = fm.stringWidth(label);
            double tx = x + 5 + w > plot.getMaxX() ? x - 5 - w : x + 5;
            double ty = plot.getY() + 8 + fm.getAscent();
            g.setColor(new Color(255, 255, 255, 220));
            g.fill(new Rectangle2D.Double(tx - 2, ty - fm.getAscent(), w + 4, fm.getHeight()));
            g.setColor(new Color(0x222222));
            g.drawString(label, (float) tx, (float) ty);
        }
    }
}
