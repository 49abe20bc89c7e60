package org.qqt.report;

import java.util.ArrayList;
import java.util.List;
import org.qqt.scaling.Law;
import org.qqt.scaling.LawForm;
import org.qqt.scaling.Objective;
import org.qqt.scaling.Observation;
import org.qqt.scaling.PoolParams;
import org.qqt.scaling.ScalingParams;
import org.qqt.scaling.UtilitySchedule;

/**
 * The data of a Figure-6 chart (Goyal et al. refitting Cherti et al.'s runs): per pool the fitted error curve
 * over samples seen, the runs the fit saw, and the held-out runs it predicts.
 *
 * @param title chart title (with the held-out MAE)
 * @param yAxisTitle y axis title
 * @param pools one series per pool, in the params' pool order
 */
public record Figure6(String title, String yAxisTitle, List<Series> pools) {
    /** Curve points per pool. */
    static final int CURVE_POINTS = 120;

    /** One pool: its fitted curve, the points fitted, the points held out. */
    public record Series(String name, double[] curveX, double[] curveY, double[] fitX, double[] fitY,
                         double[] heldX, double[] heldY) {}

    /**
     * Curves of every pool of {@code params} from half the smallest to 1.5 times the largest samples seen of
     * {@code fitted} and {@code heldOut} together, log-spaced.
     */
    public static Figure6 of(String title, String yAxisTitle, ScalingParams params, LawForm form, Objective objective,
                             List<Observation> fitted, List<Observation> heldOut) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (List<Observation> l : List.of(fitted, heldOut)) {
            for (Observation o : l) {
                lo = Math.min(lo, o.samplesSeen());
                hi = Math.max(hi, o.samplesSeen());
            }
        }
        lo /= 2;
        hi *= 1.5;
        Law law = params.law(form).forObjective(objective);
        List<Series> out = new ArrayList<>();
        for (PoolParams p : params.pools()) {
            UtilitySchedule s = UtilitySchedule.pool(p.b(), p.tau(), objective);
            double[] x = new double[CURVE_POINTS];
            double[] y = new double[CURVE_POINTS];
            for (int i = 0; i < CURVE_POINTS; i++) {
                x[i] = lo * Math.pow(hi / lo, i / (CURVE_POINTS - 1.0));
                y[i] = law.error(x[i], p.size(), s);
            }
            List<Observation> f = fitted.stream().filter(o -> o.pool().equals(p.name())).toList();
            List<Observation> h = heldOut.stream().filter(o -> o.pool().equals(p.name())).toList();
            out.add(new Series(p.name(), x, y, xs(f), ys(f), xs(h), ys(h)));
        }
        return new Figure6(title, yAxisTitle, out);
    }

    private static double[] xs(List<Observation> l) {
        return l.stream().mapToDouble(Observation::samplesSeen).toArray();
    }

    private static double[] ys(List<Observation> l) {
        return l.stream().mapToDouble(Observation::error).toArray();
    }
}
