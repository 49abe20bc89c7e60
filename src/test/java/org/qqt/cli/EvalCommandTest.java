package org.qqt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qqt.cli.CliRun.qqt;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.eval.EvalResult;
import org.qqt.eval.EvalResultsFile;
import org.qqt.train.Checkpoint;

class EvalCommandTest {
    private static final String RETRIEVAL = "retrieval/flickr_1k_test_image_text_retrieval";

    private static List<String> keys(Path jsonl) throws Exception {
        return Files.readAllLines(jsonl).stream().filter(l -> !l.isBlank()).map(l -> EvalResult.parse(l).key()).toList();
    }

    @Test
    void writesDatacompJsonlAndResumesAfterAKill(@TempDir Path dir) throws Exception {
        Path run = EvalFixtures.trainRun(dir, "run", Path.of("models/tiny.json"));
        Path suite = EvalFixtures.suite(dir.resolve("world"));
        CliRun r = qqt("eval", "--run", run.toString(), "--suite", suite.toString(), "--root",
                dir.resolve("world").toString(), "--batch", "4", "--device", "cpu");
        assertEquals(0, r.code(), r.err());
        Path jsonl = run.resolve(EvalResultsFile.FILE_NAME);
        assertEquals(List.of("imagenet1k", "cars", RETRIEVAL), keys(jsonl));
        for (String line : Files.readAllLines(jsonl)) {
            EvalResult e = EvalResult.parse(line);
            double m = e.mainMetric();
            assertTrue(m >= 0 && m <= 1, line);
        }
        assertTrue(r.out().contains("ImageNet error"), r.out());
        String full = Files.readString(jsonl);

        // a kill while appending the second line: the first line complete, the second torn
        List<String> lines = Files.readAllLines(jsonl);
        Files.writeString(jsonl, lines.get(0) + "\n" + lines.get(1).substring(0, 20), StandardCharsets.UTF_8);
        CliRun again = qqt("eval", "--run", run.toString(), "--suite", suite.toString(), "--root",
                dir.resolve("world/tasks").toString(), "--batch", "3", "--device", "cpu");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("imagenet1k (ImageNet 1k): cached"), again.err());
        assertTrue(again.err().contains("torn"), again.err());
        assertEquals(List.of("imagenet1k", "cars", RETRIEVAL), keys(jsonl));
        assertEquals(full, Files.readString(jsonl), "re-evaluated tasks give the same lines (batch size independent)");
    }

    @Test
    void badTaskDirIsExit2AndOtherTasksAreEvaluated(@TempDir Path dir) throws Exception {
        Path run = EvalFixtures.trainRun(dir, "run", Path.of("models/tiny.json"));
        Path world = dir.resolve("world");
        Path suite = EvalFixtures.suite(world);
        Files.delete(world.resolve("tasks/cars/classnames.txt"));
        CliRun r = qqt("eval", "--run", run.toString(), "--suite", suite.toString(), "--root",
                world.toString(), "--device", "cpu", "--threads", "1");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.contains("cars") && l.contains("classnames.txt")
                && l.contains("failed")), r.err());
        assertEquals(List.of("imagenet1k", RETRIEVAL), keys(run.resolve(EvalResultsFile.FILE_NAME)));
    }

    @Test
    void checkpointOfAnotherModelConfigIsExit2(@TempDir Path dir) throws Exception {
        Path run = EvalFixtures.trainRun(dir, "run", Path.of("models/tiny.json"));
        Path other = dir.resolve("other.json");
        Files.writeString(other, Files.readString(Path.of("models/tiny.json"))
                .replace("\"tiny\"", "\"tiny-wide\"").replace("\"embed_dim\": 64", "\"embed_dim\": 32"));
        Path otherRun = EvalFixtures.trainRun(dir, "other", other);
        Path suite = EvalFixtures.suite(dir.resolve("world"));
        CliRun r = qqt("eval", "--run", run.toString(), "--checkpoint",
                Checkpoint.latest(otherRun).toString(), "--suite", suite.toString(), "--root",
                dir.resolve("world").toString(), "--device", "cpu");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("latest.safetensors") && r.err().contains("tiny-wide"), r.err());
        assertFalse(Files.exists(run.resolve(EvalResultsFile.FILE_NAME)));
    }
}
