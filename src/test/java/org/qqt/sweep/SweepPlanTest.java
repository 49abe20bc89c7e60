package org.qqt.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.io.BadInputException;

class SweepPlanTest {
    @TempDir
    Path dir;

    private static final String BASE = """
            name: demo
            pool: data/pool
            pool_size: 128M
            score: clip_l14_similarity_score
            buckets:
              - {name: top0-10, from: 0, to: 10}
              - {name: top10-20, from: 10, to: 20}
              - {name: top20-30, from: 20, to: 30, epochs: [3]}
            epochs: [2, 4]
            mixtures:
              top20: [top0-10, top10-20]
              top30: [top0-10, top10-20, top20-30]
            validation:
              mixtures: [top20, top30]
              budgets: [32M, 64M]
            model: models/vit-b-32.json
            batch: 4096
            lr: 5e-4
            seeds: [0, 1]
            suite: configs/tasks/datacomp18.yaml
            tasks_root: /data/datacomp-eval
            """;

    private SweepPlan plan(String yaml) throws IOException {
        Path f = Files.writeString(dir.resolve("s" + yaml.hashCode() + ".yaml"), yaml);
        return SweepPlan.of(SweepConfig.load(f), dir, Path.of("/opt/qqt/bin/qqt"));
    }

    private static Set<String> ids(SweepPlan p) {
        return p.runs().stream().map(RunSpec::id).collect(Collectors.toSet());
    }

    @Test
    void expandsBucketsTimesEpochsTimesSeedsAndMixturesTimesBudgets() throws IOException {
        SweepPlan p = plan(BASE);
        // buckets: 2 buckets × 2 epochs + 1 bucket × 1 epoch = 5; validation: 2 × 2 = 4; × 2 seeds
        assertEquals(18, p.runs().size());
        RunSpec r = p.runs().stream().filter(x -> x.poolName().equals("top0-10") && x.epochs() == 4 && x.seed() == 1)
                .findFirst().orElseThrow();
        assertEquals(12.8e6, r.poolSize());
        assertEquals(4 * 12.8e6, r.samplesSeen());
        assertTrue(r.id().startsWith("top0-10-e4-s1-"), r.id());
        RunSpec v = p.runs().stream().filter(x -> x.poolName().equals("top30") && x.samplesSeen() == 64e6
                && x.seed() == 0).findFirst().orElseThrow();
        assertEquals(38.4e6, v.poolSize(), 1);
        assertEquals(List.of("top0-10", "top10-20", "top20-30"), v.buckets());
        assertTrue(v.id().startsWith("top30-64M-s0-"), v.id());
        assertEquals(1, p.runs().stream().filter(x -> x.poolName().equals("top20-30")).map(RunSpec::epochs)
                .distinct().count());
    }

    @Test
    void sameConfigGivesSameIdsWhateverTheOrderOfItsLists() throws IOException {
        String reordered = BASE.replace("seeds: [0, 1]", "seeds: [1, 0]").replace("epochs: [2, 4]", "epochs: [4, 2]")
                .replace("budgets: [32M, 64M]", "budgets: [64000000, 32M]")
                .replace("mixtures: [top20, top30]", "mixtures: [top30, top20]")
                .replace("""
                          - {name: top0-10, from: 0, to: 10}
                          - {name: top10-20, from: 10, to: 20}
                        """, """
                          - {name: top10-20, from: 10, to: 20}
                          - {name: top0-10, from: 0, to: 10}
                        """);
        assertNotEquals(BASE, reordered);
        SweepPlan a = plan(BASE);
        SweepPlan b = plan(reordered);
        assertEquals(a.runs().stream().map(RunSpec::id).toList(), b.runs().stream().map(RunSpec::id).toList());
        assertEquals(ids(a), ids(plan(BASE)));
    }

    @Test
    void changingWhatARunDependsOnChangesItsId() throws IOException {
        Set<String> a = ids(plan(BASE));
        Set<String> b = ids(plan(BASE.replace("lr: 5e-4", "lr: 1e-3")));
        assertTrue(a.stream().noneMatch(b::contains));
        // the executor and the stage commands are not part of a run's identity
        Set<String> c = ids(plan(BASE + "local: {workers: 2, threads: 1}\nslurm: {partition: gpu}\n"
                + "stages:\n  - {name: train, command: [echo, \"{run_dir}\"]}\n"));
        assertEquals(a, c);
    }

