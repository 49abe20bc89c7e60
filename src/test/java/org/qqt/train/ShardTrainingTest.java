package org.qqt.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qqt.cli.CliRun.qqt;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.cli.CliRun;
import org.qqt.data.ClipTokenizer;
import org.qqt.data.CompactVocabulary;
import org.qqt.data.PoolMetadata;
import org.qqt.data.SubsetFile;
import org.qqt.data.Uid;
import org.qqt.io.Json;
import org.qqt.model.Clip;
import org.qqt.model.ModelConfig;
import org.qqt.synth.WorldConfig;
import org.qqt.synth.WorldWriter;

/** {@code qqt train --pool ... --subset ...} end to end on a tiny synthetic world generated here. */
@Tag("slow")
class ShardTrainingTest {
    @TempDir
    static Path world;
    static Path subset;
    static final PrintStream quiet = new PrintStream(PrintStream.nullOutputStream());

    /** 1000 pool samples of 32×32 (tiny world), and a subset of the top half by true_quality. */
    @BeforeAll
    static void makeWorld() {
        System.setProperty("java.awt.headless", "true");
        Path cfg = Path.of("configs/world-tiny.yaml");
        WorldConfig c = WorldConfig.load(cfg).withPoolSize(1000).validated(cfg);
        new WorldWriter(c, 0, 2, quiet).write(world.resolve("w"), false);
        Map<Uid, Double> q;
        try (PoolMetadata meta = PoolMetadata.open(world.resolve("w/pool/metadata.parquet"))) {
            q = meta.readScores("true_quality");
        }
        List<Uid> ranked = new ArrayList<>(q.keySet());
        ranked.sort(Comparator.comparing((Uid u) -> -q.get(u)).thenComparing(u -> u));
        subset = world.resolve("top50.npy");
        SubsetFile.of(ranked.subList(0, ranked.size() / 2)).write(subset);
    }

