package org.qqt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.data.PoolMetadata;
import org.qqt.data.Uid;
import org.qqt.io.Hashes;

/**
 * The bad-input campaign over every command, generated here: each case is one qqt call with one thing wrong (an
 * option value, a missing/empty/NaN/truncated/non-UTF-8 file, a directory for a file, an unknown option). Each must
 * exit 2 with exactly one line on stderr, no stack trace or Java exception class, and leave every input unchanged
 * (hashes of all input files before and after).
 */
class BadInputCorpusTest {
    @TempDir
    static Path dir;
    static Path in; // inputs: hashed before and after each case
    static Path outs; // where a case may write
    static Path run;
    static Path unfinished;
    static Path pool;
    static Path latin1Pool;
    static Path world;
    static Path suite;
    static Path scores;
    static Path subset;
    static Path csv;
    static Path params;
    static final AtomicInteger N = new AtomicInteger();
    static final AtomicInteger NAMES = new AtomicInteger();
    static final AtomicInteger PASSED = new AtomicInteger();
    private static final Pattern JAVA_NOISE = Pattern.compile("\\b\\w+(Exception|Error)\\b|\\tat |\\bjava\\.|"
            + "com\\.fasterxml|REDACTED|No content to map|ALLOW_NON|Input length = ");

    @BeforeAll
    static void fixtures() throws Exception {
        in = Files.createDirectories(dir.resolve("in"));
        outs = Files.createDirectories(dir.resolve("outs"));
        run = EvalFixtures.trainRun(in, "run", Path.of("models/tiny.json"));
        unfinished = in.resolve("unfinished");
        copyTree(run, unfinished);
        Path rj = unfinished.resolve("run.json");
        Files.writeString(rj, Files.readString(rj).replace("\"status\" : \"done\"", "\"status\" : \"running\""));
        pool = ScoreCommandTest.pool(in);
        latin1Pool = ScoreCommandTest.pool(in.resolve("latin1"));
        try (org.qqt.data.ShardWriter w = new org.qqt.data.ShardWriter(latin1Pool.resolve("shards"), 4,
                org.qqt.data.ShardWriter.Naming.IMG2DATASET)) { // replaces shard 0: a caption in Latin-1
            for (int i = 0; i < 4; i++) {
                w.write(Map.of("png", org.qqt.data.ImageCodec.encodePng(EvalFixtures.solid(24, 0x808080, i)),
                        "txt", "caf\u00e9 au lait".getBytes(StandardCharsets.ISO_8859_1),
                        "json", ("{\"uid\": \"" + ScoreCommandTest.uid(i).hex() + "\"}").getBytes(StandardCharsets.UTF_8)));
            }
        }
        world = in.resolve("world");
        suite = EvalFixtures.suite(world);
        List<PoolMetadata.Row> rows = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            rows.add(new PoolMetadata.Row(new Uid(i * 31L, i), "a photo of thing " + i, 300, 300, 0.5,
                    Map.of("s", i / 50.0)));
        }
        scores = in.resolve("scores.parquet");
        PoolMetadata.write(scores, List.of("s"), rows);
        subset = TrainCommandTest.subset(in, 300);
        csv = in.resolve("obs.csv");
        StringBuilder b = new StringBuilder("pool,pool_size,samples_seen,error\n");
        for (String p : List.of("top10", "top30")) {
            for (int s = 1; s <= 4; s++) {
                b.append(p).append(",1000000,").append(s * 1_000_000).append(",").append(0.9 - 0.05 * s).append('\n');
            }
        }
        Files.writeString(csv, b);
        params = in.resolve("params.json");
        Files.copy(Path.of("configs/paper-clip-imagenet.json"), params);
        Files.copy(Path.of("models/tiny.json"), in.resolve("tiny.json"));
    }

    @AfterAll
    static void counts() {
        System.out.println("bad-input corpus: " + N.get() + " cases tried, " + PASSED.get() + " passed");
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    /** Bad variants of an input file with extension {@code ext}, written once under in/bad/. */
    private static List<Path> badFiles(String name, String ext, String valid) throws Exception {
        Path d = Files.createDirectories(in.resolve("bad-" + name));
        List<Path> out = new ArrayList<>();
        out.add(d.resolve("missing." + ext));
        out.add(Files.createDirectories(d.resolve("a-directory." + ext)));
        out.add(Files.writeString(d.resolve("empty." + ext), ""));
        out.add(Files.writeString(d.resolve("nan." + ext), "NaN"));
        out.add(Files.writeString(d.resolve("truncated." + ext), valid.substring(0, valid.length() / 2)));
        out.add(Files.write(d.resolve("latin1." + ext), valid.replaceFirst("[a-z]", "\u00e9")
                .getBytes(StandardCharsets.ISO_8859_1)));
        out.add(Files.write(d.resolve("binary." + ext), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, (byte) 0x80}));
        return out;
    }

    private static String o(String name) {
        return outs.resolve(name + "-" + NAMES.incrementAndGet()).toString();
    }

    /** Base arguments with {@code option} set to {@code value} (added when absent; removed when value is null). */
    private static String[] with(String[] base, String option, String value) {
        List<String> a = new ArrayList<>(Arrays.asList(base));
        int i = a.indexOf(option);
        if (i >= 0) {
            a.remove(i + 1);
            a.remove(i);
        }
        if (value != null) {
            a.add(option);
            a.add(value);
        }
        return a.toArray(new String[0]);
    }

    private record Case(String name, String[] args) {}

    private static void vary(List<Case> cases, String cmd, String[] base, String option, String... values) {
        for (String v : values) {
            cases.add(new Case(cmd + " " + option + " '" + v + "'", with(base, option, v)));
        }
    }

    private static void files(List<Case> cases, String cmd, String[] base, String option, List<Path> files) {
        for (Path f : files) {
            cases.add(new Case(cmd + " " + option + " " + f.getFileName(), with(base, option, f.toString())));
        }
    }

    private static void usage(List<Case> cases, String cmd, String[] base, String... required) {
        cases.add(new Case(cmd + " --foo", concat(base, "--foo")));
        cases.add(new Case(cmd + " --foo=1", concat(base, "--foo=1")));
        for (String r : required) {
            cases.add(new Case(cmd + " without " + r, with(base, r, null)));
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static List<Case> corpus() throws Exception {
        List<Case> c = new ArrayList<>();
        String model = in.resolve("tiny.json").toString();
        String validModel = Files.readString(Path.of("models/tiny.json"));
        List<Path> badModels = badFiles("model", "json", validModel);
        Files.writeString(in.resolve("bad-model/unknown-key.json"), validModel.replace("\"mlp_ratio\"", "\"mlp_ration\""));
        badModels.add(in.resolve("bad-model/unknown-key.json"));

        // train
        String[] train = {"train", "--data", "random", "--model", model, "--samples-seen", "512", "--batch", "256",
                "--device", "cpu", "--out", o("train")};
        vary(c, "train", train, "--samples-seen", "1e19", "1e15", "9.2e18", "3200.7", "-5", "0", "abc", "NaN", "",
                "1e400", "100", "12.5k5");
        vary(c, "train", train, "--batch", "0", "-1", "1", "abc", "1e3", "99999999999");
        vary(c, "train", train, "--lr", "NaN", "0", "-1", "Infinity", "abc");
        vary(c, "train", train, "--wd", "NaN", "-0.1", "abc", "Infinity");
        vary(c, "train", train, "--grad-clip", "NaN", "-1");
        vary(c, "train", train, "--threads", "-2", "abc");
        vary(c, "train", train, "--loss-block", "-1");
        vary(c, "train", train, "--checkpoint-every", "-1");
        vary(c, "train", train, "--warmup", "-1");
        vary(c, "train", train, "--loader-threads", "-1");
        vary(c, "train", train, "--micro-batch", "100", "-1", "512");
        vary(c, "train", train, "--precision", "fp8");
        vary(c, "train", train, "--log-every", "0");
        vary(c, "train", train, "--device", "tpu");
        vary(c, "train", train, "--data", "foo");
        vary(c, "train", train, "--tokenizer", "foo");
        vary(c, "train", train, "--keep-at", "1.5", "abc", "0");
        vary(c, "train", train, "--out", subset.toString());
        vary(c, "train", train, "--subset", subset.toString());
        files(c, "train", train, "--model", badModels);
        usage(c, "train", train, "--model", "--out", "--samples-seen");
        String[] shards = {"train", "--pool", pool.toString(), "--subset", subset.toString(), "--model", model,
                "--samples-seen", "512", "--batch", "256", "--device", "cpu", "--out", o("train")};
        vary(c, "train", shards, "--subset", in.toString(), in.resolve("nope.npy").toString(), csv.toString());
        c.add(new Case("train shards without --pool", with(shards, "--pool", null)));

        // eval
        String validSuite = Files.readString(suite);
        String[] eval = {"eval", "--run", run.toString(), "--suite", suite.toString(), "--root", world.toString(),
                "--device", "cpu", "--out", o("eval") + ".jsonl"};
        vary(c, "eval", eval, "--batch", "0", "-3", "abc");
        vary(c, "eval", eval, "--threads", "-2");
        vary(c, "eval", eval, "--cache-mb", "-5", "abc");
        vary(c, "eval", eval, "--format", "csv", "xml");
        vary(c, "eval", eval, "--device", "tpu");
        vary(c, "eval", eval, "--root", in.resolve("nope").toString(), csv.toString());
        vary(c, "eval", eval, "--run", in.resolve("nope").toString(), in.toString(), unfinished.toString());
        vary(c, "eval", eval, "--checkpoint", in.resolve("nope.safetensors").toString(), in.toString(), csv.toString());
        vary(c, "eval", eval, "--out", outs.toString());
        files(c, "eval", eval, "--suite", badFiles("suite", "yaml", validSuite));
        usage(c, "eval", eval, "--run", "--suite", "--root");

        // score
        String[] score = {"score", "--pool", pool.toString(), "--teacher", run.toString(), "--device", "cpu"};
        vary(c, "score", score, "--column", "uid", "text", "UID", "true_quality", "original_width", "bad name", "1x", "");
        vary(c, "score", score, "--batch", "0", "-1", "abc");
        vary(c, "score", score, "--threads", "-2");
        vary(c, "score", score, "--teacher", in.resolve("nope").toString(), in.toString(), unfinished.toString());
        vary(c, "score", score, "--pool", in.resolve("nope").toString(), csv.toString(), world.toString());
        vary(c, "score", score, "--checkpoint", in.resolve("nope.safetensors").toString(), csv.toString());
        vary(c, "score", score, "--device", "tpu");
        vary(c, "score", score, "--pool", latin1Pool.toString());
        usage(c, "score", score, "--pool", "--teacher");

        // filter
        String[] filter = {"filter", "--metadata", scores.toString(), "--score", "s", "--top", "10", "--out", o("filter")};
        vary(c, "filter", filter, "--top", "NaN", "-5", "0", "101", "abc", "Infinity", "");
        vary(c, "filter", filter, "--range", "a-b", "10-5", "0-10,5-20", "0-200", "10", ",");
        vary(c, "filter", filter, "--random", "NaN", "0", "150", "abc");
        vary(c, "filter", filter, "--score", "nosuch", "uid", "text", "");
        vary(c, "filter", filter, "--metadata", in.resolve("nope.parquet").toString(), csv.toString(),
                Files.createDirectories(in.resolve("empty-dir")).toString());
        vary(c, "filter", filter, "--out", csv.toString());
        vary(c, "filter", filter, "--min-caption-words", "abc");
        vary(c, "filter", filter, "--format", "xml");
        c.add(new Case("filter without a bucket", with(filter, "--top", null)));
        files(c, "filter", filter, "--metadata", badFiles("meta", "parquet", "PAR1 not really a parquet file PAR1"));
        usage(c, "filter", filter, "--metadata", "--score", "--out");

        // fit
        String validCsv = Files.readString(csv);
        String[] fit = {"fit", csv.toString(), "--out", o("fit") + ".json", "--no-refine"};
        vary(c, "fit", fit, "--d", "2", "-0.1", "NaN", "abc", "0.1,1.5");
        vary(c, "fit", fit, "--out", outs.toString());
        vary(c, "fit", fit, "--threads", "0", "-2");
        vary(c, "fit", fit, "--bootstrap", "-1");
        vary(c, "fit", fit, "--normalizer", "abc", "0", "-1");
        vary(c, "fit", fit, "--a-range", "1:2", "a:b:c", "2:1:10");
        vary(c, "fit", fit, "--b-range", "x");
        vary(c, "fit", fit, "--tau-range", "1:10:0");
        vary(c, "fit", fit, "--law", "foo");
        vary(c, "fit", fit, "--format", "xml");
        vary(c, "fit", fit, "--a", "0", "-1");
        for (Path f : badFiles("csv", "csv", validCsv)) {
            String[] a = fit.clone();
            a[1] = f.toString();
            c.add(new Case("fit " + f.getFileName(), a));
        }
        c.add(new Case("fit unfinished runs", new String[] {"fit", unfinished.toString(), "--out", o("fit") + ".json"}));
        c.add(new Case("fit --foo", concat(fit, "--foo")));
        c.add(new Case("fit without input", new String[] {"fit", "--out", o("fit") + ".json"}));

        // law
        String[] law = {"law", "--a", "1", "--b", "-0.1", "--tau", "2", "--d", "0.1", "--samples-per-epoch", "1M",
                "--samples", "1M,2M"};
        vary(c, "law", law, "--b", "0.5", "NaN", "0", "abc");
        vary(c, "law", law, "--d", "-3", "2", "NaN");
        vary(c, "law", law, "--a", "0", "-1", "NaN");
        vary(c, "law", law, "--tau", "0", "NaN", "-1");
        vary(c, "law", law, "--samples", "abc", "", "-1", ",");
        vary(c, "law", law, "--samples-per-epoch", "0", "abc");
        vary(c, "law", law, "--normalizer", "0", "abc");
        vary(c, "law", law, "--law", "foo");
        vary(c, "law", law, "--objective", "foo");
        vary(c, "law", law, "--format", "xml");
        usage(c, "law", law, "--a", "--b", "--samples");

        // predict
        String validParams = Files.readString(params);
        String[] predict = {"predict", "--params", params.toString(), "--budgets", "32M,64M"};
        vary(c, "predict", predict, "--budgets", "1.5", "0", "-1", "abc", "", "1e19", "NaN", "32M,1.5");
        vary(c, "predict", predict, "--order", "foo");
        vary(c, "predict", predict, "--grid-points", "0", "-1", "abc");
        vary(c, "predict", predict, "--format", "xml");
        List<Path> badParams = badFiles("params", "json", validParams);
        Files.writeString(in.resolve("bad-params/unknown-key.json"), validParams.replaceFirst("\"a\"", "\"aa\""));
        badParams.add(in.resolve("bad-params/unknown-key.json"));
        files(c, "predict", predict, "--params", badParams);
        usage(c, "predict", predict, "--params", "--budgets");

        // validate
        String[] validate = {"validate", "--params", params.toString(), "--actual", csv.toString()};
        files(c, "validate", validate, "--actual", badFiles("actual", "csv", validCsv).subList(0, 7));
        vary(c, "validate", validate, "--actual", unfinished.toString());
        files(c, "validate", validate, "--params", badParams.subList(0, 4));
        vary(c, "validate", validate, "--format", "xml");
        usage(c, "validate", validate, "--params", "--actual");

        // synth
        String validWorld = Files.readString(Path.of("configs/world-tiny.yaml"));
        String[] synth = {"synth", "--config", "configs/world-tiny.yaml", "--out", o("synth"), "--metadata-only"};
        vary(c, "synth", synth, "--pool-size", "abc", "0", "-1", "1.5", "1e19");
        vary(c, "synth", synth, "--image-size", "0", "-1", "abc");
        vary(c, "synth", synth, "--threads", "0", "-2");
        vary(c, "synth", synth, "--seed", "abc");
        vary(c, "synth", synth, "--out", csv.toString());
        files(c, "synth", synth, "--config", badFiles("world", "yaml", validWorld));
        usage(c, "synth", synth);

        // sweep, study, figure5: their configs
        String validSweep = Files.readString(Path.of("configs/sweep-example.yaml"));
        for (Path f : badFiles("sweep", "yaml", validSweep)) {
            c.add(new Case("sweep plan " + f.getFileName(), new String[] {"sweep", "plan", f.toString()}));
            c.add(new Case("study learnability " + f.getFileName(),
                    new String[] {"study", "learnability", "--config", f.toString(), "--dry-run"}));
            c.add(new Case("figure5 " + f.getFileName(), new String[] {"figure5", "--config", f.toString()}));
        }
        c.add(new Case("sweep plan --foo", new String[] {"sweep", "plan", "--foo"}));
        c.add(new Case("sweep nosuch", new String[] {"sweep", "nosuch"}));

        // bench
        vary(c, "bench train", new String[] {"bench", "train", "--models", model, "--steps", "1", "--warmup", "0"},
                "--rss-steps", "abc", "-5");
        c.add(new Case("bench train --foo", new String[] {"bench", "train", "--foo"}));

        // an output where nobody may write (sysfs refuses new files even to root)
        c.add(new Case("fit --out /sys", with(fit, "--out", "/sys/qqt-params.json")));
        c.add(new Case("filter --out /sys", with(filter, "--out", "/sys/qqt-buckets")));
        c.add(new Case("train --out /sys", with(train, "--out", "/sys/qqt-run")));
        c.add(new Case("synth --out /sys", with(synth, "--out", "/sys/qqt-world")));
        c.add(new Case("eval --out /sys", with(eval, "--out", "/sys/qqt-eval.jsonl")));
        c.add(new Case("predict --plot /sys", with(predict, "--plot", "/sys/qqt-plot.png")));
        c.add(new Case("fit --out under a file", with(fit, "--out", csv.resolve("params.json").toString())));

        // top level
        c.add(new Case("qqt --foo", new String[] {"--foo"}));
        c.add(new Case("qqt nosuch", new String[] {"nosuch"}));
        return c;
    }

    @TestFactory
    Stream<DynamicTest> everyBadInputIsExit2OneLineNoTraceInputsUnchanged() throws Exception {
        List<Case> cases = corpus();
        assertTrue(cases.size() >= 210, "corpus has " + cases.size() + " cases");
        return cases.stream().map(k -> DynamicTest.dynamicTest(k.name(), () -> {
            N.incrementAndGet();
            Map<String, String> before = hashes(in);
            CliRun r = CliRun.qqt(k.args());
            String err = r.err().strip();
            assertEquals(2, r.code(), k.name() + ": exit " + r.code() + "\n" + r.err() + r.out());
            assertEquals(1, err.lines().count(), k.name() + ": stderr has " + err.lines().count() + " lines:\n" + err);
            assertTrue(err.startsWith("qqt"), err);
            assertFalse(JAVA_NOISE.matcher(err).find(), k.name() + ": Java internals in: " + err);
            assertEquals(before, hashes(in), k.name() + ": an input changed");
            PASSED.incrementAndGet();
        }));
    }

    static Map<String, String> hashes(Path root) throws Exception {
        Map<String, String> h = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals(".qqt.lock"))
                    .toList()) {
                h.put(root.relativize(p).toString(), Hashes.sha256(p));
            }
        }
        return h;
    }
}
