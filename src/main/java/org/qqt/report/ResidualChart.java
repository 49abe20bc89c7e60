package org.qqt.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The fit's residuals (observed − fitted) of every bucket run against samples seen (log x), one colour per bucket,
 * with the zero line: a law that holds leaves no trend.
 */
public final class ResidualChart {
    static final int WIDTH = 760;
    static final int HEIGHT = 480;

    private ResidualChart() {}

    /** One residual: its bucket, samples seen, observed − fitted. */
    public record Point(String pool, double samplesSeen, double residual) {}

    /** Writes the chart to {@code file} (.png or .svg). */
    public static void write(String title, List<Point> points, Path file) {
        Figure5Chart.save(chart(title, points), file, file + ": unknown image type; use .png or .svg");
    }

    static XYChart chart(String title, List<Point> points) {
        XYChart chart = new XYChart(WIDTH, HEIGHT);
        chart.setTitle(title);
        chart.setXAxisTitle("samples seen (log scale)");
        chart.setYAxisTitle("residual (observed − fitted)");
        XYStyler st = chart.getStyler();
        Figure5Chart.style(st);
        st.setYAxisDecimalPattern("0.000");
        Map<String, List<Point>> byPool = new LinkedHashMap<>();
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        double m = 1e-3;
        for (Point p : points) {
            byPool.computeIfAbsent(p.pool(), k -> new java.util.ArrayList<>()).add(p);
            lo = Math.min(lo, p.samplesSeen());
            hi = Math.max(hi, p.samplesSeen());
            m = Math.max(m, Math.abs(p.residual()));
        }
        if (points.isEmpty()) {
            lo = 1;
            hi = 10;
        }
        st.setXAxisMin(lo / 1.3);
        st.setXAxisMax(hi * 1.3);
        st.setYAxisMin(-1.15 * m);
        st.setYAxisMax(1.15 * m);
        XYSeries zero = chart.addSeries("zero", new double[] {lo / 1.3, hi * 1.3}, new double[] {0, 0});
        zero.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        zero.setMarker(SeriesMarkers.NONE);
        zero.setLineColor(new Color(0x777777));
        zero.setLineStyle(new BasicStroke(1f));
        zero.setShowInLegend(false);
        int i = 0;
        for (var e : byPool.entrySet()) {
            XYSeries s = chart.addSeries(e.getKey(), e.getValue().stream().mapToDouble(Point::samplesSeen).toArray(),
                    e.getValue().stream().mapToDouble(Point::residual).toArray());
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(Figure5Chart.colour(i++));
        }
        return chart;
    }
}
