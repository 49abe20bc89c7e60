package org.qqt.scaling;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * How well a fit matches its observations, written into params.json by {@code qqt fit}.
 *
 * @param law law form used ("additive" or "reference"; effective data always evaluates as "additive")
 * @param objective "utility" or "effective-data"
 * @param metric which error was fitted (imagenet1k, avg18, a task key, or "csv")
 * @param points number of observations fitted
 * @param freeParameters b and τ per pool (per tie group when tied) + a + (d when searched over a list)
 * @param gridSse sum of squared errors at the best grid point
 * @param sse sum of squared errors after refinement (never above gridSse)
 * @param rmse sqrt(sse / points)
 * @param residuals one entry per observation
 * @param ranges the grid that was searched
 * @param intervals bootstrap percentile intervals per parameter (null without --bootstrap)
 * @param refined true when Levenberg–Marquardt improved on the grid point (false: the grid point is kept)
 * @param bootstrapDraws bootstrap refits that converged (null without --bootstrap)
 * @param warnings things the user should look at (an optimum on the edge of the grid, ...); null when none
 * @param tied which pool parameters were shared and by which pools (null: b and τ per pool)
 * @param crossValidation leave-one-out and extrapolation errors (null when not run)
 * @param nesting how the pools nest (null when they do not: see {@link Nesting})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FitReport(String law, String objective, String metric, int points, int freeParameters,
                        double gridSse, double sse, double rmse, List<Residual> residuals, GridRanges ranges,
                        List<Interval> intervals, Boolean refined, Integer bootstrapDraws, List<String> warnings,
                        Tied tied, CrossValidation crossValidation, Nesting nesting) {

    /** This report with cross-validation results added. */
    public FitReport withCrossValidation(CrossValidation cv) {
        return new FitReport(law, objective, metric, points, freeParameters, gridSse, sse, rmse, residuals, ranges,
                intervals, refined, bootstrapDraws, warnings, tied, cv, nesting);
    }

    /**
     * Tied pool parameters: {@code parameters} ("b", "tau") are shared by the pools of each group. Every pool
     * still has its own b and τ in "pools" (the group's value), so predict and validate read the file as before.
     */
    public record Tied(List<String> parameters, List<TieGroup> groups) {}

    /** One tie group: its name ("all" when every pool is in it) and its pools. */
    public record TieGroup(String name, List<String> pools) {}

    /** Observed vs fitted error at one point; residual = observed − fitted. */
    public record Residual(String pool, double samplesSeen, double observed, double fitted, double residual) {}

    /** The searched grid: inclusive ranges with point counts, and the d values tried. */
    public record GridRanges(double aMin, double aMax, int aSteps, double bMin, double bMax, int bSteps,
                             double tauMin, double tauMax, int tauSteps, List<Double> d) {}

    /** A confidence interval for one parameter ("a", "d", "b[top0-10]", "tau[top0-10]"). */
    public record Interval(String parameter, double estimate, double low, double high, double level) {}
}
