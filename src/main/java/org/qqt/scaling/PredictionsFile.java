package org.qqt.scaling;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.qqt.io.Json;

/**
 * {@code predictions.json} (written by {@code qqt figure5}, printed by {@code qqt predict --format json}): the
 * predicted error of each mixture per budget, the best mixture per budget, and optionally the Pareto frontier.
 * This record is the file's only writer and reader; its schema is in docs/data-formats.md. Fields a producer does
 * not know (the metric of a params file without one, the frontier when not asked for) are left out.
 *
 * @param metric the fitted metric (e.g. imagenet1k), or null
 * @param law the law form ({@link LawForm#cliName()})
 * @param objective the objective ({@link Objective#cliName()})
 * @param budgets samples seen, in the order asked
 * @param mixtures one curve per mixture, in the order asked
 * @param best per budget, the name of the mixture with the lowest predicted error
 * @param range the budget range [from, to] the curves (and the frontier) span
 * @param frontier the best mixture over a log grid of budgets and the crossovers, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PredictionsFile(String metric, String law, String objective, List<Double> budgets,
                              List<Curve> mixtures, List<String> best, double[] range,
                              ParetoFrontier.Frontier frontier) {

    /**
     * One mixture: its name, its pools (buckets), its size in samples, and the predicted error per budget with the
     * 2.5–97.5% bootstrap band ({@code low}/{@code high}, absent without bootstrap draws).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Curve(String name, List<String> pools, @JsonProperty("pool_size") Double poolSize, double[] error,
                        double[] low, double[] high) {}

    /** The file of a prediction of {@code mixtures} (in the prediction's order). */
    public static PredictionsFile of(String metric, LawForm law, Objective objective, Prediction prediction,
                                     List<Mixture> mixtures, double[] range, ParetoFrontier.Frontier frontier) {
        List<Curve> curves = new ArrayList<>();
        for (int i = 0; i < mixtures.size(); i++) {
            Prediction.Curve c = prediction.mixtures().get(i);
            Mixture m = mixtures.get(i);
            curves.add(new Curve(m.name(), m.poolNames(), m.size(), c.error(), c.low(), c.high()));
        }
        return new PredictionsFile(metric, law.cliName(), objective.cliName(), prediction.budgets(), curves,
                prediction.best(), range, frontier);
    }

    /** Writes the file (pretty JSON, atomically). */
    public void write(Path file) {
        Json.write(file, this);
    }

    /** Reads a predictions.json; a malformed one is a one-line BadInputException naming the file. */
    public static PredictionsFile read(Path file) {
        return Json.read(file, PredictionsFile.class);
    }
}
