package org.qqt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qqt.cli.CliRun.qqt;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.eval.EvalResultsFile;
import org.qqt.scaling.RunsTree;
import org.qqt.train.Checkpoint;

/**
 * Derived results know their source: each eval line records its checkpoint; eval evaluates again when the
 * checkpoint changed; eval refuses an unfinished run; fit (RunsTree) refuses an unfinished run and a result of
 * another checkpoint; a truncated task shard fails that task instead of scoring part of it.
 */
class EvalProvenanceTest {
    private static CliRun eval(Path run, Path suite, Path world) {
        return qqt("eval", "--run", run.toString(), "--suite", suite.toString(), "--root", world.toString(), "--device",
                "cpu", "--threads", "1");
    }

    private static void setRunJson(Path run, String from, String to) throws Exception {
        Path rj = run.resolve("run.json");
        String text = Files.readString(rj);
        assertTrue(text.contains(from), text);
        Files.writeString(rj, text.replace(from, to));
    }

    @Test
    void resultsRecordTheirCheckpointAndAreRedoneOrRefusedWhenItChanged(@TempDir Path dir) throws Exception {
        Path run = EvalFixtures.trainRun(dir, "run", Path.of("models/tiny.json"));
        Path world = dir.resolve("world");
        Path suite = EvalFixtures.suite(world);
        CliRun first = eval(run, suite, world);
        assertEquals(0, first.code(), first.err());
        Path results = run.resolve(EvalResultsFile.FILE_NAME);
        assertTrue(Files.readString(results).contains("\"checkpoint\": {\"file\": \"latest.safetensors\", \"sha256\": \""),
                Files.readString(results));
        assertEquals(1, RunsTree.scan(run, "mean").observations().size(), "the run's own results are read");

        // the same checkpoint: cached
        CliRun again = eval(run, suite, world);
        assertTrue(again.out().contains("0 evaluated, 3 cached"), again.out());

        // another checkpoint in its place (a resumed, longer run; here: another seed's weights): evaluated again
        CliRun seed1 = qqt("train", "--data", "random", "--model", "models/tiny.json", "--samples-seen", "512",
                "--batch", "256", "--device", "cpu", "--seed", "1", "--out", dir.resolve("seed1").toString());
        assertEquals(0, seed1.code(), seed1.err());
        Files.copy(Checkpoint.latest(dir.resolve("seed1")), Checkpoint.latest(run), StandardCopyOption.REPLACE_EXISTING);
        CliRun redone = eval(run, suite, world);
        assertEquals(0, redone.code(), redone.err());
        assertTrue(redone.out().contains("3 evaluated, 0 cached"), redone.out());
        assertTrue(redone.err().contains("evaluating again"), redone.err());

        // fit: a result of another step than the one the run finished at is refused, naming the file and line
        setRunJson(run, "\"steps_done\" : 2", "\"steps_done\" : 4");
        String stale = refusal(dir);
        assertTrue(stale.contains(results.toString()) && stale.contains("line 1 is from checkpoint latest.safetensors "
                + "at step 2") && stale.contains("finished at step 4"), stale);
        setRunJson(run, "\"steps_done\" : 4", "\"steps_done\" : 2");

        // a result of another run's checkpoint (same step, other training config) is refused too
        setRunJson(run, "\"seed\" : 0", "\"seed\" : 7");
        assertTrue(refusal(dir).contains("of another run"), refusal(dir));
        setRunJson(run, "\"seed\" : 7", "\"seed\" : 0");

        // an unfinished run: eval and fit refuse it
        setRunJson(run, "\"status\" : \"done\"", "\"status\" : \"running\"");
        CliRun unfinished = eval(run, suite, world);
        assertEquals(2, unfinished.code(), unfinished.err());
        assertTrue(unfinished.err().contains("the run is unfinished (status running"), unfinished.err());
        assertTrue(refusal(dir).contains("the run is unfinished"), refusal(dir));
    }

    private static String refusal(Path runs) {
        CliRun fit = qqt("fit", runs.toString(), "--metric", "mean", "--out", runs.resolve("p.json").toString());
        assertEquals(2, fit.code(), fit.err() + fit.out());
        assertEquals(1, fit.err().strip().lines().count(), fit.err());
        return fit.err();
    }

    @Test
    void aTruncatedTaskShardFailsThatTaskNamingTheFile(@TempDir Path dir) throws Exception {
        Path run = EvalFixtures.trainRun(dir, "run", Path.of("models/tiny.json"));
        Path world = dir.resolve("world");
        Path suite = EvalFixtures.suite(world);
        Path shard = world.resolve("tasks/imagenet1k/test/0.tar");
        try (RandomAccessFile f = new RandomAccessFile(shard.toFile(), "rw")) {
            f.setLength(f.length() / 2 + 300); // inside a member
        }
        CliRun r = eval(run, suite, world);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("qqt eval: task imagenet1k failed: " + shard)
                && l.contains("truncated or corrupt")), r.err());
        String results = Files.readString(run.resolve(EvalResultsFile.FILE_NAME));
        assertFalse(results.contains("imagenet1k"), "no partial result: " + results);
        assertTrue(results.contains("\"cars\""), results);
    }
}
