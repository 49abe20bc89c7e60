package org.qqt.scaling;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * {@code qqt bench fit}: how fast and how well the fitter recovers known parameters. Generates 4 pools × 5 points
 * (epochs 2, 4, 6, 8, 10 of a 12.8M bucket, as the paper) from the paper's T-MARS ImageNet values, adds Gaussian
 * noise, times the full reference grid + Levenberg–Marquardt (median of several repetitions after warm-up), and as
 * a same-run baseline times a naive loop that calls {@link Law#error} for every grid row on a subsample.
 */
public final class FitBench {
    private FitBench() {}

    public static final double TRUE_A = 0.022;
    public static final double TRUE_D = 0.1;
    public static final double POOL_SIZE = 12_800_000;
    public static final double[] EPOCHS = {2, 4, 6, 8, 10};

    /** The paper's Fig. 4 values (T-MARS, ImageNet) with the reference code's a and d. */
    public static ScalingParams truth() {
        String[] names = {"top0-10", "top10-20", "top20-30", "top30-40"};
        double[] b = {-0.18, -0.15, -0.12, -0.10};
        double[] tau = {4.36, 4.27, 3.00, 1.55};
        List<PoolParams> pools = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            pools.add(new PoolParams(names[i], POOL_SIZE, b[i], tau[i]));
        }
        return new ScalingParams(TRUE_A, TRUE_D, Law.DEFAULT_NORMALIZER, pools);
    }

    /** The tied case: epochs per point of {@link #tiedTruth()}'s pools (hundreds of passes, as Cherti et al.'s). */
    public static final double[] TIED_EPOCHS = {25, 100, 250, 500};

    /**
     * The tied case of {@code qqt bench fit --tie}: three pools of one kind of data at 2M, 10M and 50M samples sharing
     * b = −0.2 and τ = 30 (Figure 6's setting: same data, different sizes), a = 0.022, d = 0.1.
     */
    public static ScalingParams tiedTruth() {
        List<PoolParams> pools = new ArrayList<>();
        double[] sizes = {2e6, 10e6, 50e6};
        for (int i = 0; i < sizes.length; i++) {
            pools.add(new PoolParams("size" + (int) (sizes[i] / 1e6) + "M", sizes[i], -0.2, 30));
        }
        return new ScalingParams(TRUE_A, TRUE_D, Law.DEFAULT_NORMALIZER, pools);
    }

    /**
     * Observations of every pool of {@code truth} at {@code epochs}·size samples, with i.i.d. N(0, σ²) noise
     * from {@code new Random(seed)} (drawn in pool-major, epoch-minor order).
     */
    public static List<Observation> generate(ScalingParams truth, LawForm form, Objective objective, double[] epochs,
                                             double sigma, long seed) {
        Random rnd = new Random(seed);
        Law law = truth.law(form).forObjective(objective);
        List<Observation> out = new ArrayList<>();
        for (PoolParams p : truth.pools()) {
            UtilitySchedule s = UtilitySchedule.pool(p.b(), p.tau(), objective);
            for (double e : epochs) {
                double seen = e * p.size();
                out.add(new Observation(p.name(), p.size(), seen, law.error(seen, p.size(), s)
                        + sigma * rnd.nextGaussian()));
            }
        }
        return out;
    }

    /**
     * The result of one bench run.
     *
     * @param repetitions timed repetitions (after warm-up)
     * @param fitSeconds median wall time of grid + LM
     * @param gridSeconds median wall time of the grid alone
     * @param gridRows grid rows per fit ((a, pool, b, τ) cells, each over the pool's points)
     * @param rowsPerSecond gridRows / gridSeconds
     * @param singleThreadGridSeconds median grid time with one thread
     * @param naiveSampledRows rows the naive baseline evaluated (every k-th row)
     * @param naiveSeconds naive time for those rows (median of up to 5 runs, interleaved with the timed fits)
     * @param naiveExtrapolatedSeconds naiveSeconds · gridRows / naiveSampledRows
     * @param speedup naiveExtrapolatedSeconds / gridSeconds
     * @param gridSse SSE at the best grid point
     * @param sse SSE after LM
     * @param fitted the fitted parameters
     * @param truth the parameters the data came from
     */
    public record Result(int repetitions, double fitSeconds, double gridSeconds, long gridRows, double rowsPerSecond,
                         double singleThreadGridSeconds, long naiveSampledRows, double naiveSeconds,
                         double naiveExtrapolatedSeconds, double speedup, double gridSse, double sse,
                         ScalingParams fitted, ScalingParams truth, int threads, double crossValidationSeconds,
                         int points) {}

    public static Result run(FitOptions opt, double sigma, long seed, int warmup, int repetitions, int naiveStride) {
        boolean tied = opt.tie().any();
        ScalingParams truth = tied ? tiedTruth() : truth();
        List<Observation> obs = generate(truth, opt.form(), opt.objective(), tied ? TIED_EPOCHS : EPOCHS, sigma, seed);
        FitResult last = null;
        for (int i = 0; i < warmup; i++) {
            last = Fitter.fit(obs, opt, "bench");
            Fitter.fit(obs, opt.withThreads(1), "bench");
        }
        FitData data = FitData.of(obs, null, opt.normalizer());
        naive(data, opt, naiveStride); // warm-up
        // interleaved, so that the fast fit and the naive baseline see the same machine load
        int naiveReps = Math.min(repetitions, 5);
        double[] total = new double[repetitions];
        double[] grid = new double[repetitions];
        double[] single = new double[repetitions];
        double[] naive = new double[naiveReps];
        long sampled = 0;
        for (int r = 0; r < repetitions; r++) {
            long t0 = System.nanoTime();
            last = Fitter.fit(obs, opt, "bench");
            total[r] = (System.nanoTime() - t0) / 1e9;
            grid[r] = last.gridSeconds();
            single[r] = Fitter.fit(obs, opt.withThreads(1).withRefine(false), "bench").gridSeconds();
            if (r < naiveReps) {
                long t1 = System.nanoTime();
                sampled = naive(data, opt, naiveStride);
                naive[r] = (System.nanoTime() - t1) / 1e9;
            }
        }
        long tc = System.nanoTime();
        CrossValidation.run(obs, opt);
        double cvSeconds = (System.nanoTime() - tc) / 1e9;
        double naiveSeconds = median(naive);
        double gridMedian = median(grid);
        double extrapolated = naiveSeconds * last.gridRows() / sampled;
        return new Result(repetitions, median(total), gridMedian, last.gridRows(), last.gridRows() / gridMedian,
                median(single), sampled, naiveSeconds, extrapolated, extrapolated / gridMedian,
                last.params().fit().gridSse(), last.params().fit().sse(), last.params(), truth, opt.threads(),
                cvSeconds, obs.size());
    }

    /**
     * The naive grid: every {@code stride}-th (d, a, pool, b, τ) row evaluated by calling {@link Law#error} for
     * each point of the pool. Returns the number of rows evaluated (their SSEs are summed into a sink so the JIT
     * cannot drop the work).
     */
    static long naive(FitData data, FitOptions opt, int stride) {
        double[] a = opt.a().values();
        double[] b = opt.b().values();
        double[] tau = opt.tau().values();
        long rows = 0;
        long index = 0;
        double sink = 0;
        for (double d : opt.d()) {
            for (double av : a) {
                Law law = new Law(opt.form(), av, d, opt.normalizer()).forObjective(opt.objective());
                for (int i = 0; i < data.pools(); i++) {
                    for (double bv : b) {
                        for (double tv : tau) {
                            if (index++ % stride != 0) {
                                continue;
                            }
                            UtilitySchedule s = UtilitySchedule.pool(bv, tv, opt.objective());
                            double sse = 0;
                            for (int j = data.start[i]; j < data.start[i + 1]; j++) {
                                Observation o = data.points[j];
                                double r = law.error(o.samplesSeen(), o.poolSize(), s) - o.error();
                                sse += r * r;
                            }
                            sink += sse;
                            rows++;
                        }
                    }
                }
            }
        }
        if (sink == -1) {
            throw new AssertionError();
        }
        return rows;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }
}
