package org.qqt.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.scaling.RunsTree;

/** The arithmetic of the learnability and crossover tables, on hand-made numbers. */
class StudyTablesTest {
    static final double EPS = 1e-12;

    @Test
    void seedStatsAreTheMeanAndTheSampleSdOverRootN() {
        SeedStats s = SeedStats.of(List.of(0.1, 0.3));
        assertEquals(0.2, s.mean(), EPS);
        assertEquals(0.1, s.se(), EPS, "sd = √(0.01+0.01)/1 = 0.1414, / √2");
        SeedStats three = SeedStats.of(List.of(1.0, 2.0, 6.0));
        assertEquals(3.0, three.mean(), EPS);
        assertEquals(Math.sqrt(7.0 / 3), three.se(), EPS, "var = (4+1+9)/2 = 7");
        assertTrue(Double.isNaN(SeedStats.of(List.of(0.5)).se()), "one seed has no measurable spread");
        assertEquals("0.500 ± n/a", SeedStats.of(List.of(0.5)).format());
        assertEquals("-", SeedStats.of(List.of()).format());
        assertEquals(0.01, SeedStats.binomialSe(0.1, 900), EPS);
    }

    @Test
    void learnedAtIsTheFirstCountBelowHalfOfChance() {
        List<Long> at = List.of(25_000L, 50_000L, 100_000L);
        assertEquals(50_000L, Learnability.learnedAt(at, List.of(0.8, 0.44, 0.2), 0.9));
        assertNull(Learnability.learnedAt(at, List.of(0.8, 0.45, 0.46), 0.9), "0.45 is not below 0.9 / 2");
        assertEquals(100_000L, Learnability.learnedAt(at, List.of(Double.NaN, 0.5, 0.1), 0.9), "missing cells skip");
    }

    @Test
    void learnabilityTableAveragesSeedsPerCountAndListsLearnedTasks() {
        Map<String, Learnability.TaskInfo> tasks = new LinkedHashMap<>();
        tasks.put("colour", new Learnability.TaskInfo("colour", false, 10, 1000));
        tasks.put("flickr", new Learnability.TaskInfo("flickr", true, 0, 100));
        List<Learnability.Row> rows = new ArrayList<>();
        double[][] colour = {{0.50, 0.30}, {0.40, 0.20}}; // [seed][count]
        for (int seed = 0; seed < 2; seed++) {
            for (int i = 0; i < 2; i++) {
                long n = (i + 1) * 1000L;
                rows.add(new Learnability.Row("teacher", seed, n, n, "colour", 10, 1000, colour[seed][i], 0));
                rows.add(new Learnability.Row("teacher", seed, n, n, "flickr", null, 100, 0.98, 0));
            }
        }
        Learnability.Table t = Learnability.table(rows, List.of("teacher", "top10"), tasks, List.of(1000L, 2000L));
        assertEquals(4, t.lines().size(), "2 sets × 2 tasks, the unmeasured set included");
        Learnability.Line c = t.lines().get(0);
        assertEquals(0.9, c.chance(), EPS);
        assertEquals(0.45, c.cells().get(0).stats().mean(), EPS);
        assertEquals(0.05, c.cells().get(0).stats().se(), EPS);
        assertEquals(0.25, c.cells().get(1).stats().mean(), EPS);
        assertEquals(Math.sqrt(0.25 * 0.75 / 1000), c.cells().get(1).binomialSe(), EPS);
        assertEquals(2000L, c.learnedAt(), "0.45 is not below 0.45; 0.25 is");
        assertEquals(0.99, t.lines().get(1).chance(), EPS, "retrieval chance 1 - 1/n_images");
        assertNull(t.lines().get(1).learnedAt());
        assertEquals(0, t.lines().get(2).cells().get(0).stats().n());
        assertEquals(Map.of("teacher", List.of("colour"), "top10", List.of()), t.learnedAtLargest());
        String md = t.markdown();
        assertTrue(md.contains("| teacher | colour | 0.900 | 0.450 ± 0.050 | 0.250 ± 0.050 | 0.0137 | 2k |"), md);
        assertTrue(md.contains("| top10 | colour | 0.900 | - | - | - | not learned |"), md);
        assertTrue(md.contains("- teacher: 1 of 2 tasks (colour)"), md);
        assertTrue(md.contains("ONE cosine run"), md);
        assertTrue(Learnability.csv(rows).startsWith("set,seed,samples_seen,task,classes,n_test,error,binomial_se\n"
                + "teacher,0,1000,colour,10,1000,0.500000,0.000000\nteacher,0,1000,flickr,,100,"));
    }

