package org.qqt.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.io.BadInputException;

class EvaluatorTest {
    @TempDir
    Path dir;

    private final Path root = Path.of("/data/eval");

    /** Deterministic in-memory data per task key; counts loads. */
    static final class SynthFactory implements TaskDataFactory {
        final Map<String, Integer> loads = new HashMap<>();
        final Map<String, TaskData> overrides = new HashMap<>();
        final Map<String, RuntimeException> failures = new HashMap<>();

        @Override
        public TaskData load(TaskSpec task, Path directory, int imageSize) {
            loads.merge(task.key(), 1, Integer::sum);
            if (failures.containsKey(task.key())) {
                throw failures.get(task.key());
            }
            if (overrides.containsKey(task.key())) {
                return overrides.get(task.key());
            }
            FakeEncoder shape = new FakeEncoder(imageSize);
            long seed = task.key().hashCode();
            if (task.type() == TaskType.RETRIEVAL) {
                return Fixtures.retrieval(directory, shape, 40, 2, 0.25, seed);
            }
            int classes = task.key().startsWith("imagenet") ? 12 : 4 + Math.floorMod(task.key().hashCode(), 9);
            return Fixtures.classification(directory, shape, classes, 150, 0.45, seed);
        }
    }

    private Evaluator evaluator(TaskDataFactory f, List<String> log) {
        return new Evaluator(f, 64, log::add);
    }

    @Test
    void allEighteenLinesParseWithTheReferenceFittingRules() throws Exception {
        TaskSuite suite = TaskSuite.load(TaskSuiteTest.DATACOMP18);
        Path out = dir.resolve("eval_results.jsonl");
        EvalOutcome o = evaluator(new SynthFactory(), new ArrayList<>()).evaluate(suite, root, new FakeEncoder(4), out);
        assertTrue(o.ok(), o.failures().toString());
        assertEquals(18, o.evaluated().size());

        // locuslab process_128_grid.py: json.loads each line, match line["key"], take metrics.main_metric,
        // assert all 18 found, plain mean
        ObjectMapper plain = new ObjectMapper();
        Map<String, Double> found = new LinkedHashMap<>();
        for (String line : Files.readAllLines(out)) {
            JsonNode n = plain.readTree(line);
            String key = n.get("key").asText();
            if (DatacompTasks.PAPER_18.contains(key)) {
                JsonNode main = n.get("metrics").get("main_metric");
                assertTrue(main.isNumber(), line);
                found.put(key, main.asDouble());
                assertEquals(suite.task(key).dataset(), n.get("dataset").asText());
                assertEquals(n.get("metrics").get(suite.task(key).mainMetric()).asDouble(), main.asDouble(), 0);
            }
        }
        assertEquals(18, found.size());
        double mean = found.values().stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        EvalSummary summary = EvalSummary.of(EvalResultsFile.open(out));
        assertEquals(1 - mean, summary.mean18Error(), 1e-12);
        assertEquals(1 - found.get("imagenet1k"), summary.imagenetError(), 0);
        assertTrue(summary.mean18Error() > 0.01 && summary.mean18Error() < 0.9, "non-trivial: " + summary.mean18Error());

        JsonNode flickr = plain.readTree(Files.readAllLines(out).get(16));
        List<String> names = new ArrayList<>();
        flickr.get("metrics").fieldNames().forEachRemaining(names::add);
        List<String> expected = new ArrayList<>(RetrievalMetrics.NAMES);
        expected.add("main_metric");
        assertEquals(expected, names);
        JsonNode m = flickr.get("metrics");
        assertEquals(0.5 * (m.get("image_retrieval_recall@1").asDouble() + m.get("text_retrieval_recall@1").asDouble()),
                m.get("mean_recall@1").asDouble(), 1e-15);
    }

    /** An encoder that dies on its n-th image batch, as a killed process would stop. */
    static final class DyingEncoder extends FakeEncoder {
        private final int dieAt;

        DyingEncoder(int imageSize, int dieAt) {
            super(imageSize);
            this.dieAt = dieAt;
        }

        @Override
        public float[][] encodeImages(ImageBatch images) {
            if (imageCalls + 1 == dieAt) {
                throw new IllegalStateException("killed");
            }
            return super.encodeImages(images);
        }
    }

