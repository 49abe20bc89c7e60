package org.qqt.figure5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.io.BadInputException;
import org.qqt.sweep.SweepConfig;
import org.qqt.sweep.SweepPlan;

/** The world/teacher/figure5 sections of a sweep config, and every shipped configs/figure5-*.yaml. */
class Figure5ConfigTest {
    @TempDir
    Path dir;

    @Test
    void everyShippedFigure5ConfigLoadsAndPlans() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of("configs"))) {
            files = s.filter(p -> p.getFileName().toString().matches("figure5-.*\\.ya?ml")).sorted().toList();
        }
        assertTrue(files.stream().anyMatch(p -> p.endsWith("figure5-smoke.yaml")), files.toString());
        assertTrue(files.stream().anyMatch(p -> p.endsWith("figure5-datacomp-medium.yaml")), files.toString());
        for (Path f : files) {
            Figure5Config fc = Figure5Config.load(f);
            SweepConfig c = fc.sweep();
            assertTrue(fc.figure5() != null, f + " has a figure5 section");
            assertEquals(c, SweepConfig.load(f), "qqt sweep reads the same sweep from a figure5 config");
            SweepPlan p = SweepPlan.of(c, Path.of("").toAbsolutePath(), Path.of("/opt/qqt/bin/qqt"));
            assertFalse(p.runs().isEmpty(), f.toString());
            assertTrue(p.runs().stream().anyMatch(r -> r.kind().equals("bucket")), f.toString());
            assertTrue(p.runs().stream().anyMatch(r -> r.kind().equals("validation")), f.toString());
            for (String m : fc.drawnMixtures()) {
                for (String b : c.partsOf(m)) {
                    assertTrue(Files.exists(Path.of("configs")) && c.bucketMap().containsKey(b), f + ": " + m);
                }
            }
            for (String rel : Stream.of(c.model(), c.suite(), fc.world() == null ? null : fc.world().config(),
                    fc.teacher() == null ? null : fc.teacher().model()).filter(x -> x != null).toList()) {
                assertTrue(Files.isRegularFile(Path.of(rel)), f + " names " + rel + ", which exists");
            }
        }
    }

    @Test
    void datacompMediumIsThePapersSetting() {
        Figure5Config fc = Figure5Config.load(Path.of("configs/figure5-datacomp-medium.yaml"));
        SweepConfig c = fc.sweep();
        SweepPlan p = SweepPlan.of(c, Path.of("").toAbsolutePath(), Path.of("/opt/qqt/bin/qqt"));
        assertEquals(4 * 5 + 4 * 4, p.runs().size());
        assertEquals(12_800_000, p.runs().stream().filter(r -> r.kind().equals("bucket")).findFirst().orElseThrow()
                .poolSize(), 0);
        assertEquals(null, fc.world());
        assertEquals(null, fc.teacher());
        assertEquals("clip_l14_similarity_score", c.score());
        assertEquals(4096, c.batch());
        assertEquals(1, c.slurm().gpus());
    }

    private static final String BASE = """
            name: f
            pool: w/pool
            pool_size: 300
            model: models/tiny.json
            buckets:
              - {name: a, from: 0, to: 25}
              - {name: b, from: 25, to: 50}
            epochs: [1, 2]
            mixtures: {m: [a, b]}
            validation: {mixtures: [a, m], budgets: [100]}
            """;

    private BadInputException bad(String extra) throws IOException {
        Path f = dir.resolve("c.yaml");
        Files.writeString(f, BASE + extra);
        BadInputException e = assertThrows(BadInputException.class, () -> Figure5Config.load(f));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        return e;
    }

    @Test
    void badFigure5SectionsAreOneLineErrorsNamingFileAndKey() throws IOException {
        assertTrue(bad("world: {config: w.yaml}\n").getMessage().contains("\"out\""));
        assertTrue(bad("world: {config: w.yaml, out: elsewhere}\n").getMessage().contains("pool: elsewhere/pool"));
        assertTrue(bad("world: {config: w.yaml, out: w}\nteacher: {model: models/tiny.json}\n").getMessage()
                .contains("samples_seen"));
        assertTrue(bad("world: {config: w.yaml, out: w}\nscore: s\nteacher: {model: x, samples_seen: 1k, column: t}\n")
                .getMessage().contains("score is 's'"));
        assertTrue(bad("teacher: {model: x, samples_seen: 1k}\n").getMessage().contains("teacher needs a world"));
        assertTrue(bad("figure5: {metric: mean}\n").getMessage().contains("\"score\""));
        assertTrue(bad("score: s\nfigure5: {law: fancy}\n").getMessage().contains("figure5.law"));
        assertTrue(bad("score: s\nfigure5: {mixtures: [nope]}\n").getMessage().contains("'nope'"));
        assertTrue(bad("score: s\nbucket_runs: [a]\nfigure5: {}\n").getMessage().contains("no bucket runs"));
        assertTrue(bad("score: s\nfigure5: {budgets: [1M, 1k]}\n").getMessage().contains("figure5.budgets"));
        assertTrue(bad("score: s\nfigure5: {a: -1}\n").getMessage().contains("figure5.a"));
        assertTrue(bad("score: s\nfigure5: {a: 1, a_max: 2}\n").getMessage().contains("not both"));
        assertTrue(bad("score: s\nfigure5: {a_max: 0}\n").getMessage().contains("figure5.a_max"));
        assertTrue(bad("score: s\nfigure5: {b_range: '-1:-0.1'}\n").getMessage().contains("figure5.b_range"));
        assertTrue(bad("score: s\nfigure5: {tau_range: '50:1:10'}\n").getMessage().contains("50.0:1.0:10"));
        assertTrue(bad("score: s\nfigure5: {metrik: mean}\n").getMessage().toLowerCase().contains("metrik"));
        // the owners' parsers name the accepted spellings; the config adds the key
        assertTrue(bad("score: s\nfigure5: {objective: best}\n").getMessage().contains("figure5.objective"));
        assertTrue(bad("score: s\nfigure5: {order: random}\n").getMessage().contains("figure5.order"));
        assertTrue(bad("score: s\nfigure5: {law: fancy}\n").getMessage().contains("reference"));
    }

    @Test
    void aValidFigure5SectionLoadsWithItsDefaults() throws IOException {
        Path f = dir.resolve("ok.yaml");
        Files.writeString(f, BASE + "world: {config: w.yaml, out: w}\nteacher: {model: m.json, samples_seen: 1k}\n"
                + "figure5: {metric: mean}\n");
        Figure5Config c = Figure5Config.load(f);
        assertEquals("teacher_score", c.teacher().columnOrDefault());
        assertEquals(0, c.world().seedOrDefault());
        assertEquals(200, c.figure5().bootstrapOrDefault());
        assertEquals(org.qqt.scaling.FitOptions.DEFAULT_B, c.figure5().bGrid());
        assertEquals(org.qqt.scaling.FitOptions.DEFAULT_TAU, c.figure5().tauGrid());
        assertEquals(new org.qqt.scaling.GridAxis(1e-4, org.qqt.scaling.FitOptions.DEFAULT_A_MAX, 100), c.figure5().aGrid());
        assertEquals(List.of("a", "m"), c.drawnMixtures());
        assertEquals(List.of("a", "b"), c.sweep().partsOf("m"));
        // the fit's own defaults, not restated: the same as qqt fit with no options
        org.qqt.scaling.FitOptions fit = org.qqt.scaling.FitOptions.defaults(org.qqt.scaling.LawForm.ADDITIVE,
                org.qqt.scaling.Objective.UTILITY, org.qqt.scaling.FitOptions.DEFAULT_D);
        assertEquals(fit.normalizer(), c.figure5().normalizerOrDefault());
        assertEquals(fit.d().get(0), c.figure5().dOrDefault());
        assertEquals(org.qqt.scaling.MixtureOrder.RANK, c.figure5().mixtureOrder());
    }

    @Test
    void theFitGridOfAFigure5SectionComesFromItsKeys() throws IOException {
        Path f = dir.resolve("grid.yaml");
        Files.writeString(f, BASE + "score: s\nfigure5: {metric: mean, a_max: 5, b_range: '-2:-0.01:50', tau_range: '1:100:60'}\n");
        Figure5Config.Section f5 = Figure5Config.load(f).figure5();
        assertEquals(new org.qqt.scaling.GridAxis(1e-4, 5, 100), f5.aGrid());
        assertEquals(new org.qqt.scaling.GridAxis(-2, -0.01, 50), f5.bGrid());
        assertEquals(new org.qqt.scaling.GridAxis(1, 100, 60), f5.tauGrid());
    }
}