    static String[] args(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--pool", world.resolve("w/pool").toString(), "--subset",
                subset.toString(), "--model", "models/tiny.json", "--samples-seen", "320", "--batch", "32", "--lr",
                "3e-3", "--seed", "3", "--checkpoint-every", "4", "--device", "cpu", "--out", out.toString()));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    @Test
    void shardRunWritesRunJsonMetricsCheckpointAndVocabThenIsIdempotent(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        CliRun r = qqt(args(out));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("10 steps"), r.out());
        JsonNode run = Json.readTree(out.resolve(RunRecord.FILE));
        assertEquals("done", run.get("status").asText());
        assertEquals("top50", run.get("pool_name").asText());
        assertEquals(500, run.get("pool_size").asLong(), "top half of 1000 samples, each once");
        assertEquals(320, run.get("samples_seen").asLong());
        assertEquals("compact", run.get("tokenizer").asText());
        assertEquals("vocab.json", run.get("vocab").asText());
        assertEquals(10, Files.readAllLines(out.resolve(MetricsLog.FILE)).size());
        assertTrue(Files.exists(Checkpoint.latest(out)));

        CompactVocabulary vocab = CompactVocabulary.load(out.resolve(DataSources.VOCAB_FILE), ClipTokenizer.load());
        int rows = run.get("config").get("model").get("vocab_size").asInt();
        assertEquals(vocab.vocabSize(), rows, "the model's token rows = the compact vocabulary");
        assertTrue(rows < 1024, "a tiny world uses far fewer ids than the config's cap: " + rows);
        try (Clip model = Checkpoint.loadModel(Checkpoint.latest(out), Device.cpu())) {
            assertEquals(rows, model.parameters().get("token_embedding.weight").getShape().get(0));
        }

        long modified = Files.getLastModifiedTime(Checkpoint.latest(out)).toMillis();
        long vocabModified = Files.getLastModifiedTime(out.resolve(DataSources.VOCAB_FILE)).toMillis();
        CliRun again = qqt(args(out));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("already done"), again.out());
        assertEquals(modified, Files.getLastModifiedTime(Checkpoint.latest(out)).toMillis());
        assertEquals(vocabModified, Files.getLastModifiedTime(out.resolve(DataSources.VOCAB_FILE)).toMillis());
    }

    @Test
    void resumeAfterKillGivesIdenticalWeightsToAnUninterruptedShardRun(@TempDir Path dir) throws Exception {
        Path straight = dir.resolve("straight");
        Path killed = dir.resolve("killed");
        assertEquals(0, qqt(args(straight, "--threads", "1", "--loader-threads", "2")).code());

        // the same run "killed" after step 7 (last checkpoint at step 4): opened as the CLI opens it
        ModelConfig tiny = ModelConfig.load(Path.of("models/tiny.json"));
        DataSources.Prepared p = DataSources.prepare(world.resolve("w/pool"), subset, null, tiny, killed);
        TrainConfig c = TrainConfig.defaults(p.model(), 320, 32, 3e-3, 3).withCheckpointEvery(4);
        c = c.withWarmup(c.warmup());
        DataSources.Opened o = p.open(3, 32, 1, "top50", world.resolve("w/pool"),
                killed.resolve(DataSources.INDEX_CACHE_DIR));
        p.saveVocab(killed);
        try (var loader = o.loader()) {
            Trainer.Outcome partial = new Trainer(c, killed, Device.cpu(), quiet).run(loader, o.info(), 7);
            assertEquals(7, partial.steps());
        }
        assertEquals(4, Checkpoint.readState(Checkpoint.latest(killed)).step());
        try (var s = Files.list(killed.resolve(DataSources.INDEX_CACHE_DIR))) {
            assertTrue(s.anyMatch(f -> f.getFileName().toString().endsWith(".tar.idx")), "header index cached");
        }
        Path leftover = killed.resolve(DataSources.INDEX_CACHE_DIR).resolve(".00000000.tar.idx.123.tmp");
        Files.writeString(leftover, "a cache write cut by a kill");
        // resumed through the CLI with a fresh loader (another decode thread count), from the cached index
        CliRun resumed = qqt(args(killed, "--threads", "1", "--loader-threads", "1"));
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("10 steps") && !resumed.out().contains("already done"), resumed.out());
        assertFalse(Files.exists(leftover), "the killed writer's temp file is removed at the start");

        TrainerTest.assertSameTensors(Checkpoint.latest(straight), Checkpoint.latest(killed), p.model());
        List<String> a = Files.readAllLines(straight.resolve(MetricsLog.FILE));
        List<String> b = Files.readAllLines(killed.resolve(MetricsLog.FILE));
        assertEquals(10, b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(Json.mapper().readTree(a.get(i)).get("loss"), Json.mapper().readTree(b.get(i)).get("loss"));
        }
        assertEquals(Files.readString(straight.resolve(DataSources.VOCAB_FILE)),
                Files.readString(killed.resolve(DataSources.VOCAB_FILE)), "the vocabulary is deterministic");
    }

    @Test
    void subsetWithNoUidOfThePoolIsExit2InOneLine(@TempDir Path dir) {
        Path foreign = dir.resolve("foreign.npy");
        List<Uid> uids = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            uids.add(new Uid(7, i));
        }
        SubsetFile.of(uids).write(foreign);
        CliRun r = qqt("train", "--pool", world.resolve("w/pool").toString(), "--subset", foreign.toString(), "--model",
                "models/tiny.json", "--samples-seen", "320", "--batch", "32", "--out", dir.resolve("run").toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("no usable sample of the subset"), r.err());
        assertFalse(Files.exists(dir.resolve("run/run.json")));
    }

    @Test
    void batchLargerThanTheSamplesPresentIsExit2(@TempDir Path dir) {
        // 500 subset rows: a batch of 600 fails before the shards are read
        CliRun r = qqt("train", "--pool", world.resolve("w/pool").toString(), "--subset", subset.toString(), "--model",
                "models/tiny.json", "--samples-seen", "1200", "--batch", "600", "--out", dir.resolve("run").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("larger than the subset (500 samples"), r.err());
        // 500 rows of which 400 are absent from the pool: a batch of 200 > the 100 present
        Path mixed = dir.resolve("mixed.npy");
        List<Uid> uids = new ArrayList<>(SubsetFile.read(subset).uids().subList(0, 100));
        for (int i = 0; i < 400; i++) {
            uids.add(new Uid(7, i));
        }
        SubsetFile.of(uids).write(mixed);
        CliRun m = qqt("train", "--pool", world.resolve("w/pool/shards").toString(), "--subset", mixed.toString(),
                "--model", "models/tiny.json", "--samples-seen", "400", "--batch", "200", "--out",
                dir.resolve("run2").toString());
        assertEquals(2, m.code(), m.err());
        assertTrue(m.err().contains("larger than the 100 samples of the subset present"), m.err());
        // the same subset with a batch that fits: trains on the 100 present, says how many rows are missing
        Path out = dir.resolve("run3");
        CliRun ok = qqt("train", "--pool", world.resolve("w/pool/shards").toString(), "--subset", mixed.toString(),
                "--model", "models/tiny.json", "--samples-seen", "100", "--batch", "50", "--out", out.toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.err().contains("400 of 500 subset rows (400 distinct uids) have no usable sample"), ok.err());
        assertEquals(100, Json.readTree(out.resolve(RunRecord.FILE)).get("pool_size").asLong());
    }

    @Test
    void clipTokenizerForAModelWithFewerTokenRowsIsExit2(@TempDir Path dir) {
        CliRun r = qqt(args(dir.resolve("run"), "--tokenizer", "clip"));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--tokenizer clip needs vocab_size >= 49408"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }
}
