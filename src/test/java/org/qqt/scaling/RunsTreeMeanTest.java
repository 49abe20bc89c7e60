package org.qqt.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.io.BadInputException;

/** The metric "mean": 1 − the mean main_metric over whatever tasks the run was evaluated on. */
class RunsTreeMeanTest {
    @TempDir
    Path root;

    private void run(String rel, String results) throws IOException {
        Path dir = root.resolve(rel);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("run.json"),
                "{\"pool_name\": \"top0-10\", \"pool_size\": 1000, \"samples_seen\": 4000}");
        Files.writeString(dir.resolve("eval_results.jsonl"), results);
    }

    private static String line(String key, Object main) {
        return "{\"key\": \"" + key + "\", \"dataset\": \"d\", \"metrics\": {\"main_metric\": " + main + "}}\n";
    }

    @Test
    void meanMetricAveragesEveryEvaluatedTaskAndSkipsNullMetrics() throws IOException {
        run("a", line("imagenet1k", 0.2) + line("cars", 0.4) + line("flickr/crop", 0.9) + line("broken", "null"));
        List<Observation> obs = RunsTree.scan(root, RunsTree.MEAN).observations();
        assertEquals(1, obs.size());
        assertEquals(1 - (0.2 + 0.4 + 0.9) / 3, obs.get(0).error(), 1e-12);
        // the same run read as imagenet1k: only that task counts
        assertEquals(0.8, RunsTree.scan(root, "imagenet1k").observations().get(0).error(), 1e-12);
    }

    @Test
    void meanMetricOfARunWithoutAnyMainMetricIsBadInput() throws IOException {
        run("a", line("imagenet1k", "null"));
        BadInputException e = assertThrows(BadInputException.class, () -> RunsTree.scan(root, RunsTree.MEAN));
        assertEquals(1, e.getMessage().lines().count());
    }
}
