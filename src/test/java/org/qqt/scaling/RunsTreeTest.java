package org.qqt.scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;

class RunsTreeTest {
    @TempDir
    Path root;

    /** A run directory in DataComp's layout; main_metric of task k is base + 0.01·k (k = index in Tasks18). */
    private Path run(String rel, String pool, Object size, Object seen, double base, List<String> keys)
            throws IOException {
        Path dir = root.resolve(rel);
        Files.createDirectories(dir);
        Map<String, Object> runJson = new LinkedHashMap<>();
        runJson.put("pool_name", pool);
        runJson.put("pool_size", size);
        runJson.put("samples_seen", seen);
        runJson.put("model", "ViT-B-32"); // other keys are ignored
        runJson.put("batch_size", 4096);
        Files.writeString(dir.resolve("run.json"), Json.pretty(runJson));
        StringBuilder sb = new StringBuilder();
        for (String k : keys) {
            int idx = Tasks18.KEYS.indexOf(k);
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("key", k);
            line.put("dataset", "name of " + k);
            line.put("metrics", Map.of("acc1", base + 0.01 * idx, "main_metric", base + 0.01 * idx));
            sb.append(Json.compact(line)).append('\n');
        }
        Files.writeString(dir.resolve("eval_results.jsonl"), sb.toString());
        return dir;
    }

    private static double mean18(double base) {
        double s = 0;
        for (int k = 0; k < 18; k++) {
            s += base + 0.01 * k;
        }
        return s / 18;
    }

    @Test
    void readsImagenetAndAvg18ErrorsFromEveryRunDirectoryInPathOrder() throws IOException {
        run("top0-10/e4", "top0-10", 12_800_000, 51_200_000, 0.30, Tasks18.KEYS);
        run("top0-10/e2", "top0-10", "12.8M", "25.6M", 0.20, Tasks18.KEYS);
        run("nested/deeper/top10-20/e2", "top10-20", 12_800_000, 25_600_000, 0.10, Tasks18.KEYS);
        Files.createDirectories(root.resolve("not-a-run"));
        Files.writeString(root.resolve("not-a-run/notes.txt"), "nothing here");

        List<Observation> in1k = RunsTree.load(root, "imagenet1k");
        assertEquals(3, in1k.size());
        // sorted paths: nested/..., top0-10/e2, top0-10/e4
        assertEquals(new Observation("top10-20", 12.8e6, 25.6e6, 1 - 0.10), in1k.get(0));
        assertEquals(new Observation("top0-10", 12.8e6, 25.6e6, 1 - 0.20), in1k.get(1));
        assertEquals(new Observation("top0-10", 12.8e6, 51.2e6, 1 - 0.30), in1k.get(2));

        List<Observation> avg = Observations.load(root, Tasks18.AVG18);
        assertEquals(1 - mean18(0.20), avg.get(1).error(), 1e-15);
        assertEquals(1 - mean18(0.30), avg.get(2).error(), 1e-15);

        List<Observation> cars = RunsTree.load(root, "cars");
        assertEquals(1 - (0.20 + 0.01 * Tasks18.KEYS.indexOf("cars")), cars.get(1).error(), 1e-15);
    }

    @Test
    void softMeanAveragesTheSoftErrorOfTheTasksThatHaveOneAndSoftTaskReadsOne() throws IOException {
        Path dir = run("r", "top0-10", 4000, 20_000, 0.5, List.of());
        Files.writeString(dir.resolve("eval_results.jsonl"), String.join("\n",
                "{\"key\": \"cifar10\", \"dataset\": \"c\", \"metrics\": {\"acc1\": 0.9, \"soft_error\": 0.30, "
                        + "\"cross_entropy\": 0.8, \"main_metric\": 0.9}}",
                "{\"key\": \"food101\", \"dataset\": \"f\", \"metrics\": {\"acc1\": 0.8, \"soft_error\": 0.50, "
                        + "\"main_metric\": 0.8}}",
                "{\"key\": \"flickr30k\", \"dataset\": \"r\", \"metrics\": {\"mean_recall@1\": 0.1, "
                        + "\"main_metric\": 0.1}}", ""));
        // the retrieval task has no soft_error and is left out: (0.30 + 0.50) / 2
        assertEquals(0.40, RunsTree.load(root, RunsTree.SOFT_MEAN).get(0).error(), 1e-12);
        assertEquals(0.50, RunsTree.load(root, "soft:food101").get(0).error(), 1e-12);
        // the hard metrics are unchanged: 1 - mean main_metric over all three tasks
        assertEquals(1 - 1.8 / 3, RunsTree.load(root, RunsTree.MEAN).get(0).error(), 1e-12);
        BadInputException e = assertThrows(BadInputException.class, () -> RunsTree.load(root, "soft:flickr30k"));
        assertTrue(e.getMessage().contains("no soft_error for task 'flickr30k'"), e.getMessage());
        Files.writeString(dir.resolve("eval_results.jsonl"), "{\"key\": \"cifar10\", \"dataset\": \"c\", "
                + "\"metrics\": {\"acc1\": 0.9, \"main_metric\": 0.9}}\n");
        BadInputException old = assertThrows(BadInputException.class, () -> RunsTree.load(root, "soft_mean"));
        assertTrue(old.getMessage().contains("evaluate the run again"), old.getMessage());
    }