    @Test
    void crossoverWinnerAndMarginInCombinedStandardErrors() {
        List<Crossover.Point> p = List.of(
                new Crossover.Point("top10", 1000, 0, "a", 0.30), new Crossover.Point("top10", 1000, 1, "b", 0.32),
                new Crossover.Point("top40", 1000, 0, "c", 0.40), new Crossover.Point("top40", 1000, 1, "d", 0.42),
                new Crossover.Point("top10", 4000, 0, "e", 0.25), new Crossover.Point("top10", 4000, 1, "f", 0.27),
                new Crossover.Point("top40", 4000, 0, "g", 0.20), new Crossover.Point("top40", 4000, 1, "h", 0.20));
        Crossover.Table t = Crossover.table(p, List.of("top10", "top40"), List.of(1000.0, 4000.0), "mean");
        assertEquals(2, t.winners().size());
        Crossover.Winner small = t.winners().get(0);
        assertEquals("top10", small.winner());
        assertEquals("top40", small.runnerUp());
        assertEquals(0.10, small.margin(), 1e-9);
        assertEquals(Math.sqrt(2) * 0.01, small.combinedSe(), 1e-9);
        assertEquals(0.10 / (Math.sqrt(2) * 0.01), small.z(), 1e-6);
        Crossover.Winner large = t.winners().get(1);
        assertEquals("top40", large.winner());
        assertEquals(0.06, large.margin(), 1e-9);
        assertEquals(0.01, large.combinedSe(), 1e-9, "top40's two equal seeds have se 0");
        String md = t.markdown();
        assertTrue(md.contains("| top10 | **0.310 ± 0.010** | 0.260 ± 0.010 |"), md);
        assertTrue(md.contains("| 1k | top10 | top40 | 0.1000 | 7.1 |"), md);
        assertTrue(md.contains("| 4k | top40 | top10 | 0.0600 | 6.0 |"), md);
        assertEquals(5, t.csv().lines().count());
        assertTrue(t.csv().contains("mean,top10,1000,2,0.310000,0.010000"), t.csv());
    }

    @Test
    void aBudgetWithOneMeasuredMixtureHasNoRunnerUp() {
        Crossover.Table t = Crossover.table(List.of(new Crossover.Point("top10", 1000, 0, "a", 0.3)),
                List.of("top10", "top40"), List.of(1000.0), "mean");
        assertNull(t.winners().get(0).runnerUp());
        assertTrue(t.markdown().contains("| top40 | - |"), t.markdown());
    }

    @Test
    void runTimesSumStagesAndSpanTheRuns(@TempDir Path dir) throws Exception {
        Path a = Files.createDirectories(dir.resolve("a"));
        Path b = Files.createDirectories(dir.resolve("b"));
        Files.writeString(a.resolve("log.txt"), """
                == qqt sweep: 2026-01-01T00:00:00Z stage train: qqt train
                step 1
                == qqt sweep: stage train killed (exit 137); the run resumes next time
                == qqt sweep: 2026-01-01T01:00:00Z stage train: qqt train
                == qqt sweep: 2026-01-01T01:01:00Z stage eval: qqt eval
                == qqt sweep: 2026-01-01T01:01:30Z run done
                """);
        Files.writeString(b.resolve("log.txt"), """
                == qqt sweep: 2026-01-01T00:30:00Z stage train: qqt train
                == qqt sweep: 2026-01-01T00:32:00Z run done
                """);
        RunTimes t = RunTimes.of(List.of(a, b, dir.resolve("never-started")));
        assertEquals(2, t.runs());
        assertEquals(60 + 30 + 120, t.runSeconds(), EPS, "the killed stage's time is not counted");
        assertEquals(3690, t.spanSeconds(), EPS);
    }

    @Test
    void meanMetricIsOneMinusTheMeanOfEveryTask(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("run.json"), "{\"pool_name\": \"top10\", \"pool_size\": 100, \"samples_seen\": 1000}");
        Files.writeString(dir.resolve("eval_results.jsonl"), """
                {"key": "imagenet1k", "dataset": "x", "metrics": {"main_metric": 0.5}}
                {"key": "cars", "dataset": "y", "metrics": {"main_metric": 0.2}}
                """);
        assertEquals(0.65, RunsTree.read(dir, RunsTree.MEAN).error(), EPS);
        assertEquals(0.5, RunsTree.read(dir, "imagenet1k").error(), EPS);
    }
}
