package org.qqt.scaling;

import java.nio.file.Path;
import java.util.List;
import org.qqt.io.BadInputException;

/**
 * Observations from a tree of training runs: each run directory holds {@code run.json} (with at least
 * {@code pool_name}, {@code pool_size}, {@code samples_seen}) and DataComp's {@code eval_results.jsonl}.
 */
final class RunsTree {
    private RunsTree() {}

    static List<Observation> load(Path root, String metric) {
        throw new BadInputException(root + ": reading a runs tree is not implemented yet; give a CSV");
    }
}
