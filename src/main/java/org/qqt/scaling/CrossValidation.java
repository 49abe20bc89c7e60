package org.qqt.scaling;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.qqt.io.BadInputException;

/**
 * How well the law predicts points it did not see, so that a user can judge a prediction before trusting it:
 * <ul>
 *   <li>leave-one-out: every point predicted by a full refit (grid + LM, same options) on all other points;
 *   <li>extrapolate: one refit on all but the largest budget of each pool, predicting those budgets.
 * </ul>
 * A scheme that cannot run (a held-out pool would have no points left, or fewer points than free parameters)
 * is null with the reason in {@code notes}. {@link #run} is what {@code qqt fit} and reports call.
 *
 * @param leaveOneOut leave-one-out errors, null when it cannot run
 * @param extrapolate extrapolation errors, null when it cannot run
 * @param notes why a scheme did not run (null when both ran)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CrossValidation(Scheme leaveOneOut, Scheme extrapolate, List<String> notes) {

    /** One held-out point: observed error, predicted error, |difference|. */
    public record Point(String pool, double samplesSeen, double observed, double predicted, double absError) {}

    /** The held-out points of one scheme with their mean and maximum absolute error. */
    public record Scheme(List<Point> points, double mae, double maxError) {
        static Scheme of(List<Point> points) {
            double sum = 0;
            double max = 0;
            for (Point p : points) {
                sum += p.absError();
                max = Math.max(max, p.absError());
            }
            return new Scheme(List.copyOf(points), sum / points.size(), max);
        }
    }

    /** Both schemes on {@code observations} with the options of the full fit (bootstrap off). */
    public static CrossValidation run(List<Observation> observations, FitOptions opt) {
        FitOptions plain = opt.withBootstrap(0, opt.seed());
        if (opt.pools() != null) {
            observations = observations.stream().filter(o -> opt.pools().contains(o.pool())).toList();
        }
        List<String> notes = new ArrayList<>();
        Scheme loo = leaveOneOut(observations, plain, notes);
        Scheme ext = extrapolate(observations, plain, notes);
        return new CrossValidation(loo, ext, notes.isEmpty() ? null : notes);
    }

    /** Every point predicted from a refit on the others, in input order; null (with a note) when impossible. */
    public static Scheme leaveOneOut(List<Observation> observations, FitOptions opt, List<String> notes) {
        List<Point> out = new ArrayList<>();
        for (int i = 0; i < observations.size(); i++) {
            List<Observation> rest = new ArrayList<>(observations);
            Observation held = rest.remove(i);
            FitResult fit = refit(rest, List.of(held), opt, "leave-one-out", notes);
            if (fit == null) {
                return null;
            }
            out.add(point(fit.params(), held, opt));
        }
        return Scheme.of(out);
    }

    /** The largest budget of each pool predicted from a refit on the smaller budgets; null when impossible. */
    public static Scheme extrapolate(List<Observation> observations, FitOptions opt, List<String> notes) {
        List<Observation> held = new ArrayList<>();
        List<Observation> train = new ArrayList<>();
        for (Observation o : observations) {
            double largest = observations.stream().filter(x -> x.pool().equals(o.pool()))
                    .max(Comparator.comparingDouble(Observation::samplesSeen)).orElseThrow().samplesSeen();
            (o.samplesSeen() == largest ? held : train).add(o);
        }
        FitResult fit = refit(train, held, opt, "extrapolate", notes);
        if (fit == null) {
            return null;
        }
        List<Point> out = new ArrayList<>();
        for (Observation o : held) {
            out.add(point(fit.params(), o, opt));
        }
        return Scheme.of(out);
    }

    private static FitResult refit(List<Observation> train, List<Observation> held, FitOptions opt, String scheme,
                                   List<String> notes) {
        for (Observation o : held) {
            if (train.stream().noneMatch(x -> x.pool().equals(o.pool()))) {
                notes.add(scheme + " not run: pool '" + o.pool() + "' would have no points left");
                return null;
            }
        }
        try {
            return Fitter.fit(train, opt, "cv");
        } catch (BadInputException e) {
            notes.add(scheme + " not run: " + e.getMessage());
            return null;
        }
    }

    /** The held-out point's prediction from its pool's fitted b and τ. */
    private static Point point(ScalingParams p, Observation o, FitOptions opt) {
        PoolParams pool = p.pool(o.pool());
        double pred = p.law(opt.form()).forObjective(opt.objective())
                .error(o.samplesSeen(), o.poolSize(), UtilitySchedule.pool(pool.b(), pool.tau(), opt.objective()));
        return new Point(o.pool(), o.samplesSeen(), o.error(), pred, Math.abs(pred - o.error()));
    }
}
