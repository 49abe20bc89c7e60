package org.qqt.report;

import java.awt.BasicStroke;
import java.awt.Font;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Each run's training curve (loss vs samples seen, log x) as small multiples: one panel per pool or mixture, one
 * line per run of it, one colour per group (the runs' budget: its seeds share it). Long curves are thinned to {@link #MAX_POINTS} window means so
 * the SVG stays small; the shape is kept.
 */
public final class TrainingCurvesChart {
    static final int PANEL_WIDTH = 460;
    static final int PANEL_HEIGHT = 340;
    static final int COLUMNS = 3;
    static final int MAX_POINTS = 300;

    private TrainingCurvesChart() {}

    /**
     * One run's curve: its group (the legend label; runs of a group, e.g. the seeds of one budget, share a colour
     * and one legend entry) and the loss after each logged step.
     */
    public record Series(String group, double[] samplesSeen, double[] loss) {}

    /** One panel: the pool or mixture, and its runs. */
    public record Panel(String title, List<Series> series) {}

    /** Writes the grid to {@code file} (.png or .svg). */
    public static void write(String title, List<Panel> panels, Path file) {
        List<XYChart> charts = new ArrayList<>();
        for (Panel p : panels) {
            charts.add(chart(p));
        }
        PanelGrid.write(title, charts, COLUMNS, file);
    }

    static XYChart chart(Panel p) {
        XYChart chart = new XYChart(PANEL_WIDTH, PANEL_HEIGHT);
        chart.setTitle(p.title());
        chart.setXAxisTitle("samples seen (log)");
        chart.setYAxisTitle("training loss");
        XYStyler st = chart.getStyler();
        Figure5Chart.style(st);
        st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        st.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        st.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        st.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        st.setLegendPosition(Styler.LegendPosition.InsideNE);
        st.setLegendSeriesLineLength(16);
        st.setChartPadding(8);
        st.setYAxisDecimalPattern("0.0##");
        List<String> groups = p.series().stream().map(Series::group).distinct().toList();
        int drawn = 0;
        for (Series s : p.series()) {
            double[][] xy = thin(s.samplesSeen(), s.loss());
            if (xy[0].length == 0) {
                continue;
            }
            int g = groups.indexOf(s.group());
            long runs = p.series().stream().filter(o -> o.group().equals(s.group())).count();
            boolean first = p.series().stream().filter(o -> o.group().equals(s.group())).findFirst().orElseThrow() == s;
            // XChart needs unique series names; only the group's first line is in the legend
            XYSeries line = chart.addSeries(first ? s.group() + " (" + runs + (runs == 1 ? " run)" : " runs)")
                    : s.group() + " #" + drawn, xy[0], xy[1]);
            line.setShowInLegend(first);
            line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            line.setMarker(SeriesMarkers.NONE);
            line.setLineColor(Figure5Chart.colour(g));
            line.setLineStyle(new BasicStroke(1.4f));
            drawn++;
        }
        if (drawn == 0) {
            XYSeries none = chart.addSeries("no metrics.jsonl", new double[] {1}, new double[] {0});
            none.setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }

    /** Points with x > 0 and a finite loss, as at most {@link #MAX_POINTS} means of consecutive windows. */
    static double[][] thin(double[] x, double[] y) {
        List<double[]> ok = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            if (x[i] > 0 && Double.isFinite(y[i])) {
                ok.add(new double[] {x[i], y[i]});
            }
        }
        int window = Math.max(1, (ok.size() + MAX_POINTS - 1) / MAX_POINTS);
        int n = (ok.size() + window - 1) / window;
        double[][] out = new double[2][n];
        for (int k = 0; k < n; k++) {
            int from = k * window;
            int to = Math.min(ok.size(), from + window);
            for (int i = from; i < to; i++) {
                out[1][k] += ok.get(i)[1] / (to - from);
            }
            out[0][k] = ok.get(to - 1)[0];
        }
        return out;
    }
}