    @Test
    void avg18WithAMissingTaskNamesTheRunAndTheMissingKeys() throws IOException {
        List<String> some = new ArrayList<>(Tasks18.KEYS);
        some.remove("vtab/pets");
        some.remove("voc2007");
        Path bad = run("top0-10/e2", "top0-10", 12_800_000, 25_600_000, 0.2, some);
        run("top0-10/e4", "top0-10", 12_800_000, 51_200_000, 0.3, Tasks18.KEYS);
        BadInputException e = assertThrows(BadInputException.class, () -> RunsTree.load(root, "avg18"));
        assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("[vtab/pets, voc2007]"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
        // the imagenet metric is still there
        assertEquals(2, RunsTree.load(root, "imagenet1k").size());
    }

    @Test
    void aNullMainMetricCountsAsMissing() throws IOException {
        Path dir = run("r", "p", 1e6, 2e6, 0.2, Tasks18.KEYS);
        Files.writeString(dir.resolve("eval_results.jsonl"),
                "{\"key\": \"imagenet1k\", \"dataset\": \"x\", \"metrics\": {\"main_metric\": null}}\n");
        BadInputException e = assertThrows(BadInputException.class, () -> RunsTree.load(root, "imagenet1k"));
        assertTrue(e.getMessage().contains("no main_metric for task 'imagenet1k'"), e.getMessage());
    }

    @Test
    void runsWithoutEvalResultsAreSkippedAndReported() throws IOException {
        run("a", "p", 1e6, 2e6, 0.2, List.of("imagenet1k"));
        Path pending = root.resolve("b");
        Files.createDirectories(pending);
        Files.writeString(pending.resolve("run.json"), "{\"pool_name\":\"p\",\"pool_size\":1e6,\"samples_seen\":4e6}");
        RunsTree.Scan scan = RunsTree.scan(root, "imagenet1k");
        assertEquals(1, scan.observations().size());
        assertEquals(List.of(pending), scan.unevaluated());
    }

    @Test
    void malformedRunsAreOneLineErrorsNamingTheFile() throws IOException {
        Path dir = run("a", "p", 1e6, 2e6, 0.2, List.of("imagenet1k"));
        Files.writeString(dir.resolve("run.json"), "{\"pool_name\":\"p\",\"samples_seen\":4e6}");
        BadInputException noSize = assertThrows(BadInputException.class, () -> RunsTree.load(root, "imagenet1k"));
        assertTrue(noSize.getMessage().contains("run.json") && noSize.getMessage().contains("pool_size"),
                noSize.getMessage());
        Files.writeString(dir.resolve("run.json"), "{\"pool_name\":\"p\",\"pool_size\":1e6,\"samples_seen\":4e6}");
        Files.writeString(dir.resolve("eval_results.jsonl"), "{\"key\": \"imagenet1k\", \"metrics\": {\"main_metric\": 1.5}}\n");
        BadInputException range = assertThrows(BadInputException.class, () -> RunsTree.load(root, "imagenet1k"));
        assertTrue(range.getMessage().contains("[0, 1]"), range.getMessage());
        Files.writeString(dir.resolve("eval_results.jsonl"), "not json\n");
        BadInputException json = assertThrows(BadInputException.class, () -> RunsTree.load(root, "imagenet1k"));
        assertTrue(json.getMessage().contains("line 1"), json.getMessage());
        Path empty = root.resolve("empty");
        Files.createDirectories(empty);
        assertThrows(BadInputException.class, () -> RunsTree.load(empty, "imagenet1k"));
    }

    @Test
    void theListHoldsTheEighteenDistinctReferenceKeys() {
        assertEquals(18, Tasks18.KEYS.size());
        assertEquals(18, Tasks18.KEYS.stream().distinct().count());
        assertTrue(Tasks18.KEYS.contains("retrieval/mscoco_2014_5k_test_image_text_retrieval"));
    }
    @Test
    void errorMeaningNamesWhatEachMetricsErrorIs() {
        assertEquals("1 − mean p(true class)", RunsTree.errorMeaning(RunsTree.SOFT_MEAN));
        assertEquals("1 − mean p(true class)", RunsTree.errorMeaning("soft:cifar10"));
        assertEquals("1 − accuracy", RunsTree.errorMeaning("imagenet1k"));
        assertEquals("1 − accuracy", RunsTree.errorMeaning(RunsTree.MEAN));
        assertEquals("1 − accuracy", RunsTree.errorMeaning(null));
    }
}
