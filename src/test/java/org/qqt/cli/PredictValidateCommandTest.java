package org.qqt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qqt.cli.CliRun.qqt;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.io.Json;
import org.qqt.scaling.PredictionsFile;

class PredictValidateCommandTest {
    @TempDir
    Path dir;

    private static final Path TMARS = Path.of("configs/paper-tmars-imagenet.json");

    private static List<String> keys(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void predictJsonIsOneObjectWithExactlyTheContractKeys() throws Exception {
        CliRun r = qqt("predict", "--params", TMARS.toString(), "--budgets", "32M,64M,128M,640M", "--format", "json");
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().strip().lines().count(), "one line of JSON");
        JsonNode j = Json.mapper().readTree(r.out());
        // the record of predictions.json (PredictionsFile), as qqt figure5 writes it; a paper config has no metric
        assertEquals(List.of("law", "objective", "budgets", "mixtures", "best", "range"), keys(j));
        assertEquals("additive", j.get("law").asText());
        assertEquals("utility", j.get("objective").asText());
        assertEquals("[3.2E7,6.4E7,1.28E8,6.4E8]", j.get("budgets").toString());
        assertEquals("[3.2E7,6.4E8]", j.get("range").toString());
        assertEquals(4, j.get("mixtures").size());
        JsonNode m0 = j.get("mixtures").get(0);
        assertEquals(List.of("name", "pools", "pool_size", "error"), keys(m0));
        assertEquals("top0-10", m0.get("name").asText());
        assertEquals("[\"top0-10\",\"top10-20\"]", j.get("mixtures").get(1).get("pools").toString());
        assertEquals(4, m0.get("error").size());
        assertEquals("top0-10", j.get("best").get(0).asText());
        assertEquals("top0-10+top10-20+top20-30", j.get("best").get(3).asText());
    }

    @Test
    void predictJsonGainsBandsWithBootstrapDrawsAndAFrontierWhenAsked() throws Exception {
        Path params = dir.resolve("params.json");
        Files.writeString(params, """
                {"a":0.022,"d":0.1,"pools":[{"name":"p","size":12800000,"b":-0.18,"tau":4.36},
                                            {"name":"q","size":12800000,"b":-0.15,"tau":4.27}],
                 "bootstrap":[{"a":0.021,"d":0.1,"b":[-0.17,-0.15],"tau":[4.0,4.27]},
                              {"a":0.023,"d":0.1,"b":[-0.19,-0.15],"tau":[4.6,4.27]}]}
                """);
        CliRun r = qqt("predict", "--params", params.toString(), "--budgets", "32M,640M", "--format", "json",
                "--frontier", "--grid-points", "9");
        assertEquals(0, r.code(), r.err());
        JsonNode j = Json.mapper().readTree(r.out());
        assertEquals(List.of("law", "objective", "budgets", "mixtures", "best", "range", "frontier"), keys(j));
        assertEquals(List.of("name", "pools", "pool_size", "error", "low", "high"), keys(j.get("mixtures").get(0)));
        JsonNode f = j.get("frontier");
        assertEquals(List.of("grid", "best", "error", "crossovers"), keys(f));
        assertEquals(9, f.get("grid").size());
        assertEquals(32_000_000, f.get("grid").get(0).asDouble(), 1);
        Path file = dir.resolve("predictions.json"); // the one reader parses it back
        Files.writeString(file, r.out());
        PredictionsFile back = PredictionsFile.read(file);
        assertEquals(j.get("best").size(), back.best().size());
        assertEquals(f.get("crossovers").size(), back.frontier().crossovers().size());
        for (JsonNode c : f.get("crossovers")) {
            assertEquals(List.of("budget", "from", "to"), keys(c));
        }
    }

