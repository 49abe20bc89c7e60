package org.qqt.report;

import java.awt.Color;
import java.nio.file.Path;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Renders a {@link Figure6} with XChart: error vs samples seen (log x), one colour per pool, the fitted curve as a
 * line, fitted runs as dots, held-out runs as larger diamonds. Headless; PNG or SVG by the file's extension.
 */
public final class Figure6Chart {
    static final int WIDTH = 1200;
    static final int HEIGHT = 750;

    private Figure6Chart() {}

    /** Writes {@code fig} to {@code file} (.png or .svg), atomically. */
    public static void write(Figure6 fig, Path file) {
        Figure5Chart.save(build(fig), file, file + ": unknown image type; use .png or .svg");
    }

    static XYChart build(Figure6 fig) {
        double hi = 0;
        for (Figure6.Series s : fig.pools()) {
            hi = Math.max(hi, s.curveX()[s.curveX().length - 1]);
        }
        double scale = hi >= 1e9 ? 1e9 : hi >= 1e6 ? 1e6 : 1;
        String unit = scale == 1e9 ? "billions, " : scale == 1e6 ? "millions, " : "";
        Figure5Chart.Unit u = new Figure5Chart.Unit(scale, unit);
        XYChart chart = new XYChart(WIDTH, HEIGHT);
        chart.setTitle(fig.title());
        chart.setXAxisTitle("samples seen (" + unit + "log scale)");
        chart.setYAxisTitle(fig.yAxisTitle());
        XYStyler st = chart.getStyler();
        Figure5Chart.style(st);
        st.setLegendPosition(Styler.LegendPosition.OutsideE);
        st.setMarkerSize(10);
        for (int i = 0; i < fig.pools().size(); i++) {
            Figure6.Series p = fig.pools().get(i);
            Color c = Figure5Chart.colour(i);
            XYSeries line = chart.addSeries(p.name() + " (fit)", u.of(p.curveX()), p.curveY());
            line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            line.setMarker(SeriesMarkers.NONE);
            line.setLineColor(c);
            if (p.fitX().length > 0) {
                XYSeries dots = chart.addSeries(p.name() + " (fitted runs)", u.of(p.fitX()), p.fitY());
                dots.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                dots.setMarker(SeriesMarkers.CIRCLE);
                dots.setMarkerColor(c);
            }
            if (p.heldX().length > 0) {
                XYSeries held = chart.addSeries(p.name() + " (held out)", u.of(p.heldX()), p.heldY());
                held.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                held.setMarker(SeriesMarkers.DIAMOND);
                held.setMarkerColor(c.darker());
            }
        }
        return chart;
    }
}
