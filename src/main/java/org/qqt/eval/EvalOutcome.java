package org.qqt.eval;

import java.nio.file.Path;
import java.util.List;

/**
 * What one {@link Evaluator#evaluate} call did.
 *
 * @param resultsFile the eval_results.jsonl written
 * @param results     the suite's results now available (cached or new), in suite order
 * @param evaluated   keys evaluated in this call
 * @param cached      keys skipped because the file already held them
 * @param failures    tasks that could not be evaluated (bad data); the CLI exits 2 when there are any
 */
public record EvalOutcome(Path resultsFile, List<EvalResult> results, List<String> evaluated, List<String> cached,
                          List<TaskFailure> failures) {
    public EvalOutcome {
        results = List.copyOf(results);
        evaluated = List.copyOf(evaluated);
        cached = List.copyOf(cached);
        failures = List.copyOf(failures);
    }

    public boolean ok() {
        return failures.isEmpty();
    }
}
