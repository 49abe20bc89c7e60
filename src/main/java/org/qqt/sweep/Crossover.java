package org.qqt.sweep;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.qqt.eval.EvalResultsFile;
import org.qqt.io.SampleCount;
import org.qqt.scaling.RunsTree;

/**
 * {@code qqt study crossover}: the sweep's validation runs (each mixture × budget × seed, the same runs and ids as
 * {@code qqt sweep plan} lists with kind "validation", which the Figure 5 report reuses) as a table of mean error
 * ± standard error over seeds, with the winner of each budget and its margin over the runner-up.
 */
public final class Crossover {
    private Crossover() {}

    /** The validation runs of the plan, in plan order. */
    public static List<RunSpec> runs(SweepPlan plan) {
        return plan.runs().stream().filter(r -> "validation".equals(r.kind())).toList();
    }

    /** One finished and evaluated run's error. */
    public record Point(String mixture, double samplesSeen, int seed, String id, double error) {}

    /**
     * The error of every validation run that is done and evaluated ({@link RunsTree#read}, so the metric is
     * read as {@code qqt fit} reads it); {@code missing} hears the ids of the others.
     */
    public static List<Point> points(SweepPlan plan, String metric, List<String> missing) {
        List<Point> out = new ArrayList<>();
        for (RunSpec r : runs(plan)) {
            Path dir = plan.runDir(r.id());
            if (!Files.isRegularFile(dir.resolve(RunState.DONE))
                    || !Files.isRegularFile(dir.resolve(EvalResultsFile.FILE_NAME))) {
                missing.add(r.id());
                continue;
            }
            out.add(new Point(r.poolName(), r.samplesSeen(), r.seed(), r.id(), RunsTree.read(dir, metric).error()));
        }
        return out;
    }

    /** A mixture × budget cell. */
    public record Cell(String mixture, double samplesSeen, SeedStats stats) {}

    /**
     * The best mixture of a budget (lowest mean error) and its margin over the runner-up, also in units of the
     * combined standard error √(se₁² + se₂²) (NaN when a mixture has a single seed). Null runner-up: one mixture.
     */
    public record Winner(double samplesSeen, String winner, String runnerUp, double margin, double combinedSe) {
        public double z() {
            return margin / combinedSe;
        }
    }

    public record Table(List<String> mixtures, List<Double> budgets, List<Cell> cells, List<Winner> winners,
                        String metric) {

        public Cell cell(String mixture, double budget) {
            return cells.stream().filter(c -> c.mixture().equals(mixture) && c.samplesSeen() == budget).findFirst()
                    .orElseThrow();
        }

        /** crossover.csv: mixture, samples_seen, seeds, mean_error, se. */
        public String csv() {
            StringBuilder b = new StringBuilder("metric,mixture,samples_seen,seeds,mean_error,se\n");
            for (Cell c : cells) {
                b.append(String.format(Locale.ROOT, "%s,%s,%.0f,%d,%s,%s%n", metric, c.mixture(), c.samplesSeen(),
                        c.stats().n(), num(c.stats().mean()), num(c.stats().se())));
            }
            return b.toString();
        }

        private static String num(double v) {
            return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v);
        }

        /** The table (rows mixtures, columns budgets) and the winners, in markdown. */
        public String markdown() {
            StringBuilder b = new StringBuilder();
            b.append("Error (metric ").append(metric).append("), mean ± standard error over seeds; bold: the winner "
                    + "of the budget.\n\n| mixture |");
            budgets.forEach(s -> b.append(' ').append(SampleCount.format(s)).append(" |"));
            b.append("\n|---|");
            budgets.forEach(s -> b.append("---|"));
            b.append('\n');
            for (String m : mixtures) {
                b.append("| ").append(m).append(" |");
                for (double s : budgets) {
                    Cell c = cell(m, s);
                    boolean win = winners.stream().anyMatch(w -> w.samplesSeen() == s && m.equals(w.winner()));
                    String text = c.stats().format();
                    b.append(' ').append(win ? "**" + text + "**" : text).append(" |");
                }
                b.append('\n');
            }
            b.append("\n| budget | winner | runner-up | margin | margin / combined SE |\n|---|---|---|---|---|\n");
            for (Winner w : winners) {
                b.append("| ").append(SampleCount.format(w.samplesSeen())).append(" | ").append(w.winner())
                        .append(" | ").append(w.runnerUp() == null ? "-" : w.runnerUp()).append(" | ")
                        .append(w.runnerUp() == null ? "-" : String.format(Locale.ROOT, "%.4f", w.margin()))
                        .append(" | ").append(w.runnerUp() == null || Double.isNaN(w.z()) ? "n/a"
                                : String.format(Locale.ROOT, "%.1f", w.z())).append(" |\n");
            }
            return b.toString();
        }
    }

    /** The table of {@code points} over {@code mixtures} × {@code budgets} (orders kept). */
    public static Table table(List<Point> points, List<String> mixtures, List<Double> budgets, String metric) {
        List<Cell> cells = new ArrayList<>();
        List<Winner> winners = new ArrayList<>();
        for (double s : budgets) {
            List<Cell> here = new ArrayList<>();
            for (String m : mixtures) {
                List<Double> errs = points.stream().filter(p -> p.mixture().equals(m) && p.samplesSeen() == s)
                        .map(Point::error).toList();
                here.add(new Cell(m, s, SeedStats.of(errs)));
            }
            cells.addAll(here);
            Winner w = winner(s, here);
            if (w != null) {
                winners.add(w);
            }
        }
        cells.sort(Comparator.comparingInt((Cell c) -> mixtures.indexOf(c.mixture()))
                .thenComparingDouble(Cell::samplesSeen));
        return new Table(List.copyOf(mixtures), List.copyOf(budgets), List.copyOf(cells), List.copyOf(winners), metric);
    }

    /** The winner among the measured cells of one budget (null when none is measured). */
    static Winner winner(double budget, List<Cell> cells) {
        List<Cell> measured = cells.stream().filter(c -> c.stats().n() > 0)
                .sorted(Comparator.comparingDouble((Cell c) -> c.stats().mean())).toList();
        if (measured.isEmpty()) {
            return null;
        }
        Cell best = measured.get(0);
        if (measured.size() == 1) {
            return new Winner(budget, best.mixture(), null, Double.NaN, Double.NaN);
        }
        Cell second = measured.get(1);
        double se = Math.sqrt(best.stats().se() * best.stats().se() + second.stats().se() * second.stats().se());
        return new Winner(budget, best.mixture(), second.mixture(), second.stats().mean() - best.stats().mean(), se);
    }
}