    @Test
    void killedEvaluationResumedGivesTheSameFileAsAnUninterruptedOne() throws Exception {
        TaskSuite suite = TaskSuite.load(TaskSuiteTest.SYNTH18);
        Path whole = dir.resolve("whole/eval_results.jsonl");
        evaluator(new SynthFactory(), new ArrayList<>()).evaluate(suite, root, new FakeEncoder(4), whole);

        Path resumed = dir.resolve("resumed/eval_results.jsonl");
        // 3 image batches per classification task (150 images / 64): call 20 is inside the 7th task
        assertThrows(IllegalStateException.class, () -> evaluator(new SynthFactory(), new ArrayList<>())
                .evaluate(suite, root, new DyingEncoder(4, 20), resumed));
        List<String> partial = Files.readAllLines(resumed);
        assertEquals(6, partial.size());
        assertEquals(Files.readAllLines(whole).subList(0, 6), partial);

        EvalOutcome o = evaluator(new SynthFactory(), new ArrayList<>()).evaluate(suite, root, new FakeEncoder(4), resumed);
        assertEquals(6, o.cached().size());
        assertEquals(12, o.evaluated().size());
        assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(resumed));
    }

    @Test
    void badTasksFailWithOneLineNamingTheFileAndTheRestAreStillEvaluated() throws Exception {
        TaskSuite suite = new TaskSuite("four", null, List.of(
                TaskSpec.of("cars", "Stanford Cars", TaskType.CLASSIFICATION, "acc1", "wds_cars_test"),
                TaskSpec.of("cifar10", "CIFAR-10", TaskType.CLASSIFICATION, "acc1", "wds_cifar10_test"),
                TaskSpec.of("food101", "Food-101", TaskType.CLASSIFICATION, "acc1", "wds_food101_test"),
                TaskSpec.of("mnist", "MNIST", TaskType.CLASSIFICATION, "acc1", "wds_mnist_test")));
        SynthFactory f = new SynthFactory();
        Path carsNames = root.resolve("wds_cars_test/classnames.txt");
        f.failures.put("cars", BadInputException.inFile(carsNames, "no such file"));
        FakeEncoder shape = new FakeEncoder(4);
        InMemoryTaskData good = Fixtures.classification(root.resolve("wds_cifar10_test"), shape, 5, 20, 0.1, 1);
        int[] labels = new int[20];
        labels[13] = 5;
        float[][] px = new float[1][];
        good.forEachBatch(20, b -> px[0] = b.images().pixels());
        f.overrides.put("cifar10", InMemoryTaskData.classification(good.source(), 4, good.classNames(),
                good.templates(), px[0], labels));
        f.overrides.put("food101", InMemoryTaskData.classification(root.resolve("wds_food101_test"), 4,
                List.of("a", "b"), List.of("{c}"), new float[0], new int[0]));

        Path out = dir.resolve("eval_results.jsonl");
        List<String> log = new ArrayList<>();
        EvalOutcome o = evaluator(f, log).evaluate(suite, root, new FakeEncoder(4), out);
        assertFalse(o.ok());
        assertEquals(List.of("mnist"), o.evaluated());
        assertEquals(List.of("cars", "cifar10", "food101"), o.failures().stream().map(TaskFailure::key).toList());
        for (TaskFailure fail : o.failures()) {
            assertFalse(fail.message().contains("\n"), fail.message());
            assertTrue(fail.message().startsWith(root.resolve("wds_" + fail.key() + "_test").toString()), fail.message());
        }
        assertTrue(o.failures().get(0).message().startsWith(carsNames.toString()));
        assertTrue(o.failures().get(1).message().contains("image 13 has label 5 outside 0..4"), o.failures().get(1).message());
        assertTrue(o.failures().get(2).message().contains("no images"), o.failures().get(2).message());
        assertEquals(1, Files.readAllLines(out).size());

        // once the data is fixed, only the failed tasks run
        f.failures.clear();
        f.overrides.clear();
        EvalOutcome again = evaluator(f, log).evaluate(suite, root, new FakeEncoder(4), out);
        assertTrue(again.ok());
        assertEquals(List.of("mnist"), again.cached());
        assertEquals(List.of("cars", "cifar10", "food101"), again.evaluated());
        assertEquals(List.of("cars", "cifar10", "food101", "mnist"),
                again.results().stream().map(EvalResult::key).toList(), "results in suite order");
    }

    @Test
    void templateWithoutPlaceholderAndWrongImageSizeAreBadTasks() {
        TaskSpec t = TaskSpec.of("cars", "Stanford Cars", TaskType.CLASSIFICATION, "acc1", "c");
        Evaluator e = new Evaluator((s, d, i) -> { throw new AssertionError(); });
        InMemoryTaskData noPlaceholder = InMemoryTaskData.classification(Path.of("c"), 4, List.of("a", "b"),
                List.of("a photo of a {c}", "a photo of {classname}"), new float[2 * 48], new int[] {0, 1});
        BadInputException ex = assertThrows(BadInputException.class, () -> e.evaluateTask(t, noPlaceholder, new FakeEncoder(4)));
        assertTrue(ex.getMessage().contains("zeroshot_classification_templates.txt") && ex.getMessage().contains("template 2"),
                ex.getMessage());
        InMemoryTaskData small = Fixtures.classification(Path.of("c"), new FakeEncoder(2), 3, 6, 0, 1);
        assertThrows(BadInputException.class, () -> e.evaluateTask(t, small, new FakeEncoder(4)));
    }

    @Test
    void cachedTaskDataIsLoadedOnceAcrossCheckpointsAndSharedClassNamesAreEmbeddedOnce() {
        TaskSuite suite = TaskSuite.load(TaskSuiteTest.SYNTH18);
        SynthFactory f = new SynthFactory();
        CachingTaskDataFactory cache = new CachingTaskDataFactory(f, 1L << 30);
        Evaluator e = evaluator(cache, new ArrayList<>());
        FakeEncoder first = new FakeEncoder(4);
        e.evaluate(suite, root, first, dir.resolve("ckpt1/eval_results.jsonl"));
        e.evaluate(suite, root, new FakeEncoder(4), dir.resolve("ckpt2/eval_results.jsonl"));
        assertEquals(18, f.loads.size());
        assertTrue(f.loads.values().stream().allMatch(n -> n == 1), f.loads.toString());
        assertEquals(18, cache.cachedTasks());

        // the 6 imagenet-like tasks share 12 class names x 3 templates: embedded once per model
        int classTexts = 0;
        Map<List<List<String>>, Boolean> distinct = new HashMap<>();
        for (TaskSpec t : suite.tasks()) {
            TaskData d = cache.load(t, t.directory(root), 4);
            if (d.type() == TaskType.CLASSIFICATION && distinct.put(List.of(d.classNames(), d.templates()), true) == null) {
                classTexts += d.classNames().size() * d.templates().size();
            }
        }
        int captionTexts = 2 * 40 * 2;
        assertEquals(classTexts + captionTexts, first.textsEncoded);
    }

    @Test
    void cacheOverBudgetServesFromTheDelegate() {
        SynthFactory f = new SynthFactory();
        CachingTaskDataFactory cache = new CachingTaskDataFactory(f, 1000);
        TaskSpec t = TaskSpec.of("cars", "Stanford Cars", TaskType.CLASSIFICATION, "acc1", "c");
        cache.load(t, Path.of("c"), 4);
        cache.load(t, Path.of("c"), 4);
        assertEquals(2, f.loads.get("cars"));
        assertEquals(0, cache.cachedTasks());
    }

    @Test
    void summaryCountsPresentTasksWhenSomeAreMissing() {
        List<EvalResult> rs = List.of(new EvalResult("imagenet1k", "ImageNet 1k", Map.of("main_metric", 0.25)),
                new EvalResult("cars", "Stanford Cars", Map.of("main_metric", 0.5)),
                new EvalResult("mnist", "MNIST", Map.of("main_metric", 0.9)));
        EvalSummary s = EvalSummary.of(rs);
        assertEquals(0.75, s.imagenetError());
        assertNull(s.mean18Error());
        assertEquals(2, s.present18());
        assertEquals(16, s.missing18().size());
        assertTrue(s.format().contains("2 of 18 tasks present"), s.format());
        assertNotNull(s.toJson());
        assertTrue(s.toJson().contains("\"imagenet_error\":0.75"), s.toJson());
    }

    @Test
    void unusableResultsPathStopsTheEvaluationBeforeAnyTask() throws Exception {
        Path blocker = Files.writeString(dir.resolve("not-a-dir"), "x");
        SynthFactory f = new SynthFactory();
        TaskSuite suite = TaskSuite.load(TaskSuiteTest.SYNTH18);
        BadInputException e = assertThrows(BadInputException.class, () -> evaluator(f, new ArrayList<>())
                .evaluate(suite, root, new FakeEncoder(4), blocker.resolve("eval_results.jsonl")));
        assertTrue(e.getMessage().startsWith(blocker.resolve("eval_results.jsonl").toString()), e.getMessage());
        assertEquals(0, f.loads.size());
    }
}
