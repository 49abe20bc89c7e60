package org.qqt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.scaling.FitBench;
import org.qqt.scaling.LawForm;
import org.qqt.scaling.Objective;
import org.qqt.scaling.Observation;
import org.qqt.scaling.PoolParams;
import org.qqt.scaling.ScalingParams;
import picocli.CommandLine;

class FitCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Qqt.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    private Path csv(List<Observation> obs) throws IOException {
        StringBuilder sb = new StringBuilder("pool,pool_size,samples_seen,error\n");
        for (Observation o : obs) {
            sb.append(String.format(Locale.ROOT, "%s,%.0f,%.0f,%.17g%n", o.pool(), o.poolSize(), o.samplesSeen(),
                    o.error()));
        }
        Path f = dir.resolve("obs.csv");
        Files.writeString(f, sb.toString());
        return f;
    }

    private Path benchCsv() throws IOException {
        return csv(FitBench.generate(FitBench.truth(), LawForm.ADDITIVE, Objective.UTILITY, FitBench.EPOCHS, 0.001, 4));
    }

    @Test
    void fitsACsvAndWritesParamsThatLoadBackInTheRequestedPoolOrder() throws IOException {
        Path params = dir.resolve("out/params.json");
        int code = run("fit", benchCsv().toString(), "--out", params.toString(), "--pools",
                "top0-10,top10-20,top20-30,top30-40", "--bootstrap", "20", "--seed", "3");
        assertEquals(0, code, err.toString());
        ScalingParams p = ScalingParams.load(params);
        assertEquals(List.of("top0-10", "top10-20", "top20-30", "top30-40"),
                p.pools().stream().map(PoolParams::name).toList());
        assertEquals("csv", p.fit().metric());
        assertEquals(20, p.fit().points());
        assertEquals(9, p.fit().freeParameters());
        assertEquals(20, p.bootstrap().size());
        assertEquals(9, p.fit().intervals().size());
        assertTrue(p.fit().sse() <= p.fit().gridSse());
        assertEquals(-0.18, p.pool("top0-10").b(), 0.03);
        assertTrue(out.toString().contains("top30-40"), out.toString());
        assertTrue(out.toString().contains("wrote " + params), out.toString());
    }

    @Test
    void jsonAndCsvSummariesAreMachineReadable() throws IOException {
        Path in = benchCsv();
        assertEquals(0, run("fit", in.toString(), "--out", dir.resolve("p.json").toString(), "--format", "json",
                "--a", "0.022"), err.toString());
        String json = out.toString().trim();
        assertTrue(json.startsWith("{\"a\":0.022,"), json);
        assertEquals(1, json.lines().count());
        out.getBuffer().setLength(0);
        assertEquals(0, run("fit", in.toString(), "--out", dir.resolve("p.json").toString(), "--format", "csv",
                "--law", "reference"), err.toString());
        List<String> lines = out.toString().lines().toList();
        assertEquals("parameter,estimate,low,high", lines.get(0));
        assertEquals(1 + 2 + 8, lines.size());
        assertTrue(lines.get(1).startsWith("a,"));
    }

    @Test
    void fitsARunsTree() throws IOException {
        for (Observation o : FitBench.generate(FitBench.truth(), LawForm.ADDITIVE, Objective.UTILITY,
                FitBench.EPOCHS, 0.001, 2)) {
            Path run = dir.resolve("runs").resolve(o.pool()).resolve("s" + (long) o.samplesSeen());
            Files.createDirectories(run);
            Files.writeString(run.resolve("run.json"), String.format(Locale.ROOT,
                    "{\"pool_name\":\"%s\",\"pool_size\":%.0f,\"samples_seen\":%.0f,\"lr\":5e-4}", o.pool(),
                    o.poolSize(), o.samplesSeen()));
            Files.writeString(run.resolve("eval_results.jsonl"), String.format(Locale.ROOT,
                    "{\"key\":\"imagenet1k\",\"dataset\":\"ImageNet 1k\",\"metrics\":{\"acc1\":%.17g,\"main_metric\":%.17g}}%n",
                    1 - o.error(), 1 - o.error()));
        }
        Path params = dir.resolve("params.json");
        assertEquals(0, run("fit", dir.resolve("runs").toString(), "--out", params.toString()), err.toString());
        ScalingParams p = ScalingParams.load(params);
        assertEquals("imagenet1k", p.fit().metric());
        assertEquals(4, p.pools().size());
        // avg18 needs all 18 tasks: exit 2 with the run directory and the missing keys
        assertEquals(2, run("fit", dir.resolve("runs").toString(), "--metric", "avg18", "--out", params.toString()));
        assertTrue(err.toString().contains("missing [imagenetv2"), err.toString());
    }

    @Test
    void tiedFitWithAGroupColumnFeedsValidateAndReportsCrossValidation() throws IOException {
        // two groups of two pools each, sharing b and tau within the group; the largest budget held out
        StringBuilder train = new StringBuilder("pool,pool_size,samples_seen,error,group,lr\n");
        StringBuilder test = new StringBuilder("pool,pool_size,samples_seen,error\n");
        String[] pool = {"s", "m", "x", "y"};
        double[] size = {10e6, 40e6, 10e6, 40e6};
        double[] b = {-0.2, -0.2, -0.12, -0.12};
        double[] tau = {4, 4, 2, 2};
        org.qqt.scaling.Law law = new org.qqt.scaling.Law(LawForm.ADDITIVE, 0.02, 0.1, 1e5);
        for (int i = 0; i < 4; i++) {
            for (double seen : new double[] {40e6, 120e6, 300e6, 600e6}) {
                double y = law.error(seen, size[i], org.qqt.scaling.UtilitySchedule.pool(b[i], tau[i],
                        Objective.UTILITY));
                String row = String.format(Locale.ROOT, "%s,%.0f,%.0f,%.17g", pool[i], size[i], seen, y);
                if (seen == 600e6) {
                    test.append(row).append('\n');
                } else {
                    train.append(row).append(i < 2 ? ",small" : ",big").append(",5e-4\n");
                }
            }
        }
        Path trainCsv = dir.resolve("train.csv");
        Path testCsv = dir.resolve("test.csv");
        Files.writeString(trainCsv, train.toString());
        Files.writeString(testCsv, test.toString());
        Path params = dir.resolve("tied.json");
        assertEquals(0, run("fit", trainCsv.toString(), "--tie", "b,tau", "--d", "0.05,0.1,0.15", "--out",
                params.toString()), err.toString());
        String table = out.toString();
        assertTrue(table.contains("tied b,tau: group 'small' = s, m"), table);
        assertTrue(table.contains("leave-one-out  MAE"), table);
        assertTrue(table.contains("extrapolate    MAE"), table);
        ScalingParams p = ScalingParams.load(params);
        assertEquals(6, p.fit().freeParameters()); // a, d, 2 b, 2 tau
        assertEquals(p.pool("s").tau(), p.pool("m").tau(), 0.0);
        assertEquals(-0.12, p.pool("y").b(), 0.005);
        assertEquals(12, p.fit().crossValidation().leaveOneOut().points().size());
        assertEquals(4, p.fit().crossValidation().extrapolate().points().size());

        out.getBuffer().setLength(0);
        assertEquals(0, run("validate", "--params", params.toString(), "--actual", testCsv.toString(), "--format",
                "json"), err.toString());
        String json = out.toString();
        assertTrue(json.contains("\"mae\":") && json.contains("\"max_error\":"), json);
        double mae = Double.parseDouble(json.replaceAll("(?s).*\"mae\":([0-9.eE-]+).*", "$1"));
        assertTrue(mae < 0.002, json);

        assertEquals(2, run("fit", trainCsv.toString(), "--tie", "b,c", "--out", params.toString()));
        assertTrue(err.toString().contains("--tie 'b,c'"), err.toString());
    }

    @Test
    void aMissingFileIsExitCode2() {
        assertEquals(2, run("fit", dir.resolve("nope.csv").toString(), "--out", dir.resolve("p.json").toString()));
        assertTrue(err.toString().contains("nope.csv: no such file"), err.toString());
        assertFalse(Files.exists(dir.resolve("p.json")));
        assertEquals(2, Qqt.execute("fit", dir.resolve("nope.csv").toString(), "--out", dir.resolve("p.json").toString()));
    }

    @Test
    void aNanErrorIsExitCode2() throws IOException {
        Path f = dir.resolve("nan.csv");
        Files.writeString(f, "pool,pool_size,samples_seen,error\np,12.8M,25.6M,0.8\np,12.8M,51.2M,NaN\np,12.8M,76.8M,0.7\n");
        assertEquals(2, run("fit", f.toString(), "--out", dir.resolve("p.json").toString()));
        assertTrue(err.toString().contains("line 3"), err.toString());
    }

    @Test
    void anErrorAboveOneIsExitCode2() throws IOException {
        Path f = dir.resolve("big.csv");
        Files.writeString(f, "pool,pool_size,samples_seen,error\np,12.8M,25.6M,1.2\np,12.8M,51.2M,0.8\np,12.8M,76.8M,0.7\n");
        assertEquals(2, run("fit", f.toString(), "--out", dir.resolve("p.json").toString()));
        assertTrue(err.toString().contains("must be in [0, 1]"), err.toString());
    }

    @Test
    void fewerPointsThanParametersIsExitCode2() throws IOException {
        Path f = dir.resolve("few.csv");
        Files.writeString(f, "pool,pool_size,samples_seen,error\np,12.8M,25.6M,0.8\np,12.8M,51.2M,0.7\n"
                + "q,12.8M,25.6M,0.8\nq,12.8M,51.2M,0.7\n");
        assertEquals(2, run("fit", f.toString(), "--out", dir.resolve("p.json").toString()));
        String msg = err.toString();
        assertTrue(msg.contains(f.toString()) && msg.contains("4 observations but 5 free parameters"), msg);
        assertEquals(1, msg.lines().count(), msg);
        // d searched adds a parameter
        err.getBuffer().setLength(0);
        Path g = dir.resolve("six.csv");
        Files.writeString(g, "pool,pool_size,samples_seen,error\np,12.8M,25.6M,0.8\np,12.8M,51.2M,0.7\n"
                + "p,12.8M,76.8M,0.65\n");
        assertEquals(0, run("fit", g.toString(), "--out", dir.resolve("p.json").toString()), err.toString());
        assertEquals(2, run("fit", g.toString(), "--d", "0.05,0.1", "--out", dir.resolve("p.json").toString()));
        assertTrue(err.toString().contains("3 observations but 4 free parameters"), err.toString());
    }

    @Test
    void conflictingOrMalformedOptionsAreExitCode2() throws IOException {
        Path in = benchCsv();
        String o = dir.resolve("p.json").toString();
        assertEquals(2, run("fit", in.toString(), "--a", "0.02", "--a-max", "0.05", "--out", o));
        assertEquals(2, run("fit", in.toString(), "--b-range", "-0.5:-0.005", "--out", o));
        assertEquals(2, run("fit", in.toString(), "--tau-range", "10:1:100", "--out", o));
        assertEquals(2, run("fit", in.toString(), "--d", "x", "--out", o));
        assertEquals(2, run("fit", in.toString(), "--pools", "top0-10,nope", "--out", o));
        assertEquals(2, run("fit", in.toString(), "--law", "paper", "--out", o));
    }

    @Test
    void benchFitRunsAndReportsASpeedUp() {
        assertEquals(0, run("bench", "fit", "--warmup", "0", "--repetitions", "1", "--naive-stride", "2000",
                "--format", "json"), err.toString());
        String s = out.toString();
        assertTrue(s.contains("\"speedup\":") && s.contains("\"rows_per_second\":") && s.contains("\"grid_rows\":4000000"),
                s);
    }
}
