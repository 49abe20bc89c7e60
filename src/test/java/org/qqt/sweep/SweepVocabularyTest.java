package org.qqt.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.data.ClipTokenizer;
import org.qqt.data.CompactVocabulary;
import org.qqt.data.PoolMetadata;
import org.qqt.data.SubsetFile;
import org.qqt.data.Uid;
import org.qqt.eval.TaskSuite;
import org.qqt.io.BadInputException;
import org.qqt.model.ModelConfig;
import org.qqt.synth.WorldConfig;
import org.qqt.synth.WorldWriter;
import org.qqt.train.DataSources;

/** One vocabulary per sweep: pool captions, teacher set and every evaluation prompt, shared by all runs. */
class SweepVocabularyTest {
    @TempDir
    static Path tmp;
    static Path world;
    static final Path SUITE = Path.of("configs/tasks/synth-smoke3.yaml");

    @BeforeAll
    static void makeWorld() {
        System.setProperty("java.awt.headless", "true");
        Path cfg = Path.of("configs/world-tiny.yaml");
        world = tmp.resolve("w");
        new WorldWriter(WorldConfig.load(cfg).withPoolSize(300).validated(cfg), 0, 2,
                new PrintStream(PrintStream.nullOutputStream())).write(world, false);
    }

    private static int unknownPrompts(CompactVocabulary v, List<String> prompts) {
        int n = 0;
        for (String p : prompts) {
            for (int id : v.encode(p, 77)) {
                if (id == v.unkId()) {
                    n++;
                    break;
                }
            }
        }
        return n;
    }

    @Test
    void noEvaluationPromptTokenIsUnknownToTheSweepVocabularyUnlikeOneFromASmallSubsetsCaptions() {
        ClipTokenizer clip = ClipTokenizer.load();
        List<String> prompts = SweepVocabulary.prompts(TaskSuite.load(SUITE), world);
        assertTrue(prompts.size() > 100, "classification prompts and retrieval captions: " + prompts.size());
        Path file = SweepVocabulary.ensure(tmp.resolve("sweep/vocab.json"), List.of(world.resolve("pool")), SUITE,
                world, 2);
        CompactVocabulary sweep = CompactVocabulary.load(file, clip);
        assertEquals(0, unknownPrompts(sweep, prompts));

        // what each run did before: a vocabulary from its own subset's captions (here 5 of them)
        List<String> few = new ArrayList<>();
        org.qqt.data.ShardReader.forEach(world.resolve("pool/shards"), s -> {
            if (few.size() < 5) {
                few.add(s.text("txt").strip());
            }
        });
        CompactVocabulary own = CompactVocabulary.build(clip, few);
        assertTrue(unknownPrompts(own, prompts) > 0, "a small subset's vocabulary misses prompt tokens");
        assertTrue(sweep.vocabSize() > own.vocabSize());
    }

    @Test
    void trainTakesTheSweepVocabularyInsteadOfReadingEveryCaptionAndRefusesAnotherOnResume() throws Exception {
        ClipTokenizer clip = ClipTokenizer.load();
        Path file = SweepVocabulary.ensure(tmp.resolve("sweep2/vocab.json"), List.of(world.resolve("pool")), SUITE,
                world, 2);
        List<Uid> uids;
        try (PoolMetadata pm = PoolMetadata.open(world.resolve("pool/metadata.parquet"))) {
            uids = pm.uids();
        }
        Path subset = tmp.resolve("small.npy");
        SubsetFile.of(uids.subList(0, 5)).write(subset);
        ModelConfig tiny = ModelConfig.load(Path.of("models/tiny.json"));
        Path run = tmp.resolve("run");
        DataSources.Prepared p = DataSources.prepare(world.resolve("pool"), subset, null, tiny, run, file);
        int[] ids = CompactVocabulary.load(file, clip).clipIds();
        assertArrayEquals(ids, ((CompactVocabulary) p.tokenizer()).clipIds());
        assertEquals(ids.length + 4, p.model().vocabSize());
        p.saveVocab(run);
        assertArrayEquals(ids, CompactVocabulary.load(run.resolve(DataSources.VOCAB_FILE), clip).clipIds());
        // a resume with another vocabulary is refused
        Path other = tmp.resolve("other.json");
        CompactVocabulary.of(clip, new int[] {320, 321}).save(other);
        assertThrows(BadInputException.class, () -> DataSources.prepare(world.resolve("pool"), subset, null, tiny,
                run, other));
        assertThrows(BadInputException.class, () -> DataSources.prepare(world.resolve("pool"), subset, null, tiny,
                tmp.resolve("run3"), tmp.resolve("missing.json")));
        assertFalse(Files.exists(tmp.resolve("run3/vocab.json")));
    }
}
