package org.qqt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.data.PoolMetadata;
import org.qqt.data.Uid;
import org.qqt.io.Hashes;
import org.qqt.testutil.TestLauncher;

/**
 * The kill -9 campaign, kept: train, filter, eval and score are killed (SIGKILL) at seeded random moments, started
 * again each time, and finally run to the end. The result must be bitwise identical to an uninterrupted run (train:
 * the checkpoint, metrics.jsonl without its timing column and run.json's outcome; filter: every file; eval: the
 * results file; score: the scores), and no temp file or staging directory may be left. Also: two trains started at
 * once on one --out: one trains, the other exits 2 naming the lock.
 */
@Tag("slow")
class KillCampaignTest {
    @TempDir
    static Path dir;
    static Path qqt;
    static int kills;
    static int identical;
    static final long START = System.nanoTime();

    @BeforeAll
    static void launcher() throws Exception {
        qqt = TestLauncher.write(dir);
    }

    @AfterAll
    static void counts() {
        System.out.printf("kill campaign: %d kills, %d of the resumed results bitwise identical, %.0f s%n", kills,
                identical, (System.nanoTime() - START) / 1e9);
    }

    private static ProcessBuilder command(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(qqt.toString()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("log.txt").toFile());
    }

    /** Runs to the end; returns the exit code. */
    private static int complete(List<String> args) throws Exception {
        Process p = command(args).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "timed out: " + args);
        return p.exitValue();
    }

    /**
     * Starts {@code args} {@code times} times, each killed with SIGKILL after a seeded random delay in
     * [minMs, maxMs) (a start that finishes first is not counted as a kill), then runs it to the end.
     */
    private static void killAndFinish(List<String> args, long seed, int times, int minMs, int maxMs) throws Exception {
        Random rnd = new Random(seed);
        for (int i = 0; i < times; i++) {
            Process p = command(args).start();
            long delay = minMs + rnd.nextInt(maxMs - minMs);
            if (!p.waitFor(delay, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly(); // SIGKILL on Linux
                p.waitFor();
                kills++;
            }
        }
        assertEquals(0, complete(args), Files.readString(dir.resolve("log.txt")));
    }

    /** sha256 of every file under {@code root} except the lock, by relative path. */
    private static Map<String, String> files(Path root) throws Exception {
        Map<String, String> h = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                if (!p.getFileName().toString().equals(".qqt.lock")) {
                    h.put(root.relativize(p).toString(), Hashes.sha256(p));
                }
            }
        }
        return h;
    }

    /** Nothing a killed writer leaves: hidden temp files, staging directories. */
    private static void assertNoLeftovers(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            List<Path> left = s.filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".tmp") || n.startsWith(".qqt-");
            }).toList();
            assertEquals(List.of(), left, "leftovers in " + root);
        }
    }

    private static List<String> train(Path out) {
        return List.of("train", "--data", "random", "--model", "models/tiny.json", "--samples-seen", "1280", "--batch",
                "32", "--checkpoint-every", "4", "--threads", "1", "--device", "cpu", "--seed", "3", "--out",
                out.toString());
    }

    /** What a train run produced that must not depend on kills: weights, per-step metrics, outcome. */
    private static String trainResult(Path run) throws Exception {
        String metrics = Files.readString(run.resolve("metrics.jsonl")).replaceAll(",\"samples_per_s\":[^,}]*", "");
        String runJson = Files.readString(run.resolve("run.json"));
        String outcome = runJson.replaceAll("(?s).*(\"status\"[^,]*,).*(\"steps_done\"[^,]*,\\s*\"final_loss\"[^,]*,).*",
                "$1$2");
        return Hashes.sha256(run.resolve("checkpoints/latest.safetensors")) + "\n" + metrics + outcome;
    }

    @Test
    void killedTrainResumesToTheIdenticalRun() throws Exception {
        Path ref = dir.resolve("train-ref");
        assertEquals(0, complete(train(ref)));
        Path killed = dir.resolve("train-killed");
        killAndFinish(train(killed), 13, 5, 1500, 6000);
        assertEquals(trainResult(ref), trainResult(killed));
        identical++;
        assertNoLeftovers(killed);
    }

    @Test
    void killedFilterEndsWithTheIdenticalBuckets() throws Exception {
        List<PoolMetadata.Row> rows = new ArrayList<>();
        Random r = new Random(5);
        for (int i = 0; i < 200_000; i++) {
            rows.add(new PoolMetadata.Row(new Uid(r.nextLong(), i), "a caption " + i, 64, 64, 0.5,
                    Map.of("s", r.nextDouble())));
        }
        Path meta = dir.resolve("filter-pool.parquet");
        PoolMetadata.write(meta, List.of("s"), rows);
        List<String> ref = List.of("filter", "--metadata", meta.toString(), "--score", "s", "--range",
                "0-10,10-20,20-30,30-40", "--random", "50", "--seed", "1", "--out", dir.resolve("filter-ref").toString());
        assertEquals(0, complete(ref));
        List<String> args = new ArrayList<>(ref);
        args.set(args.size() - 1, dir.resolve("filter-killed").toString());
        killAndFinish(args, 14, 5, 400, 2500);
        Map<String, String> a = files(dir.resolve("filter-ref"));
        Map<String, String> b = files(dir.resolve("filter-killed"));
        a.remove("manifest.json"); // it records the typed command, whose --out differs
        b.remove("manifest.json");
        assertEquals(a, b);
        identical++;
        assertNoLeftovers(dir.resolve("filter-killed"));
    }

    @Test
    void killedEvalAndScoreEndWithTheIdenticalResults() throws Exception {
        Path run = EvalFixtures.trainRun(dir, "teacher", Path.of("models/tiny.json"));
        Path world = dir.resolve("world");
        Path suite = EvalFixtures.suite(world);
        List<String> eval = new ArrayList<>(List.of("eval", "--run", run.toString(), "--suite", suite.toString(),
                "--root", world.toString(), "--device", "cpu", "--threads", "1", "--out",
                dir.resolve("eval-ref.jsonl").toString()));
        assertEquals(0, complete(eval));
        eval.set(eval.size() - 1, dir.resolve("evals/eval-killed.jsonl").toString());
        killAndFinish(eval, 15, 4, 1500, 5000);
        assertEquals(Files.readString(dir.resolve("eval-ref.jsonl")),
                Files.readString(dir.resolve("evals/eval-killed.jsonl")));
        identical++;
        assertNoLeftovers(dir.resolve("evals"));

        Path refPool = ScoreCommandTest.pool(dir.resolve("score-ref"));
        List<String> score = new ArrayList<>(List.of("score", "--pool", refPool.toString(), "--teacher",
                run.toString(), "--batch", "4", "--device", "cpu", "--threads", "1"));
        assertEquals(0, complete(score));
        Path pool = ScoreCommandTest.pool(dir.resolve("score-killed"));
        score.set(2, pool.toString());
        killAndFinish(score, 16, 4, 1500, 5000);
        try (PoolMetadata a = PoolMetadata.open(refPool.resolve("metadata.parquet"));
             PoolMetadata b = PoolMetadata.open(pool.resolve("metadata.parquet"))) {
            assertEquals(a.readScores("teacher_score"), b.readScores("teacher_score"));
        }
        identical++;
        assertNoLeftovers(pool);
    }

    @Test
    void twoTrainsOnOneOutputDirectory() throws Exception {
        Path out = dir.resolve("twice");
        Process a = command(train(out)).redirectOutput(dir.resolve("a.txt").toFile()).start();
        Thread.sleep(200);
        Process b = command(train(out)).redirectOutput(dir.resolve("b.txt").toFile()).start();
        assertTrue(a.waitFor(300, TimeUnit.SECONDS) && b.waitFor(300, TimeUnit.SECONDS));
        String errA = Files.readString(dir.resolve("a.txt"));
        String errB = Files.readString(dir.resolve("b.txt"));
        List<Integer> codes = new ArrayList<>(List.of(a.exitValue(), b.exitValue()));
        codes.sort(null);
        assertEquals(List.of(0, 2), codes, "A:\n" + errA + "\nB:\n" + errB);
        String loser = a.exitValue() == 2 ? errA : errB;
        assertEquals(1, loser.strip().lines().count(), loser);
        assertTrue(loser.contains("in use by another qqt process") && loser.contains(out.toString()), loser);
        Path ref = dir.resolve("twice-ref");
        assertEquals(0, complete(train(ref)));
        assertEquals(trainResult(ref), trainResult(out));
    }
}
