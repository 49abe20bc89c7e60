package org.qqt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.testutil.TestLauncher;
import org.qqt.figure5.Figure5Pipeline;

/** {@code qqt figure5 --config configs/figure5-smoke.yaml}, end to end in a temporary directory. */
class Figure5CommandTest {
    @TempDir
    Path dir;

    /** A launcher that runs this test's classpath (the real qqt CLI), like bin/qqt does. */
    private Path launcher() throws Exception {
        return TestLauncher.write(dir);
    }

    /** Copies a project file to the same relative path under the temporary directory. */
    private void copy(String rel) throws Exception {
        Path to = dir.resolve(rel);
        Files.createDirectories(to.getParent());
        Files.copy(Path.of(rel), to);
    }

    @Test
    @Tag("slow") // ~4 min on a busy 2-core machine, ~2 min of CPU (8 train+eval runs, 16 JVMs)
    void smokeConfigRunsEndToEndFillsEveryReportSectionAndASecondRunSkipsEveryStep() throws Exception {
        for (String f : List.of("configs/figure5-smoke.yaml", "configs/world-tiny.yaml", "models/tiny.json",
                "configs/tasks/synth-smoke3.yaml")) {
            copy(f);
        }
        String[] args = {"figure5", "--config", "configs/figure5-smoke.yaml", "--base", dir.toString(),
                "--qqt", launcher().toString()};
        CliRun r = CliRun.qqt(args);
        String out = r.out();
        assertEquals(0, r.code(), out + "\n" + r.err());
        for (String step : Figure5Pipeline.STEPS) {
            assertTrue(out.lines().anyMatch(l -> l.matches(".*\\] " + step + " +done in .*")),
                    "step " + step + " ran:\n" + out);
        }
        Path sweep = dir.resolve("runs/figure5-smoke");
        for (String f : List.of("params.json", "predictions.json", "validation.json", "validation.csv",
                "report.md", "report.html")) {
            assertTrue(Files.size(sweep.resolve(f)) > 0, f);
        }
        // one vocabulary for the sweep (pool, teacher set, prompts): the teacher and every run trained with it
        String ids = org.qqt.io.Json.readTree(sweep.resolve("vocab.json")).get("clipIds").toString();
        assertEquals(ids, org.qqt.io.Json.readTree(sweep.resolve("teacher/vocab.json")).get("clipIds").toString());
        int runs = 0;
        try (var dirs = Files.list(sweep)) {
            for (Path d : dirs.filter(d -> Files.isRegularFile(d.resolve("run.json"))).toList()) {
                assertEquals(ids, org.qqt.io.Json.readTree(d.resolve("vocab.json")).get("clipIds").toString(), d.toString());
                runs++;
            }
        }
        assertTrue(runs >= 8, "bucket and validation runs: " + runs);
        BufferedImage png = ImageIO.read(sweep.resolve("figure5.png").toFile());
        assertNotNull(png, "figure5.png is a readable PNG");
        assertTrue(png.getWidth() > 100 && png.getHeight() > 100);
        DocumentBuilderFactory xml = DocumentBuilderFactory.newInstance();
        xml.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false); // no network
        assertEquals("svg", xml.newDocumentBuilder().parse(sweep.resolve("figure5.svg").toFile()).getDocumentElement()
                .getTagName());

