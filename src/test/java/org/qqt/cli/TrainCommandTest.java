package org.qqt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qqt.cli.CliRun.qqt;

import ai.djl.engine.Engine;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {

    /** A DataComp subset file: .npy v1.0, dtype [('f0','<u8'),('f1','<u8')], shape (rows,). */
    static Path subset(Path dir, int rows) throws Exception {
        String header = "{'descr': [('f0', '<u8'), ('f1', '<u8')], 'fortran_order': False, 'shape': (" + rows + ",), }";
        int pad = 64 - (10 + header.length() + 1) % 64;
        header = header + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + rows * 16).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < rows; i++) {
            b.putLong(0).putLong(i);
        }
        Path f = dir.resolve("top10.npy");
        Files.write(f, b.array());
        return f;
    }

    @Test
    void planPrintsTheMemoryPlanAsJsonAndStartsNothing(@TempDir Path dir) throws Exception {
        // the contract's command: no budget and no run directory needed
        CliRun r = qqt("train", "--plan", "--data", "random", "--model", "models/vit-b-32.json", "--batch", "4096",
                "--micro-batch", "256", "--precision", "bf16", "--device-memory", "80G", "--format", "json");
        assertEquals(0, r.code(), r.err());
        var plan = org.qqt.io.Json.mapper().readTree(r.out());
        assertTrue(plan.path("total_bytes").asLong() > 1e9 && plan.path("total_bytes").asLong() <= 72e9, r.out());
        assertEquals(256, plan.path("micro_batch").asInt());
        assertTrue(plan.path("fits").asBoolean());
        CliRun withOut = qqt("train", "--plan", "--data", "random", "--model", "models/tiny.json", "--samples-seen", "1k",
                "--out", dir.resolve("run").toString());
        assertEquals(0, withOut.code(), withOut.err());
        assertTrue(withOut.out().contains("total_bytes"), withOut.out());
        assertTrue(!Files.exists(dir.resolve("run")), "--plan writes nothing");
    }

    @Test
    void aPlanOverTheDeviceMemoryOrAMicroBatchNotDividingTheBatchIsExit2BeforeAnyWork(@TempDir Path dir) {
        CliRun over = qqt("train", "--data", "random", "--model", "models/vit-b-32.json", "--samples-seen", "8192",
                "--batch", "4096", "--device-memory", "80G", "--out", dir.resolve("run").toString());
        assertEquals(2, over.code());
        assertTrue(over.err().contains("needs about") && over.err().contains("--micro-batch"), over.err());
        assertEquals(1, over.err().strip().lines().count(), over.err());
        CliRun odd = qqt("train", "--data", "random", "--model", "models/tiny.json", "--samples-seen", "8192",
                "--batch", "256", "--micro-batch", "96", "--out", dir.resolve("run").toString());
        assertEquals(2, odd.code());
        assertTrue(odd.err().contains("--micro-batch 96 must divide --batch 256"), odd.err());
        assertTrue(!Files.exists(dir.resolve("run")), "nothing written");
    }

    @Test
    void unknownModelConfigKeyIsExit2NamingTheFile(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("bad.json");
        Files.writeString(cfg, Files.readString(Path.of("models/tiny.json")).replace("\"mlp_ratio\"", "\"mlp_ration\""));
        CliRun r = qqt("train", "--data", "random", "--model", cfg.toString(), "--samples-seen", "1k", "--out",
                dir.resolve("run").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("bad.json") && r.err().contains("mlp_ration"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void batchLargerThanTheSubsetIsExit2(@TempDir Path dir) throws Exception {
        Path pool = Files.createDirectories(dir.resolve("pool"));
        CliRun r = qqt("train", "--pool", pool.toString(), "--subset", subset(dir, 100).toString(), "--model",
                "models/tiny.json", "--samples-seen", "10k", "--batch", "256", "--out", dir.resolve("run").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("larger than the subset (100 samples"), r.err());
    }

    @Test
    void budgetSmallerThanOneBatchIsExit2(@TempDir Path dir) {
        CliRun r = qqt("train", "--data", "random", "--model", "models/tiny.json", "--samples-seen", "100", "--batch",
                "256", "--out", dir.resolve("run").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("smaller than one batch"), r.err());
    }

    @Test
    void unreadableSubsetIsExit2(@TempDir Path dir) throws Exception {
        Path pool = Files.createDirectories(dir.resolve("pool"));
        Path junk = dir.resolve("junk.npy");
        Files.writeString(junk, "not numpy");
        CliRun bad = qqt("train", "--pool", pool.toString(), "--subset", junk.toString(), "--model", "models/tiny.json",
                "--samples-seen", "10k", "--out", dir.resolve("run").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("junk.npy") && bad.err().contains("not a .npy file"), bad.err());
        CliRun missing = qqt("train", "--pool", pool.toString(), "--subset", dir.resolve("nope.npy").toString(),
                "--model", "models/tiny.json", "--samples-seen", "10k", "--out", dir.resolve("run").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("nope.npy"), missing.err());
    }

    @Test
    void gpuRequestedWithoutGpuIsExit2() {
        Assumptions.assumeTrue(Engine.getInstance().getGpuCount() == 0, "this machine has a GPU");
        CliRun r = qqt("train", "--data", "random", "--model", "models/tiny.json", "--samples-seen", "1k", "--batch",
                "8", "--device", "gpu", "--out", "target/never");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no CUDA GPU"), r.err());
    }

    @Test
    void aPrecisionTheDeviceCannotRunIsExit2BeforeThePoolIsOpened(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Engine.getInstance().getGpuCount() == 0, "this machine has a GPU");
        boolean runs = true;
        try {
            org.qqt.train.Precision.FP16.requireRunnableOn(ai.djl.Device.cpu());
        } catch (org.qqt.io.BadInputException e) {
            runs = false;
        }
        Assumptions.assumeFalse(runs, "this CPU runs fp16 (the flag check itself: MixedPrecisionTest)");
        Path pool = Files.createDirectories(dir.resolve("pool")); // empty: opening it would fail differently
        Path out = dir.resolve("run");
        CliRun r = qqt("train", "--pool", pool.toString(), "--subset", subset(dir, 100).toString(), "--model",
                "models/tiny.json", "--samples-seen", "1k", "--batch", "8", "--precision", "fp16", "--out",
                out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--precision fp16 needs a GPU or a CPU with avx512_fp16"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(!Files.exists(out), "nothing written");
    }

    @Test
    void anUnknownPrecisionIsExit2(@TempDir Path dir) {
        Path out = dir.resolve("run");
        CliRun unknown = qqt("train", "--data", "random", "--model", "models/tiny.json", "--samples-seen", "1k",
                "--precision", "fp8", "--out", out.toString());
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("--precision fp8"), unknown.err());
    }

    @Test
    void randomModeRunWritesRunJsonMetricsAndCheckpointThenIsIdempotent(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        String[] args = {"train", "--data", "random", "--model", "models/tiny.json", "--samples-seen", "64",
                "--batch", "16", "--lr", "3e-3", "--out", out.toString()};
        CliRun r = qqt(args);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("4 steps"), r.out());
        assertTrue(Files.exists(out.resolve("checkpoints/latest.safetensors")));
        assertEquals(4, Files.readAllLines(out.resolve("metrics.jsonl")).size());
        String runJson = Files.readString(out.resolve("run.json"));
        assertTrue(runJson.contains("\"status\" : \"done\"") && runJson.contains("\"pool_size\" : 10000")
                && runJson.contains("\"samples_seen\" : 64"), runJson);
        CliRun again = qqt(args);
        assertEquals(0, again.code());
        assertTrue(again.out().contains("already done"), again.out());
    }

    @Test
    void keepAtWritesModelOnlyCheckpointsListedInRunJson(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        String[] args = {"train", "--data", "random", "--model", "models/tiny.json", "--samples-seen", "64",
                "--batch", "16", "--lr", "3e-3", "--keep-at", "20,32,50", "--out", out.toString()};
        CliRun r = qqt(args);
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(out.resolve("checkpoints/samples-32.safetensors")), "20 rounds up to step 2");
        assertEquals(Files.size(out.resolve("checkpoints/latest.safetensors")),
                Files.size(out.resolve("checkpoints/samples-32.safetensors")), 100, "model tensors only, as latest "
                        + "(the metadata differs)");
        assertTrue(Files.size(out.resolve("checkpoints/samples-32.safetensors"))
                < Files.size(out.resolve("checkpoints/optimizer-4.safetensors")) / 1.9, "no optimiser moments");
        var run = org.qqt.io.Json.readTree(out.resolve("run.json"));
        assertEquals("[20,32,50]", run.get("keep_at").toString());
        assertEquals(2, run.get("kept").size(), "20 and 32 both end at step 2: " + run);
        assertEquals(64, run.get("kept").get(1).get("samples_seen").asInt(), "50 rounds up to step 4");
        assertEquals("checkpoints/samples-32.safetensors", run.get("kept").get(0).get("file").asText());
        assertEquals(2, run.get("kept").get(0).get("step").asInt());
        assertEquals(0, qqt(args).code());
        CliRun missing = qqt("train", "--data", "random", "--model", "models/tiny.json", "--samples-seen", "64",
                "--batch", "16", "--lr", "3e-3", "--keep-at", "48", "--out", out.toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("no kept checkpoint after 48 samples"), missing.err());
    }

    @Test
    void exportWritesTheRunsModelAndABadRunIsExit2(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        assertEquals(0, qqt("train", "--data", "random", "--model", "models/tiny.json", "--samples-seen", "32",
                "--batch", "16", "--lr", "3e-3", "--out", run.toString()).code());
        Path model = dir.resolve("model.safetensors");
        CliRun r = qqt("export", run.toString(), "--out", model.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.size(model) < Files.size(run.resolve("checkpoints/optimizer-2.safetensors")), "no moments");
        CliRun none = qqt("export", dir.resolve("nothing").toString(), "--out", model.toString());
        assertEquals(2, none.code());
        assertEquals(1, none.err().strip().lines().count(), none.err());
        assertTrue(none.err().contains("latest.safetensors"), none.err());
    }
}
