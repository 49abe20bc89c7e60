package org.qqt.figure5;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;
import org.qqt.scaling.CrossValidation;
import org.qqt.scaling.FitOptions;
import org.qqt.scaling.FitResult;
import org.qqt.scaling.Fitter;
import org.qqt.scaling.Observation;
import org.qqt.scaling.PoolParams;
import org.qqt.scaling.ScalingParams;
import org.qqt.sweep.SweepConfig;

/**
 * fit: the scaling law fitted to the bucket runs' observations, as qqt fit, with its cross-validation (leave-one-out
 * and extrapolation refits, as qqt fit records them); writes params.json.
 */
final class FitStep extends Figure5Step.Fingerprinted {
    FitStep(Figure5Context ctx, StepLedger ledger) {
        super("fit", ctx, ledger, "params.json");
    }

    /** The buckets fitted: bucket_runs, else every bucket. */
    static List<String> fittedBuckets(SweepConfig sweep) {
        List<String> names = new ArrayList<>();
        for (SweepConfig.Bucket b : sweep.buckets()) {
            if (sweep.bucketRuns() == null || sweep.bucketRuns().contains(b.name())) {
                names.add(b.name());
            }
        }
        return names;
    }

    private FitOptions fitOptions() {
        Figure5Config.Section f5 = ctx.figure5;
        FitOptions d = FitOptions.defaults(f5.lawForm(), f5.objectiveKind(), f5.dOrDefault());
        return new FitOptions(d.form(), d.objective(), f5.normalizerOrDefault(), d.d(), f5.aGrid(), f5.bGrid(),
                f5.tauGrid(), d.refine(), f5.bootstrapOrDefault(), 0, ctx.threads(), fittedBuckets(ctx.sweep));
    }

    @Override
    String fingerprint() {
        if (!ctx.allDone("bucket")) {
            return "pending";
        }
        FitOptions o = fitOptions().withThreads(1);
        return Fingerprints.hash(Json.compact(ctx.bucketObservations()) + Json.compact(o)
                + ctx.figure5.metricOrDefault());
    }

    @Override
    void run() {
        List<Observation> observations = ctx.bucketObservations();
        FitOptions options = fitOptions();
        FitResult fitted;
        try {
            fitted = Fitter.fit(observations, options, ctx.figure5.metricOrDefault());
        } catch (BadInputException e) {
            throw BadInputException.inFile(ctx.dir, e.getMessage());
        }
        CrossValidation cv = CrossValidation.run(observations, options);
        ScalingParams p = fitted.params().withCrossValidation(cv);
        p.write(ctx.file("params.json"));
        ctx.out.printf(Locale.ROOT, "  %d points; a = %.4g, d = %.4g, RMSE %.4g%n", observations.size(), p.a(), p.d(),
                p.fit().rmse());
        for (PoolParams pool : p.pools()) {
            ctx.out.printf(Locale.ROOT, "  %-14s b = %8.4f  tau = %6.3f%n", pool.name(), pool.b(), pool.tau());
        }
        printScheme("leave-one-out", cv.leaveOneOut());
        printScheme("extrapolate", cv.extrapolate());
        if (cv.notes() != null) {
            cv.notes().forEach(n -> ctx.out.println("  cross-validation: " + n));
        }
        if (p.fit().warnings() != null) {
            p.fit().warnings().forEach(w -> ctx.out.println("  warning: " + w));
        }
    }

    private void printScheme(String name, CrossValidation.Scheme s) {
        if (s != null) {
            ctx.out.printf(Locale.ROOT, "  %s: MAE %.4f, max %.4f over %d held-out points%n", name, s.mae(),
                    s.maxError(), s.points().size());
        }
    }
}
