package org.qqt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.scaling.ScalingParams;

/** qqt figure6 on the shipped published runs (Cherti et al. 2023), and the fit + validate contract on them. */
class Figure6CommandTest {
    static final Path PUBLISHED = Path.of("datasets/published/cherti2023-laion-imagenet-b32-b16.csv");

    @TempDir
    Path dir;

    @Test
    void refitsTheShippedRunsAndWritesChartsThatParse() throws Exception {
        Path out = dir.resolve("b32");
        CliRun r = CliRun.qqt("figure6", "--csv", PUBLISHED.toString(), "--model", "ViT-B-32", "--holdout", "34B",
                "--bootstrap", "50", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("tied b,tau: group 'all' = LAION-80M, LAION-400M, LAION-2B"), r.out());
        JsonNode v = new ObjectMapper().readTree(out.resolve("validation.json").toFile());
        assertEquals(3, v.get("points").size());
        assertTrue(v.get("mae").asDouble() <= 0.014, v.toString()); // the direct shared fit of issue 15
        ScalingParams p = ScalingParams.load(out.resolve("params.json"));
        assertEquals(6, p.fit().points());
        assertEquals(List.of("b", "tau"), p.fit().tied().parameters());
        assertNotNull(p.fit().intervals());
        assertNotNull(p.fit().crossValidation().leaveOneOut());

        BufferedImage png = ImageIO.read(out.resolve("figure6.png").toFile());
        assertNotNull(png, "figure6.png is not a readable image");
        assertEquals(1200, png.getWidth());
        String svg = Files.readString(out.resolve("figure6.svg"));
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        assertEquals("svg", f.newDocumentBuilder().parse(out.resolve("figure6.svg").toFile())
                .getDocumentElement().getNodeName());
        assertTrue(svg.length() > 10_000, "an SVG with the chart drawn");
    }

    @Test
    void theFitValidateContractMeetsTheDirectFitOnBothModels() throws IOException {
        // fit on 3B + 13B, predict 34B (protocol fixed before looking at 34B: docs/scaling-fit.md)
        double[] bound = {0.014, 0.012};
        String[] models = {"ViT-B-32", "ViT-B-16"};
        for (int m = 0; m < 2; m++) {
            Path out = dir.resolve(models[m]);
            assertEquals(0, CliRun.qqt("figure6", "--csv", PUBLISHED.toString(), "--model", models[m], "--holdout",
                    "34B", "--bootstrap", "0", "--out", out.toString()).code());
            Path params = dir.resolve(models[m] + ".json");
            // B/32 with d's grid spelled out, B/16 with the tied default (the same grid)
            List<String> args = new java.util.ArrayList<>(List.of("fit", out.resolve("train.csv").toString(), "--tie",
                    "b,tau", "--no-cv", "--out", params.toString()));
            if (m == 0) {
                args.addAll(List.of("--d", "0:0.5:51"));
            }
            CliRun fit = CliRun.qqt(args.toArray(String[]::new));
            assertEquals(0, fit.code(), fit.err());
            CliRun val = CliRun.qqt("validate", "--params", params.toString(), "--actual",
                    out.resolve("holdout.csv").toString(), "--format", "json");
            assertEquals(0, val.code(), val.err());
            JsonNode v = new ObjectMapper().readTree(val.out());
            assertTrue(v.get("mae").asDouble() <= bound[m], models[m] + " " + v.get("mae"));
            assertTrue(v.has("max_error"));
        }
    }

    @Test
    void anyCsvWithTheColumnsWorksAndABadHoldoutIsExitCode2() throws IOException {
        List<String> lines = Files.readAllLines(PUBLISHED);
        // another column order, no model column, error instead of accuracy, one model's rows
        StringBuilder sb = new StringBuilder("samples_seen,error,pool_size,pool\n");
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            if (f[0].equals("ViT-B-16")) {
                sb.append(f[3]).append(',').append(1 - Double.parseDouble(f[10])).append(',').append(f[2]).append(',')
                        .append(f[1]).append('\n');
            }
        }
        Path csv = dir.resolve("mine.csv");
        Files.writeString(csv, sb.toString());
        CliRun r = CliRun.qqt("figure6", "--csv", csv.toString(), "--holdout", "3.4e10", "--bootstrap", "0",
                "--out", dir.resolve("mine").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.size(dir.resolve("mine/figure6.png")) > 1000);
        CliRun bad = CliRun.qqt("figure6", "--csv", PUBLISHED.toString(), "--model", "ViT-B-32", "--holdout", "99B",
                "--out", dir.resolve("bad").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("its budgets are [3B, 13B, 34B]"), bad.err());
        CliRun both = CliRun.qqt("figure6", "--csv", PUBLISHED.toString(), "--holdout", "34B", "--out",
                dir.resolve("both").toString());
        assertEquals(2, both.code());
        assertTrue(both.err().contains("pick one with --model"), both.err());
    }

    @Test
    void rejectsTheSameOptionValuesAsFitWithTheSameLine() throws Exception {
        Path train = dir.resolve("train.csv");
        Files.writeString(train, "pool,pool_size,samples_seen,error\na,1000000,1000000,0.8\na,1000000,4000000,0.6\n"
                + "a,1000000,16000000,0.5\n");
        String[][] cases = {{"--d", "2"}, {"--d", "0.1,1.5"}, {"--threads", "0"}, {"--bootstrap", "-1"}};
        for (String[] c : cases) {
            CliRun fit = CliRun.qqt("fit", train.toString(), c[0], c[1], "--out", dir.resolve("p.json").toString());
            CliRun fig = CliRun.qqt("figure6", "--csv", PUBLISHED.toString(), "--model", "ViT-B-32", "--holdout",
                    "34B", c[0], c[1], "--out", dir.resolve("f6").toString());
            assertEquals(2, fit.code(), String.join(" ", c) + ": " + fit.err());
            assertEquals(2, fig.code(), String.join(" ", c) + ": " + fig.err());
            assertEquals(1, fig.err().lines().count(), fig.err());
            assertTrue(fig.err().contains(c[0]), fig.err());
            assertEquals(fit.err().replace("qqt fit", "qqt figure6"), fig.err());
        }
        CliRun file = CliRun.qqt("figure6", "--csv", PUBLISHED.toString(), "--model", "ViT-B-32", "--holdout", "34B",
                "--out", train.toString()); // an existing file: refused before the fit
        assertEquals(2, file.code());
        assertTrue(file.err().contains("--out is an existing file; give a directory"), file.err());
    }
}
