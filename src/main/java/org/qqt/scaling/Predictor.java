package org.qqt.scaling;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import org.qqt.io.BadInputException;

/**
 * Predicts the error of any mixture of fitted pools: the {@link Law} of the params ({@code form}, adapted to the
 * objective) with samples per epoch N̂ = Σ N_i and the mixture's {@link UtilitySchedule}.
 */
public record Predictor(ScalingParams params, LawForm form, Objective objective) {

    /** The law these params, form and objective give. */
    public Law law() {
        return params.law(form).forObjective(objective);
    }

    /** Predicted error of {@code mixture} after {@code samplesSeen} samples. */
    public double error(Mixture mixture, double samplesSeen) {
        return curve(mixture).applyAsDouble(samplesSeen);
    }

    /** {@code mixture}'s predicted error as a function of samples seen (law and schedule built once). */
    public DoubleUnaryOperator curve(Mixture mixture) {
        Law law = law();
        UtilitySchedule schedule = mixture.schedule(objective);
        double size = mixture.size();
        return s -> law.error(s, size, schedule);
    }

    /** Predicted errors of {@code mixture} at each of {@code samplesSeen}. */
    public double[] errors(Mixture mixture, double[] samplesSeen) {
        DoubleUnaryOperator curve = curve(mixture);
        double[] out = new double[samplesSeen.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = curve.applyAsDouble(samplesSeen[i]);
        }
        return out;
    }

    /**
     * Errors of every mixture at every budget, the best mixture per budget, and — when the params carry
     * bootstrap draws — 2.5/97.5 percentile bands per mixture.
     */
    public Prediction predict(List<Mixture> mixtures, List<Double> budgets) {
        double[] s = budgets.stream().mapToDouble(Double::doubleValue).toArray();
        List<Predictor> draws = bootstrapPredictors();
        List<Prediction.Curve> curves = new ArrayList<>();
        for (Mixture m : mixtures) {
            double[] err = errors(m, s);
            double[] low = null;
            double[] high = null;
            if (!draws.isEmpty()) {
                double[][] band = band(draws, m, s);
                low = band[0];
                high = band[1];
            }
            curves.add(new Prediction.Curve(m.name(), m.poolNames(), err, low, high));
        }
        List<String> best = new ArrayList<>();
        for (int j = 0; j < s.length; j++) {
            int arg = 0;
            for (int i = 1; i < curves.size(); i++) {
                if (curves.get(i).error()[j] < curves.get(arg).error()[j]) {
                    arg = i;
                }
            }
            best.add(curves.get(arg).name());
        }
        return new Prediction(List.copyOf(budgets), curves, best);
    }

    /** 2.5 and 97.5 percentiles over the bootstrap {@code draws} of {@code m}'s error at each budget. */
    private double[][] band(List<Predictor> draws, Mixture m, double[] s) {
        double[][] perDraw = new double[draws.size()][];
        for (int k = 0; k < draws.size(); k++) {
            Predictor d = draws.get(k);
            perDraw[k] = d.errors(m.in(d.params()), s);
        }
        double[] low = new double[s.length];
        double[] high = new double[s.length];
        double[] col = new double[draws.size()];
        for (int j = 0; j < s.length; j++) {
            for (int k = 0; k < col.length; k++) {
                col[k] = perDraw[k][j];
            }
            Arrays.sort(col);
            low[j] = percentile(col, 2.5);
            high[j] = percentile(col, 97.5);
        }
        return new double[][] {low, high};
    }

    /** One predictor per bootstrap draw of the params (none when the file has no draws). */
    public List<Predictor> bootstrapPredictors() {
        if (params.bootstrap() == null || params.bootstrap().isEmpty()) {
            return List.of();
        }
        List<Predictor> out = new ArrayList<>();
        int i = 0;
        for (ScalingParams.BootstrapDraw draw : params.bootstrap()) {
            if (draw.b() == null || draw.tau() == null || draw.b().size() != params.pools().size()
                    || draw.tau().size() != params.pools().size()) {
                throw new BadInputException("bootstrap draw " + i + " must list one b and one tau per pool ("
                        + params.pools().size() + ")");
            }
            ScalingParams p = draw.apply(params);
            String problem = p.problem();
            if (problem != null) {
                throw new BadInputException("bootstrap draw " + i + ": " + problem);
            }
            out.add(new Predictor(p, form, objective));
            i++;
        }
        return out;
    }

    /** Linear-interpolation percentile of sorted values (numpy's default), q in [0, 100]. */
    static double percentile(double[] sorted, double q) {
        return Bootstrap.quantileOfSorted(sorted, q / 100.0);
    }
}