    @Test
    void stagesGetTheRunsValuesAndKeepThreadsForTheExecutor() throws IOException {
        SweepPlan p = plan(BASE);
        RunSpec r = p.runs().get(0);
        List<String> train = r.stages().get(0).command();
        assertEquals("/opt/qqt/bin/qqt", train.get(0));
        assertEquals(p.sweepDir().resolve(r.id()).toString(), train.get(train.indexOf("--out") + 1));
        assertEquals(p.sweepDir().resolve("subsets").resolve(r.poolName() + ".npy").toString(),
                train.get(train.indexOf("--subset") + 1));
        assertEquals("{threads}", train.get(train.indexOf("--threads") + 1));
        assertEquals("7", r.commands(7).get(0).get(train.indexOf("--threads") + 1));
        assertEquals(dir.resolve("runs/demo").toAbsolutePath().normalize(), p.sweepDir());
    }

    @Test
    void configMistakesAreOneLineErrorsNamingTheFix() throws IOException {
        var e1 = assertThrows(BadInputException.class, () -> plan(BASE + "workers: 3\n"));
        assertTrue(e1.getMessage().contains("unknown key \"workers\""), e1.getMessage());
        var e2 = assertThrows(BadInputException.class, () -> plan(BASE.replace("top20: [top0-10, top10-20]",
                "top20: [top0-10, top10-2O]")));
        assertTrue(e2.getMessage().contains("'top10-2O', which is not a bucket"), e2.getMessage());
        var e3 = assertThrows(BadInputException.class, () -> plan(BASE.replace("from: 10, to: 20", "from: 20, to: 10")));
        assertTrue(e3.getMessage().contains("0 <= from < to <= 100"), e3.getMessage());
        var e4 = assertThrows(BadInputException.class, () -> plan(BASE
                + "stages:\n  - {name: train, command: [echo, \"{nope}\"]}\n"));
        assertTrue(e4.getMessage().contains("unknown placeholder {nope}"), e4.getMessage());
        var e5 = assertThrows(BadInputException.class, () -> plan(BASE.replace("pool_size: 128M\n", "")));
        assertTrue(e5.getMessage().contains("pool_size"), e5.getMessage());
    }

    @Test
    void exampleConfigPlansExactlyItsBucketAndValidationRuns() {
        SweepPlan p = SweepPlan.of(SweepConfig.load(Path.of("configs/sweep-example.yaml")), dir, Path.of("qqt"));
        // 3 buckets × epochs [2, 4] + top30-40 × [2] = 7 bucket runs; 2 mixtures × 2 budgets = 4; one seed
        List<RunSpec> buckets = p.runs().stream().filter(r -> r.kind().equals("bucket")).toList();
        List<RunSpec> validation = p.runs().stream().filter(r -> r.kind().equals("validation")).toList();
        assertEquals(7, buckets.size());
        assertEquals(4, validation.size());
        assertEquals(11, p.runs().size());
        assertEquals(7 + 4, ids(p).size(), "ids are unique");
        RunSpec top40 = buckets.stream().filter(r -> r.poolName().equals("top30-40")).findFirst().orElseThrow();
        assertEquals(2, top40.epochs());
        assertEquals(2000, top40.poolSize(), 1e-9, "10% of pool_size 20k");
        assertEquals(4000, top40.samplesSeen(), 1e-9, "epochs × bucket size");
        RunSpec v = validation.stream().filter(r -> r.poolName().equals("top40") && r.samplesSeen() == 50_000)
                .findFirst().orElseThrow();
        assertEquals(List.of("top0-10", "top10-20", "top20-30", "top30-40"), v.buckets());
        assertEquals(8000, v.poolSize(), 1e-9);
        assertEquals(Set.of(0), p.runs().stream().map(RunSpec::seed).collect(Collectors.toSet()));
        assertEquals(dir.resolve("runs/sweep-example").toAbsolutePath().normalize(), p.sweepDir());
    }

    @Test
    void aBadBudgetPoolSizePrecisionOrMicroBatchIsOneLineNamingTheFileAndKey() throws IOException {
        for (String[] bad : new String[][] {
                {"budgets: [32M, 64M]", "budgets: [32M, lots]", "validation.budgets"},
                {"budgets: [32M, 64M]", "budgets: [32M, 0]", "validation.budgets"},
                {"pool_size: 128M", "pool_size: 128Q", "pool_size"},
                {"pool_size: 128M", "pool_size: 128M\nprecision: fp8", "precision"},
                {"pool_size: 128M", "pool_size: 128M\nmicro_batch: 100", "micro_batch"}}) {
            Path f = Files.writeString(dir.resolve("bad.yaml"), BASE.replace(bad[0], bad[1]));
            BadInputException e = assertThrows(BadInputException.class, () -> SweepConfig.load(f));
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
            assertTrue(e.getMessage().contains(bad[2]), e.getMessage());
        }
    }
}
