package org.qqt.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.io.BadInputException;

class LearnabilityPlanTest {
    @TempDir
    Path dir;

    private Path config(String learnability) throws Exception {
        Path f = dir.resolve("s.yaml");
        Files.writeString(f, """
                name: s
                runs: %1$s/runs
                pool: %1$s/pool
                pool_size: 1000
                buckets:
                  - {name: top0-10, from: 0, to: 10}
                  - {name: top10-20, from: 10, to: 20}
                mixtures: {top20: [top0-10, top10-20]}
                model: %1$s/tiny.json
                batch: 100
                seeds: [0, 1]
                suite: %1$s/suite.yaml
                tasks_root: %1$s/world
                learnability: %2$s
                """.formatted(dir, learnability));
        return f;
    }

    @Test
    void eachSetAndSeedIsOneRunKeepingEveryEvalCountAndEvaluatingEachCheckpoint() throws Exception {
        SweepConfig c = SweepConfig.load(config("{sets: [teacher, top20], teacher_pool: " + dir
                + "/teacher, samples_seen: 400k, eval_at: [50k, 25k, 400k, 25050], seeds: [3]}"));
        SweepPlan p = Learnability.plan(c, dir, Path.of("/opt/qqt"));
        assertEquals(dir.resolve("runs/s/learnability"), p.sweepDir());
        assertEquals(List.of("teacher-s3", "top20-s3"), p.runs().stream().map(RunSpec::id).toList());
        RunSpec top20 = p.runs().get(1);
        assertEquals(List.of("top0-10", "top10-20"), top20.buckets());
        List<String> train = top20.commands(1).get(0);
        assertEquals("/opt/qqt", train.get(0));
        assertTrue(String.join(" ", train).contains("--subset " + dir.resolve("runs/s/subsets/top20.npy")
                + " --pool-name top20"), train.toString());
        assertTrue(String.join(" ", train).contains("--samples-seen 400000 --batch 100"), train.toString());
        assertTrue(String.join(" ", train).contains("--seed 3 --threads 1 --keep-at 25000,25050,50000,400000 --out "
                + dir.resolve("runs/s/learnability/top20-s3")), train.toString());
        String eval = String.join(" ", top20.commands(1).get(1));
        Path run = dir.resolve("runs/s/learnability/top20-s3");
        for (long n : List.of(25000L, 25100L, 50000L, 400000L)) {
            assertTrue(eval.contains("--checkpoint " + run.resolve("checkpoints/samples-" + n + ".safetensors")), eval);
        }
        RunSpec teacher = p.runs().get(0);
        assertEquals(dir.resolve("teacher").toString(), teacher.pool());
        assertEquals(dir.resolve("runs/s/learnability/subsets/teacher.npy").toString(), teacher.subset());
    }

    @Test
    void oneEvalCountWritesItsOwnResultsFileNotEvalResultsJsonl() throws Exception {
        SweepConfig c = SweepConfig.load(config("{sets: [top0-10], samples_seen: 1000, eval_at: [1000]}"));
        SweepPlan p = Learnability.plan(c, dir, Path.of("/opt/qqt"));
        assertEquals(2, p.runs().size(), "the sweep's seeds by default");
        String eval = String.join(" ", p.runs().get(0).commands(1).get(1));
        assertTrue(eval.contains("--out " + dir.resolve("runs/s/learnability/top0-10-s0/eval_results.samples-1000"
                + ".jsonl")), eval);
    }

    @Test
    void badLearnabilitySectionsAreOneLineErrorsNamingTheFile() throws Exception {
        for (var bad : List.of(
                List.of("{sets: [top99], samples_seen: 1000, eval_at: [500]}", "neither 'teacher' nor a bucket"),
                List.of("{sets: [teacher], samples_seen: 1000, eval_at: [500]}", "needs \"teacher_pool\""),
                List.of("{sets: [top0-10], samples_seen: 1000, eval_at: [2000]}", "at most samples_seen"),
                List.of("{sets: [top0-10], samples_seen: 1000}", "non-empty \"eval_at\""),
                List.of("{sets: [top0-10], samples_seen: 1000, eval_at: [500], epochs: 3}", "epochs"))) {
            BadInputException e = assertThrows(BadInputException.class, () -> SweepConfig.load(config(bad.get(0))));
            assertTrue(e.getMessage().contains("s.yaml") && e.getMessage().contains(bad.get(1)), e.getMessage());
        }
    }

    @Test
    void aFinishedRunOfAnotherSpecIsRefusedButAnotherLauncherIsNot() throws Exception {
        SweepConfig c = SweepConfig.load(config("{sets: [top0-10], samples_seen: 1000, eval_at: [500], seeds: [0]}"));
        SweepPlan p = Learnability.plan(c, dir, Path.of("/opt/qqt"));
        p.writeSpecs();
        Files.writeString(p.runDir("top0-10-s0").resolve(RunState.DONE), "x\n");
        Learnability.checkFinishedRuns(Learnability.plan(c, dir, Path.of("/elsewhere/qqt")));
        SweepConfig changed = SweepConfig.load(config("{sets: [top0-10], samples_seen: 1000, eval_at: [600], "
                + "seeds: [0]}"));
        BadInputException e = assertThrows(BadInputException.class,
                () -> Learnability.checkFinishedRuns(Learnability.plan(changed, dir, Path.of("/opt/qqt"))));
        assertTrue(e.getMessage().contains("top0-10-s0") && e.getMessage().contains("delete it"), e.getMessage());
    }

    @Test
    void theExampleStudyConfigLoadsAndPlansThreeSetsTimesTwoSeeds() {
        SweepConfig c = SweepConfig.load(Path.of("configs/study-example.yaml"));
        SweepPlan p = Learnability.plan(c, Path.of("").toAbsolutePath(), Path.of("qqt"));
        assertEquals(6, p.runs().size());
        assertEquals(3 * 2 * 2, Crossover.runs(SweepPlan.of(c, Path.of("").toAbsolutePath(), Path.of("qqt"))).size());
    }
}
