package org.qqt.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qqt.data.ClipTokenizer;
import org.qqt.data.CompactVocabulary;
import org.qqt.data.LoaderOptions;
import org.qqt.data.ShardLoader;
import org.qqt.data.PoolLayout;
import org.qqt.data.ShardReader;
import org.qqt.data.SubsetFile;
import org.qqt.data.TextTokenizer;
import org.qqt.data.Uid;
import org.qqt.io.BadInputException;
import org.qqt.model.ModelConfig;

/**
 * Opens the real data path of {@code qqt train --data shards}: the pool's shards, the subset (uid → repeats),
 * the tokenizer, and a {@link ShardLoader} in epoch mode.
 *
 * <p>Two steps, so that a finished run is recognised before the shards are indexed: {@link #prepare} reads the
 * subset and settles the tokenizer (and so the model's vocab size, which is part of the run's config);
 * {@link Prepared#open} indexes the shards. A compact vocabulary is built from the captions of the subset's
 * samples (a set of ids: independent of shard order and threads) and saved as {@code <run>/vocab.json}; when that
 * file exists (a resumed or finished run) it is loaded instead, so a resume tokenizes exactly as before.
 */
public final class DataSources {
    /** The run's vocabulary file (CompactVocabulary JSON), relative to the run directory. */
    public static final String VOCAB_FILE = "vocab.json";
    /** Where a run keeps its shards' header index between starts (docs/data-formats.md, "Shard index cache"). */
    public static final String INDEX_CACHE_DIR = "shard-index";

    /** Which token ids the text tower sees. */
    public enum TokenizerKind {
        clip, compact;

        /** compact for a model with fewer token rows than CLIP's vocabulary, else clip. */
        public static TokenizerKind defaultFor(ModelConfig m) {
            return m.vocabSize() < ClipTokenizer.VOCAB_SIZE ? compact : clip;
        }
    }

    private DataSources() {}

    /** The folder holding the *.tar shards: {@code pool/shards} if it exists, else {@code pool} itself. */
    public static Path shardDir(Path pool) {
        if (!Files.isDirectory(pool)) {
            throw BadInputException.inFile(pool, "pool directory not found");
        }
        Path sub = PoolLayout.shards(pool);
        Path dir = Files.isDirectory(sub) ? sub : pool;
        if (ShardReader.listShards(dir).isEmpty()) {
            throw BadInputException.inFile(dir, "no *.tar shards here; point --pool to the pool folder (holding "
                    + "shards/) or to the folder of 00000000.tar ...");
        }
        return dir;
    }

    /**
     * Everything but the loader: the subset's uid counts, the tokenizer, and the model config whose vocab size
     * matches the tokenizer. {@code vocab} is set for a compact tokenizer; {@code vocabLoaded} says it came from
     * the run directory (else it must be saved with {@link #saveVocab} before training).
     */
    public record Prepared(Path shardDir, Path subsetFile, long subsetRows, Map<Uid, Integer> counts,
                           TokenizerKind kind, TextTokenizer tokenizer, CompactVocabulary vocab, boolean vocabLoaded,
                           ModelConfig model) {

        /** Writes {@code <run>/vocab.json} atomically if this run uses a compact vocabulary not yet saved. */
        public void saveVocab(Path runDir) {
            if (vocab != null && !vocabLoaded) {
                try {
                    Files.createDirectories(runDir);
                } catch (IOException e) {
                    throw BadInputException.inFile(runDir, "cannot create the run directory: " + e.getMessage());
                }
                vocab.save(runDir.resolve(VOCAB_FILE));
            }
        }

        /**
         * Trains {@code trainer} on this subset — the shard training that {@code qqt train} and {@code qqt figure5}'s
         * teacher share: opens the loader ({@link #open}), hands its warning about missing rows to {@code warn},
         * saves the compact vocabulary into {@code runDir}, runs, and closes the loader.
         */
        public Trainer.Outcome train(Trainer trainer, long seed, int batch, int loaderThreads, String poolName,
                                     Path pool, Path runDir, java.util.function.Consumer<String> warn) {
            Opened opened = open(seed, batch, loaderThreads, poolName, pool, runDir.resolve(INDEX_CACHE_DIR));
            try (ShardLoader loader = opened.loader()) {
                if (opened.warning() != null) {
                    warn.accept(opened.warning());
                }
                saveVocab(runDir);
                return trainer.run(loader, opened.info());
            }
        }

        /**
         * Indexes the shards and opens the loader in epoch mode. The result's {@link DataInfo#poolSize()} is the
         * epoch: subset rows (repeats included) whose sample is present and usable in the shards. Each shard's
         * header index is kept in {@code indexCache} (null: none), so a resume reads no tar header again.
         */
        public Opened open(long seed, int batch, int threads, String poolName, Path pool, Path indexCache) {
            LoaderOptions opt = LoaderOptions.of(model.imageSize(), model.contextLength(), batch, seed)
                    .withMode(LoaderOptions.Mode.EPOCH).withThreads(threads).withIndexCache(indexCache);
            ShardLoader loader = ShardLoader.open(shardDir, counts, tokenizer, opt);
            try {
                long epoch = loader.epochSize();
                long missingUids = loader.stats().subsetUidsMissing();
                String warning = null;
                if (epoch < subsetRows) {
                    warning = String.format(Locale.ROOT, "warning: %d of %d subset rows (%d distinct uids) have no "
                            + "usable sample in %s; one epoch is %d samples", subsetRows - epoch, subsetRows,
                            missingUids, shardDir, epoch);
                }
                long repaired = loader.stats().captionsRepaired();
                if (repaired > 0) { // trained on, but never silently
                    String line = String.format(Locale.ROOT, "warning: %d captions in %s are not valid UTF-8; they "
                            + "are used with U+FFFD in place of the bad bytes (re-export them as UTF-8)", repaired,
                            shardDir);
                    warning = warning == null ? line : warning + System.lineSeparator() + line;
                }
                if (batch > epoch) {
                    throw BadInputException.inFile(subsetFile, "--batch " + batch + " is larger than the " + epoch
                            + " samples of the subset present in " + shardDir + "; lower --batch");
                }
                DataInfo info = new DataInfo("shards", pool.toString(), subsetFile.toString(), poolName, epoch,
                        kind.name(), vocab == null ? null : VOCAB_FILE);
                return new Opened(loader, info, warning);
            } catch (RuntimeException e) {
                loader.close();
                throw e;
            }
        }
    }

