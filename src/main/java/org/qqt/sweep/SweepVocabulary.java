package org.qqt.sweep;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.qqt.data.ClipTokenizer;
import org.qqt.data.CompactVocabulary;
import org.qqt.data.ShardReader;
import org.qqt.data.TaskKind;
import org.qqt.data.TaskReader;
import org.qqt.data.TaskSample;
import org.qqt.eval.TaskSpec;
import org.qqt.eval.TaskSuite;
import org.qqt.eval.ZeroShotClassifier;
import org.qqt.io.BadInputException;
import org.qqt.model.ModelConfig;
import org.qqt.train.DataSources;

/**
 * One compact vocabulary per sweep: the CLIP ids used by every caption of the sweep's pools (the pool the
 * subsets are drawn from, and the teacher's set), by every zero-shot prompt of its task suite (each template
 * with each class name) and by the captions of its retrieval tasks. Built once, saved as
 * {@code <sweep>/vocab.json}, and given to every run and to the teacher ({@code qqt train --vocab}), so that all
 * runs of a sweep embed the same tokens and no evaluation prompt is read as {@code <unk>} by any of them (with
 * a vocabulary from each run's own captions, runs on small subsets lacked "." and "image" of the templates).
 *
 * <p>Captions are read from the shards' txt members only (image members are skipped over), shards in parallel;
 * the id set does not depend on the order or the thread count.
 */
public final class SweepVocabulary {
    /** The sweep's vocabulary file, relative to the sweep directory. */
    public static final String FILE = "vocab.json";

    private SweepVocabulary() {}

    /**
     * The sweep's vocabulary {@code <sweepDir>/vocab.json}, built from the config's pool, {@code extraPools} (the
     * teacher's set) and the prompts of the config's suite (when it names {@code suite} and {@code tasks_root})
     * unless it exists; nothing is built (null) when no stage takes {@code {vocab}} or the config's model uses
     * CLIP's tokenizer, whose vocabulary every run shares anyway. Call it before any run or the teacher trains.
     */
    public static Path ensureFor(SweepConfig c, Path base, Path sweepDir, List<Path> extraPools, int threads) {
        boolean used = c.stagesOrDefault().stream().anyMatch(st -> st.command().stream()
                .anyMatch(a -> a.contains("{vocab}")));
        if (!used) {
            return null; // custom stages that do not take the sweep's vocabulary
        }
        ModelConfig m = ModelConfig.load(base.resolve(c.model()).toAbsolutePath().normalize());
        if (DataSources.TokenizerKind.defaultFor(m) != DataSources.TokenizerKind.compact) {
            return null;
        }
        List<Path> pools = new ArrayList<>();
        pools.add(base.resolve(c.pool()).toAbsolutePath().normalize());
        pools.addAll(extraPools);
        Path suite = c.suite() == null || c.tasksRoot() == null ? null : base.resolve(c.suite()).toAbsolutePath();
        Path root = c.tasksRoot() == null ? null : base.resolve(c.tasksRoot()).toAbsolutePath();
        return ensure(sweepDir.resolve(FILE), pools, suite, root, threads);
    }

    /**
     * The vocabulary file {@code file}, built from {@code pools} (each a pool directory or a folder of shards) and
     * the suite's prompts ({@code suite} and {@code tasksRoot} may be null: no prompts) unless it exists.
     */
    public static Path ensure(Path file, List<Path> pools, Path suite, Path tasksRoot, int threads) {
        if (!Files.isRegularFile(file)) {
            ClipTokenizer clip = ClipTokenizer.load();
            List<String> prompts = suite == null ? List.of() : prompts(TaskSuite.load(suite), tasksRoot);
            build(clip, pools, prompts, threads).save(file);
        }
        return file;
    }

    /** The vocabulary of every caption of {@code pools} and every text of {@code prompts}. */
    public static CompactVocabulary build(ClipTokenizer clip, List<Path> pools, List<String> prompts, int threads) {
        BitSet used = new BitSet(ClipTokenizer.VOCAB_SIZE);
        for (String p : prompts) {
            mark(clip, p, used);
        }
        List<Path> shards = new ArrayList<>();
        for (Path pool : pools) {
            shards.addAll(ShardReader.listShards(DataSources.shardDir(pool)));
        }
        ExecutorService exec = Executors.newFixedThreadPool(Math.max(1, threads));
        try {
            List<Future<BitSet>> parts = new ArrayList<>();
            for (Path shard : shards) {
                parts.add(exec.submit(() -> ShardReader.readShard(shard, Set.of("txt"), r -> markCaptions(clip, r))));
            }
            for (Future<BitSet> f : parts) {
                used.or(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building the sweep vocabulary", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } finally {
            exec.shutdownNow();
        }
        return CompactVocabulary.of(clip, used.stream().toArray());
    }

    /** The ids of the captions (txt members) that {@code shard} reads. */
    private static BitSet markCaptions(ClipTokenizer clip, ShardReader shard) {
        BitSet used = new BitSet(ClipTokenizer.VOCAB_SIZE);
        shard.forEachRemaining(s -> {
            byte[] txt = s.member("txt");
            if (txt != null) {
                mark(clip, new String(txt, StandardCharsets.UTF_8).strip(), used);
            }
        });
        return used;
    }

    private static void mark(ClipTokenizer clip, String text, BitSet used) {
        for (int id : clip.ids(text)) {
            used.set(id);
        }
    }

    /** Every zero-shot prompt (template × class name) and retrieval caption of the suite's tasks. */
    public static List<String> prompts(TaskSuite suite, Path tasksRoot) {
        if (tasksRoot == null) {
            throw new BadInputException("the sweep vocabulary needs the evaluation data root (tasks_root) to read "
                    + "the prompts of suite " + suite.name());
        }
        Path root = suite.dataRoot(tasksRoot);
        List<String> out = new ArrayList<>();
        for (TaskSpec t : suite.tasks()) {
            try (TaskReader r = TaskReader.open(t.directory(root))) {
                if (r.kind() == TaskKind.RETRIEVAL) {
                    r.forEachRemaining((TaskSample s) -> out.addAll(s.captions()));
                } else {
                    for (String c : r.classnames()) {
                        for (String tpl : r.templates()) {
                            out.add(tpl.replace(ZeroShotClassifier.PLACEHOLDER, c));
                        }
                    }
                }
            }
        }
        return out;
    }
}
