package org.qqt.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.io.BadInputException;

class CompactVocabularyTest {
    private static final ClipTokenizer CLIP = ClipTokenizer.load();
    private static final List<String> CORPUS = List.of(
            "a small red star in the top left on a striped background",
            "two blue circles", "a large green hexagon, outlined, bottom-right", "DSC_0042.JPG");

    @Test
    void roundTripThroughJsonGivesIdenticalRowsAndText(@TempDir Path dir) throws Exception {
        CompactVocabulary v = CompactVocabulary.build(CLIP, CORPUS);
        Path file = dir.resolve("vocab.json");
        v.save(file);
        assertTrue(Files.readString(file).contains("\"qqt-compact-vocab\""));
        CompactVocabulary back = CompactVocabulary.load(file, CLIP);
        assertEquals(v.vocabSize(), back.vocabSize());
        for (String caption : CORPUS) {
            int[] row = back.encode(caption, 32);
            assertArrayEquals(v.encode(caption, 32), row);
            assertEquals(CLIP.decode(CLIP.encode(caption, 32)), back.decode(row));
            for (int id : row) {
                assertTrue(id >= 0 && id < back.vocabSize() && id != back.unkId(), caption);
            }
        }
    }

    @Test
    void layoutIsPadThenUsedIdsAscendingThenUnkSotEot() {
        CompactVocabulary v = CompactVocabulary.build(CLIP, List.of("two blue circles"));
        // CLIP ids: two 1237, blue 1746, circles 19411
        assertArrayEquals(new int[] {1237, 1746, 19411}, v.clipIds());
        assertEquals(7, v.vocabSize());
        assertEquals(4, v.unkId());
        assertEquals(5, v.sotId());
        assertEquals(6, v.eotId());
        assertArrayEquals(new int[] {5, 1, 2, 3, 6, 0, 0}, v.encode("two blue circles", 7));
        assertArrayEquals(new int[] {5, 2, 4, 3, 6, 0}, v.encode("blue red circles", 6));
    }

    @Test
    void truncatedRowStillEndsWithEot() {
        CompactVocabulary v = CompactVocabulary.build(CLIP, CORPUS);
        int[] row = v.encode("two blue circles two blue circles", 4);
        assertEquals(v.eotId(), row[3]);
        assertEquals(v.sotId(), row[0]);
    }

    @Test
    void foreignFileIsBadInput(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("v.json");
        Files.writeString(file, "{\"format\":\"other\",\"version\":1,\"base\":\"x\",\"clipIds\":[]}");
        assertThrows(BadInputException.class, () -> CompactVocabulary.load(file, CLIP));
        Files.writeString(file, "{\"format\":\"qqt-compact-vocab\",\"version\":1,\"base\":\"clip:bpe_simple_vocab_16e6\","
                + "\"clipIds\":[5,3]}");
        assertThrows(BadInputException.class, () -> CompactVocabulary.load(file, CLIP));
    }
}