    /** The open loader, the run.json data record, and a warning line about missing subset rows (or null). */
    public record Opened(ShardLoader loader, DataInfo info, String warning) {}

    /** {@link #prepare(Path, Path, TokenizerKind, ModelConfig, Path, Path)} without a given vocabulary. */
    public static Prepared prepare(Path pool, Path subsetFile, TokenizerKind kind, ModelConfig model, Path runDir) {
        return prepare(pool, subsetFile, kind, model, runDir, null);
    }

    /**
     * Reads the subset and settles the tokenizer for {@code model}; {@code kind} null picks
     * {@link TokenizerKind#defaultFor}. A compact vocabulary comes from the run directory's {@code vocab.json}
     * (a resumed run), else from {@code vocabFile} (the sweep's, {@code qqt train --vocab}; copied into the run
     * directory by {@link Prepared#saveVocab}), else it is built from the captions of the subset's samples (a
     * pass over the pool's captions). {@code vocabFile} is not read when the tokenizer is CLIP's (every run shares
     * CLIP's vocabulary then). Bad input: a subset with no row, a model whose vocab_size cannot hold the
     * tokenizer's ids, a {@code vocabFile} that is missing or differs from the one the run started with.
     */
    public static Prepared prepare(Path pool, Path subsetFile, TokenizerKind kind, ModelConfig model, Path runDir,
                                   Path vocabFile) {
        Path shards = shardDir(pool);
        SubsetFile subset = SubsetFile.read(subsetFile);
        if (subset.size() == 0) {
            throw BadInputException.inFile(subsetFile, "subset is empty");
        }
        Map<Uid, Integer> counts = ShardLoader.countsOf(subset.uids());
        TokenizerKind k = kind != null ? kind : TokenizerKind.defaultFor(model);
        ClipTokenizer clip = ClipTokenizer.load();
        if (k == TokenizerKind.clip) {
            if (model.vocabSize() < ClipTokenizer.VOCAB_SIZE) {
                throw new BadInputException("--tokenizer clip needs vocab_size >= " + ClipTokenizer.VOCAB_SIZE
                        + " but the model config has " + model.vocabSize() + "; use --tokenizer compact or a larger "
                        + "vocab_size");
            }
            return new Prepared(shards, subsetFile, subset.size(), counts, k, clip, null, false, model);
        }
        if (vocabFile != null && !Files.isRegularFile(vocabFile)) {
            throw BadInputException.inFile(vocabFile, "vocabulary file not found (--vocab); a sweep builds it as "
                    + "<sweep>/vocab.json before its runs start");
        }
        Path saved = runDir.resolve(VOCAB_FILE);
        boolean loaded = Files.exists(saved);
        CompactVocabulary vocab;
        if (loaded) {
            vocab = CompactVocabulary.load(saved, clip);
            if (vocabFile != null && !Arrays.equals(vocab.clipIds(), CompactVocabulary.load(vocabFile, clip).clipIds())) {
                throw BadInputException.inFile(vocabFile, "differs from the vocabulary " + saved + " this run started "
                        + "with; resume with that file as --vocab, or train into a new --out");
            }
        } else {
            vocab = vocabFile != null ? CompactVocabulary.load(vocabFile, clip)
                    : CompactVocabulary.build(clip, captions(shards, counts));
        }
        if (vocab.vocabSize() > model.vocabSize()) {
            throw new BadInputException("the compact vocabulary of this " + (vocabFile != null ? "sweep" : "subset")
                    + " needs " + vocab.vocabSize() + " token rows but the model config's vocab_size is "
                    + model.vocabSize() + "; raise vocab_size in the model config");
        }
        return new Prepared(shards, subsetFile, subset.size(), counts, k, vocab, vocab, loaded,
                model.withVocabSize(vocab.vocabSize()));
    }

    /** The captions (txt members) of the shard samples whose json uid is in the subset. */
    static List<String> captions(Path shardDir, Map<Uid, Integer> counts) {
        List<String> out = new ArrayList<>();
        ShardReader.forEach(shardDir, s -> {
            byte[] txt = s.member("txt");
            Uid uid = s.uid();
            if (txt != null && uid != null && counts.containsKey(uid)) {
                out.add(new String(txt, StandardCharsets.UTF_8).strip());
            }
        });
        return out;
    }

}
