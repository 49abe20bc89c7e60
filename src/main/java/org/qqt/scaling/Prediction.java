package org.qqt.scaling;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Predicted error of several mixtures at several budgets (samples seen), and the best mixture per budget.
 *
 * @param budgets samples seen, in the order asked
 * @param mixtures one entry per mixture, in the order asked
 * @param best per budget, the name of the mixture with the lowest predicted error (first one on a tie)
 */
public record Prediction(List<Double> budgets, List<Curve> mixtures, List<String> best) {

    /**
     * One mixture's predictions, {@code error[j]} at {@code budgets[j]}; {@code low}/{@code high} are the 2.5 and
     * 97.5 percentiles over the params file's bootstrap draws, null when it has none.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Curve(String name, List<String> pools, double[] error, double[] low, double[] high) {
        public boolean hasBands() {
            return low != null;
        }
    }
}
