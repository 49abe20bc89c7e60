package org.qqt.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.qqt.io.Json;

class ClipTokenizerTest {
    private static ClipTokenizer tok;

    @BeforeAll
    static void load() {
        tok = ClipTokenizer.load();
    }

    @AfterAll
    static void drop() {
        tok = null;
    }

    private static JsonNode vectors() throws Exception {
        try (InputStream in = ClipTokenizerTest.class.getResourceAsStream("/reference/clip-token-vectors.json")) {
            return Json.mapper().readTree(in).get("vectors");
        }
    }

    private static int[] ids(JsonNode v) {
        int[] out = new int[v.get("ids").size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get("ids").get(i).asInt();
        }
        return out;
    }

    @Test
    void idsEqualOpenClipOnEveryReferenceVector() throws Exception {
        int n = 0;
        for (JsonNode v : vectors()) {
            int[] expected = ids(v);
            int[] row = tok.encode(v.get("text").asText(), 77);
            assertArrayEquals(expected, Arrays.copyOf(row, expected.length), v.get("text").asText());
            for (int i = expected.length; i < 77; i++) {
                assertEquals(0, row[i], "padding after EOT");
            }
            n++;
        }
        assertEquals(12, n);
    }

    @Test
    void vocabularyLayoutMatchesClip() {
        assertEquals(49408, tok.vocabSize());
        assertEquals(49407, tok.eotId());
        assertEquals("!", tok.token(0));
        assertEquals("!</w>", tok.token(256));
        assertEquals("in", tok.token(512)); // first merge "i n"
        assertEquals("<end_of_text>", tok.token(49407));
    }

    @Test
    void truncationKeepsEotAsLastToken() {
        String longText = String.join(" ", java.util.Collections.nCopies(100, "cat"));
        int[] row = tok.encode(longText, 10);
        assertEquals(10, row.length);
        assertEquals(ClipTokenizer.SOT, row[0]);
        assertEquals(ClipTokenizer.EOT, row[9]);
        for (int i = 1; i < 9; i++) {
            assertEquals(2368, row[i]); // "cat</w>"
        }
        // exactly fitting: SOT + 8 + EOT
        int[] exact = tok.encode(String.join(" ", java.util.Collections.nCopies(8, "cat")), 10);
        assertEquals(ClipTokenizer.EOT, exact[9]);
        assertEquals(2368, exact[8]);
    }

    @Test
    void htmlEntitiesAreUnescapedTwiceLikeClip() {
        assertArrayEquals(tok.ids("cats & dogs"), tok.ids("cats &amp; dogs"));
        assertArrayEquals(tok.ids("cats & dogs"), tok.ids("cats &amp;amp; dogs"));
        assertArrayEquals(tok.ids("it's"), tok.ids("it&#39;s"));
    }

    @Test
    void decodeInvertsEncodeUpToCleaning() {
        assertEquals("a small red star in the top left .",
                tok.decode(tok.encode("A small red  star in the top left.", 77)));
        assertEquals("café déjà vu", tok.decode(tok.encode("café déjà vu", 77)));
    }

    @Test
    void concurrentEncodingGivesTheSameIdsAsSequential() throws Exception {
        JsonNode v = vectors();
        List<String> texts = IntStream.range(0, 2000).mapToObj(i -> v.get(i % v.size()).get("text").asText() + " " + i)
                .toList();
        ClipTokenizer fresh = ClipTokenizer.load();
        List<int[]> sequential = texts.stream().map(t -> tok.encode(t, 77)).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<int[]>> futures = texts.stream().map(t -> pool.submit(() -> fresh.encode(t, 77))).toList();
            for (int i = 0; i < texts.size(); i++) {
                assertArrayEquals(sequential.get(i), futures.get(i).get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(sequential.get(0)[0] == ClipTokenizer.SOT);
    }
}
