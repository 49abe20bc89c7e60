package org.qqt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qqt.cli.CliRun.qqt;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.data.PoolMetadata;
import org.qqt.data.SubsetFile;
import org.qqt.data.Uid;
import org.qqt.synth.WorldConfig;
import org.qqt.synth.WorldWriter;

/**
 * {@code qqt study learnability} and {@code qqt study crossover} end to end on the tiny world: real qqt train and
 * eval stages, started as processes of this test's classpath, 2 side by side with 1 thread each.
 */
@Tag("slow")
class StudyCommandTest {
    @TempDir
    static Path dir;
    static Path config;

    /** Tiny world (300 pool, 100 teacher samples, 24 test images a task), subsets by true quality, a launcher. */
    @BeforeAll
    static void world() throws Exception {
        System.setProperty("java.awt.headless", "true");
        Path cfg = Path.of("configs/world-tiny.yaml");
        Path world = dir.resolve("world");
        new WorldWriter(WorldConfig.load(cfg).validated(cfg), 0, 2, new PrintStream(PrintStream.nullOutputStream()))
                .write(world, false);
        Map<Uid, Double> q;
        try (PoolMetadata meta = PoolMetadata.open(world.resolve("pool/metadata.parquet"))) {
            q = meta.readScores("true_quality");
        }
        List<Uid> ranked = new ArrayList<>(q.keySet());
        ranked.sort(Comparator.comparing((Uid u) -> -q.get(u)).thenComparing(u -> u));
        Path subsets = Files.createDirectories(dir.resolve("subsets"));
        SubsetFile.of(ranked.subList(0, ranked.size() / 2)).write(subsets.resolve("top0-50.npy"));
        SubsetFile.of(ranked).write(subsets.resolve("all.npy"));

        Path launcher = dir.resolve("qqt.sh");
        Files.writeString(launcher, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "' -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.awt.headless=true -Dai.djl.offline=true "
                + "--add-opens=java.base/java.nio=ALL-UNNAMED -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp '" + System.getProperty("java.class.path")
                + "' org.qqt.cli.Qqt \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        config = dir.resolve("study.yaml");
        Files.writeString(config, """
                name: study
                runs: %1$s/runs
                pool: %1$s/world/pool
                pool_size: 300
                subsets: %1$s/subsets
                buckets:
                  - {name: top0-50, from: 0, to: 50}
                  - {name: top50-100, from: 50, to: 100}
                mixtures:
                  all: [top0-50, top50-100]
                validation: {mixtures: [top0-50, all], budgets: [64]}
                model: %2$s
                batch: 32
                lr: 3e-3
                seeds: [0, 1]
                suite: %3$s
                tasks_root: %1$s/world
                qqt: %1$s/qqt.sh
                local: {workers: 2, threads: 1}
                learnability:
                  sets: [teacher, top0-50]
                  teacher_pool: %1$s/world/teacher
                  samples_seen: 96
                  eval_at: [40, 96]
                """.formatted(dir, Path.of("models/tiny.json").toAbsolutePath(),
                Path.of("configs/tasks/synth18.yaml").toAbsolutePath()));
    }

    static List<String> logs(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.getFileName().toString().equals("log.txt")).sorted().map(p -> {
                try {
                    return p + ":" + Files.readString(p).length();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
    }

    @Test
    void learnabilityTrainsEachSetAndSeedOnceAndTablesEveryTaskAtEveryCheckpoint() throws Exception {
        CliRun r = qqt("study", "learnability", "--config", config.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("each trained once to 96 samples (one cosine run)"), r.out());
        assertTrue(r.out().contains("local: 2 worker(s) x 1 thread(s)"), r.out());
        Path runs = dir.resolve("runs/study");
        for (String id : List.of("teacher-s0", "teacher-s1", "top0-50-s0", "top0-50-s1")) {
            Path run = runs.resolve("learnability").resolve(id);
            assertTrue(Files.isRegularFile(run.resolve("checkpoints/samples-64.safetensors")), id + ": 40 → step 2");
            assertTrue(Files.isRegularFile(run.resolve("eval_results.samples-64.jsonl")), id);
            assertTrue(Files.isRegularFile(run.resolve("eval_results.samples-96.jsonl")), id);
        }
        assertEquals(100, SubsetFile.read(runs.resolve("learnability/subsets/teacher.npy")).size(),
                "the teacher set is every teacher sample");
        List<String> csv = Files.readAllLines(runs.resolve("learnability.csv"));
        assertEquals("set,seed,samples_seen,task,classes,n_test,error,binomial_se", csv.get(0));
        assertEquals(1 + 2 * 2 * 2 * 18, csv.size(), "sets × seeds × checkpoints × 18 tasks");
        String md = Files.readString(runs.resolve("learnability.md"));
        assertEquals(2 * 18, md.lines().filter(l -> l.startsWith("| teacher |") || l.startsWith("| top0-50 |"))
                .count(), md);
        assertFalse(md.lines().filter(l -> l.startsWith("| teacher |") || l.startsWith("| top0-50 |"))
                .anyMatch(l -> l.contains("| - |")), "every cell measured:\n" + md);
        assertTrue(md.contains("Learned at 96:") && md.contains("- teacher: "), md);
        System.out.println(md);

        List<String> before = logs(runs.resolve("learnability"));
        CliRun again = qqt("study", "learnability", "--config", config.toString());
        assertEquals(0, again.code(), again.out() + again.err());
        assertTrue(again.out().contains("4 runs (4 done, 0 running, 0 failed); starting 0"), again.out());
        assertEquals(before, logs(runs.resolve("learnability")), "a re-run starts no stage");
        assertEquals(md, Files.readString(runs.resolve("learnability.md")));
    }

    @Test
    void crossoverRunsTheValidationRunsOnceAndTablesEveryMixtureAndBudget() throws Exception {
        CliRun dry = qqt("study", "crossover", "--config", config.toString(), "--dry-run");
        assertEquals(0, dry.code(), dry.out() + dry.err());
        assertTrue(dry.out().contains("4 runs in"), dry.out());
        CliRun plan = qqt("sweep", "plan", config.toString(), "--format", "csv");
        List<String> ids = plan.out().lines().skip(1).filter(l -> l.contains(",validation,"))
                .map(l -> l.split(",")[0]).toList();
        assertEquals(4, ids.size(), plan.out());
        ids.forEach(id -> assertTrue(dry.out().contains(id), "same ids as sweep plan: " + id));

        CliRun r = qqt("study", "crossover", "--config", config.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        Path runs = dir.resolve("runs/study");
        ids.forEach(id -> assertTrue(Files.isRegularFile(runs.resolve(id).resolve("eval_results.jsonl")), id));
        List<String> csv = Files.readAllLines(runs.resolve("crossover.csv"));
        assertEquals(List.of("metric,mixture,samples_seen,seeds,mean_error,se"), csv.subList(0, 1));
        assertEquals(3, csv.size(), csv.toString());
        assertTrue(csv.stream().skip(1).allMatch(l -> l.matches("mean,(top0-50|all),64,2,0\\.\\d{6},0\\.\\d{6}")),
                csv.toString());
        String md = Files.readString(runs.resolve("crossover.md"));
        assertTrue(md.contains("| 64 | ") && md.contains("wall time:") && md.contains("cores"), md);
        System.out.println(md);

        List<String> before = logs(runs);
        CliRun again = qqt("study", "crossover", "--config", config.toString(), "--metric", "imagenet1k");
        assertEquals(0, again.code(), again.out() + again.err());
        assertTrue(again.out().contains("starting 0"), again.out());
        assertEquals(before, logs(runs), "a re-run starts no stage");
        assertTrue(Files.readString(runs.resolve("crossover.csv")).contains("imagenet1k,all,64,2,"));
    }
}
