package org.qqt.data;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.model.ModelConfig;
import org.qqt.train.DataSources;

/** Training never uses a caption that is not UTF-8 silently: the loader counts it and qqt train warns. */
class NonUtf8CaptionTest {
    @Test
    void aCaptionThatIsNotUtf8IsTrainedOnWithAWarningNamingTheShards(@TempDir Path dir) {
        assertNull(warningFor(dir.resolve("clean"), -1), "a clean pool gives no warning");
        String w = warningFor(dir.resolve("latin1"), 3);
        assertNotNull(w);
        assertTrue(w.contains("1 captions in") && w.contains("not valid UTF-8"), w);
    }

    /** The loader's warning for a pool of 8 samples whose sample {@code bad} has a Latin-1 caption. */
    private static String warningFor(Path dir, int bad) {
        Path pool = dir.resolve("pool");
        List<Uid> uids = new ArrayList<>();
        try (ShardWriter w = new ShardWriter(PoolLayout.shards(pool), 1000, ShardWriter.Naming.IMG2DATASET)) {
            for (int i = 0; i < 8; i++) {
                Map<String, byte[]> s = TestPools.sample(i, 8);
                if (i == bad) {
                    s.put("txt", "caf\u00e9 cr\u00e8me".getBytes(StandardCharsets.ISO_8859_1));
                }
                w.write(s);
                uids.add(TestPools.uid(i));
            }
        }
        Path subset = dir.resolve("all.npy");
        SubsetFile.of(uids).write(subset);
        ModelConfig tiny = ModelConfig.load(Path.of("models/tiny.json"));
        DataSources.Opened opened = DataSources.prepare(pool, subset, null, tiny, dir.resolve("run"))
                .open(0, 4, 1, "pool", pool, null);
        opened.loader().close();
        return opened.warning();
    }
}