        String md = Files.readString(sweep.resolve("report.md"));
        List<String> sections = md.lines().filter(l -> l.startsWith("## ")).map(l -> l.substring(3)).toList();
        assertEquals(List.of("Summary", "Verdicts", "Settings", "Fitted parameters", "Bucket-run residuals",
                "Cross-validation", "Figure 5", "Training curves", "Predicted vs actual", "Best mixture per budget",
                "Crossovers", "Reproduce"), sections);
        String[] bodies = md.split("\n## ");
        for (int i = 1; i < bodies.length; i++) {
            String body = bodies[i].substring(bodies[i].indexOf('\n')).strip();
            assertFalse(body.isEmpty(), "section " + sections.get(i - 1) + " is filled");
            assertFalse(body.contains("NaN") || body.contains("null"), "section " + sections.get(i - 1) + ":\n" + body);
        }
        // the predicted-vs-actual table: one row per validation point (2 mixtures x 2 budgets)
        String pva = bodies[9];
        // 4 bucket points for 4 free parameters: neither cross-validation scheme can run, and the report says why
        assertTrue(bodies[6].contains("leave-one-out not run: 3 observations but 4 free parameters"), bodies[6]);
        // the verdicts, computed: one seed, so the MAE threshold is the floor and no budget is decisive
        var verdicts = org.qqt.io.Json.readTree(sweep.resolve("verdicts.json"));
        double mae = org.qqt.io.Json.readTree(sweep.resolve("validation.json")).get("mae").asDouble();
        assertEquals(mae <= 0.01 ? "pass" : "fail", verdicts.at("/mae/status").asText());
        assertEquals(0.01, verdicts.at("/mae/threshold").asDouble());
        assertEquals("n/a", verdicts.at("/best_mixture/status").asText());
        assertEquals(2, verdicts.at("/best_mixture/budgets").size());
        assertTrue(List.of("pass", "fail", "n/a").contains(verdicts.at("/crossover/status").asText()));
        assertTrue(bodies[2].contains("(a) Predicted-vs-actual MAE") && bodies[2].contains("(c) The predicted "
                + "crossover") && bodies[2].contains("threshold is the 0.01 floor"), bodies[2]);
        assertEquals(2, bodies[2].lines().filter(l -> l.matches("\\| (100|200) \\| top(25|50) .*")).count(),
                "verdict (b): one row per budget:\n" + bodies[2]);
        // settings, residuals (one row per bucket run, with its seed) and the extra figures
        assertTrue(bodies[3].contains("| metric (figure5.metric) | mean |") && bodies[3].contains("| N0 "
                + "(figure5.normalizer) | 10 |") && bodies[3].contains("| d (figure5.d, fixed) | 0.5000 |")
                && bodies[3].contains("| bootstrap draws (figure5.bootstrap) | 20 asked"), bodies[3]);
        assertEquals(4, bodies[5].lines().filter(l -> l.matches("\\| top(0-25|25-50) \\| (75|150) \\| 0 \\| .*"))
                .count(), bodies[5]);
        assertTrue(bodies[8].contains("training-curves.png"), bodies[8]);
        for (String f : List.of("residuals", "training-curves")) {
            BufferedImage img = ImageIO.read(sweep.resolve(f + ".png").toFile());
            assertTrue(img != null && img.getWidth() > 100, f);
            assertEquals("svg", xml.newDocumentBuilder().parse(sweep.resolve(f + ".svg").toFile())
                    .getDocumentElement().getTagName(), f);
        }
        BufferedImage curves = ImageIO.read(sweep.resolve("training-curves.png").toFile());
        assertEquals(List.of(3 * 460, 40 + 2 * 340), List.of(curves.getWidth(), curves.getHeight()),
                "four panels (2 buckets, 2 mixtures), three to a row, under a title");
        for (String mix : List.of("top25", "top50")) {
            for (String budget : List.of("| 100 |", "| 200 |")) {
                assertEquals(1, pva.lines().filter(l -> l.startsWith("| " + mix + " ") && l.contains(budget)).count(),
                        mix + " at " + budget + ":\n" + pva);
            }
        }
        assertTrue(md.contains("MAE **") && md.contains("wall time"), md);
        String html = Files.readString(sweep.resolve("report.html"));
        assertTrue(html.contains("<img alt=") && html.contains("data:image/png;base64,"), "the figure is embedded");
        assertEquals(sections.size(), html.split("<h2 id=", -1).length - 1);

        // a second invocation finds everything done
        r = CliRun.qqt(args);
        out = r.out();
        assertEquals(0, r.code(), out + "\n" + r.err());
        for (String step : Figure5Pipeline.STEPS) {
            assertTrue(out.lines().anyMatch(l -> l.matches(".*\\] " + step + " +skip .*")),
                    "step " + step + " skipped:\n" + out);
        }
        assertFalse(out.contains(" start\n"), out);
    }
}