    @Test
    void predictTableAndCsvAndExplicitMixtures() {
        CliRun t = qqt("predict", "--params", TMARS.toString(), "--budgets", "32M,640M", "--frontier");
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("best mixture per budget"), t.out());
        assertTrue(t.out().contains("crossover at"), t.out());
        CliRun c = qqt("predict", "--params", TMARS.toString(), "--budgets", "64M", "--format", "csv",
                "--mixture", "top10-20+top0-10", "--mixture", "top30-40");
        assertEquals(0, c.code(), c.err());
        List<String> lines = c.out().strip().lines().toList();
        assertEquals("mixture,budget,error,best", lines.get(0));
        assertEquals(3, lines.size());
        assertTrue(lines.get(1).startsWith("top10-20+top0-10,64000000,"), lines.get(1));
        assertTrue(lines.get(2).startsWith("top30-40,64000000,"), lines.get(2));
    }

    @Test
    void predictWritesPngAndSvgForAPathWithoutExtension() throws Exception {
        Path plot = dir.resolve("fig5");
        CliRun r = qqt("predict", "--params", TMARS.toString(), "--budgets", "32M,640M", "--plot", plot.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.size(dir.resolve("fig5.png")) > 10_000);
        assertTrue(Files.readString(dir.resolve("fig5.svg")).contains("<svg"));
    }

    @Test
    void badInputExitsWithTwoAndOneLine() throws Exception {
        Path noPools = dir.resolve("nopools.json");
        Files.writeString(noPools, "{\"a\":0.022,\"d\":0.1,\"pools\":[]}");
        String[][] cases = {
                {"predict", "--params", dir.resolve("missing.json").toString(), "--budgets", "32M"},
                {"predict", "--params", noPools.toString(), "--budgets", "32M"},
                {"predict", "--params", TMARS.toString(), "--budgets", "32M", "--mixture", "top0-10+top99"},
                {"predict", "--params", TMARS.toString(), "--budgets", "32X"},
                {"predict", "--params", TMARS.toString(), "--budgets", "32M,0"},
                {"predict", "--params", TMARS.toString(), "--budgets", "-5M"},
                {"predict", "--params", TMARS.toString(), "--budgets", "32M", "--order", "size"},
                {"predict", "--params", TMARS.toString(), "--budgets", "32M", "--plot", "x.pdf"},
        };
        String[] expected = {"no such file", "no pools", "unknown pool 'top99'", "32X", "must be at least 1 sample", "-5M",
                "unknown mixture order", "x.pdf"};
        for (int i = 0; i < cases.length; i++) {
            assertEquals(2, Qqt.execute(cases[i]), String.join(" ", cases[i]));
            CliRun r = qqt(cases[i]);
            assertEquals(2, r.code());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains(expected[i]), expected[i] + " in: " + r.err());
        }
    }

    @Test
    void validateReportsMaeAndAgreementAndWarnsOnPoolSize() throws Exception {
        Path csv = dir.resolve("actual.csv");
        Files.writeString(csv, """
                pool,pool_size,samples_seen,error
                top0-10,12.8M,32M,0.83
                top0-10+top10-20,25.6M,32M,0.84
                top0-10+top10-20,12.8M,640M,0.64
                """);
        CliRun r = qqt("validate", "--params", TMARS.toString(), "--actual", csv.toString(), "--format", "json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("warning") && r.err().contains("25.6M"), r.err());
        JsonNode j = Json.mapper().readTree(r.out());
        assertEquals(List.of("points", "mae", "max_error", "budgets", "compared", "agreed"), keys(j));
        assertEquals(3, j.get("points").size());
        double mae = 0;
        double max = 0;
        for (JsonNode p : j.get("points")) {
            double d = Math.abs(p.get("predicted").asDouble() - p.get("actual").asDouble());
            assertEquals(d, p.get("abs_error").asDouble(), 1e-12);
            mae += d / 3;
            max = Math.max(max, d);
        }
        assertEquals(mae, j.get("mae").asDouble(), 1e-12);
        assertEquals(max, j.get("max_error").asDouble(), 1e-12);
        assertEquals(1, j.get("compared").asInt());
        assertEquals(1, j.get("agreed").asInt()); // at 32M: top0-10 measured and predicted best
        CliRun t = qqt("validate", "--params", TMARS.toString(), "--actual", csv.toString(), "--plot",
                dir.resolve("v.png").toString());
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("MAE"), t.out());
        assertTrue(Files.size(dir.resolve("v.png")) > 10_000);
    }

    @Test
    void validateWithAnUnknownMixtureExitsTwoListingTheKnownNames() throws Exception {
        Path csv = dir.resolve("actual.csv");
        Files.writeString(csv, "pool,pool_size,samples_seen,error\ntop0-50,64M,128M,0.7\n");
        CliRun r = qqt("validate", "--params", TMARS.toString(), "--actual", csv.toString());
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("unknown mixture 'top0-50'") && r.err().contains("top0-10+top10-20"), r.err());
        assertFalse(r.out().contains("MAE"));
    }
}
