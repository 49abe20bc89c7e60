package org.qqt.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * OpenAI CLIP's byte-level BPE tokenizer ({@code simple_tokenizer.py}, as in open_clip), in pure Java, over
 * {@code bpe_simple_vocab_16e6.txt.gz} (bundled; MIT, see the NOTICE next to it). Ids 0..49407: 256 byte
 * symbols, the same 256 with {@code </w>}, 48894 merges, {@code <start_of_text>} = 49406,
 * {@code <end_of_text>} = 49407. A row is [SOT] + BPE ids + [EOT], zero padded; when too long it is cut to
 * the context length and the last token is forced to EOT (open_clip's {@code tokenize}).
 *
 * <p>Cleaning: HTML entities unescaped twice (a common subset, see {@link #clean}), whitespace runs collapsed
 * to one space, stripped, lower-cased. ftfy's mojibake repair is not available in Java and is skipped:
 * ids differ from open_clip only for text that ftfy would change (broken encodings, curly quotes are kept
 * by ftfy anyway). Instances are immutable apart from a bounded, thread-safe BPE cache; share one.
 */
public final class ClipTokenizer implements TextTokenizer {
    public static final String RESOURCE = "bpe_simple_vocab_16e6.txt.gz";
    public static final int VOCAB_SIZE = 49408;
    public static final int SOT = 49406;
    public static final int EOT = 49407;
    public static final int DEFAULT_CONTEXT_LENGTH = 77;
    private static final int MERGES = 49152 - 256 - 2; // lines 1..48894 of the file (line 0 is a version header)
    private static final int CACHE_LIMIT = 1 << 20;

    /** open_clip's pre-tokenisation pattern; its special tokens are {@code <start_of_text>} and {@code <end_of_text>}. */
    private static final Pattern PAT = Pattern.compile(
            "<start_of_text>|<end_of_text>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

    private final char[] byteEncoder = new char[256];
    /** Vocabulary id of byte b (0..255): its position in CLIP's byte alphabet. */
    private final int[] symbolIdOfByte = new int[256];
    /** Byte of a byte-alphabet char, -1 for other chars. */
    private final int[] byteDecoder = new int[512];
    private final String[] decoder = new String[VOCAB_SIZE];
    private final Map<String, Integer> encoder;
    /** (left id, right id) → rank &lt;&lt; 32 | merged id, as an open-addressing table. */
    private final long[] pairKeys;
    private final long[] pairValues;
    private final int pairMask;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    private ClipTokenizer(List<String[]> merges) {
        List<Character> symbols = bytesToUnicodeOrder(byteEncoder);
        List<String> vocab = new ArrayList<>(VOCAB_SIZE);
        for (char c : symbols) {
            vocab.add(String.valueOf(c));
        }
        for (char c : symbols) {
            vocab.add(c + "</w>");
        }
        for (String[] m : merges) {
            vocab.add(m[0] + m[1]);
        }
        vocab.add("<start_of_text>");
        vocab.add("<end_of_text>");
        if (vocab.size() != VOCAB_SIZE) {
            throw new IllegalStateException("CLIP vocabulary has " + vocab.size() + " entries, expected " + VOCAB_SIZE);
        }
        encoder = new HashMap<>(VOCAB_SIZE * 2);
        for (int i = 0; i < vocab.size(); i++) {
            encoder.put(vocab.get(i), i); // like dict(zip(vocab, range)): a repeated string keeps its last id
            decoder[i] = vocab.get(i);
        }
        int cap = Integer.highestOneBit(merges.size() * 4);
        pairKeys = new long[cap];
        pairValues = new long[cap];
        Arrays.fill(pairKeys, -1L);
        pairMask = cap - 1;
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] m = merges.get(rank);
            long key = pairKey(encoder.get(m[0]), encoder.get(m[1]));
            putPair(key, ((long) rank << 32) | encoder.get(m[0] + m[1]));
        }
    }

    /** The tokenizer over the bundled CLIP vocabulary. */
    public static ClipTokenizer load() {
        try (InputStream in = ClipTokenizer.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing classpath resource org/qqt/data/" + RESOURCE);
            }
            return fromMergesGz(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    static ClipTokenizer fromMergesGz(InputStream gz) throws IOException {
        List<String[]> merges = new ArrayList<>(MERGES);
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(gz), StandardCharsets.UTF_8))) {
            r.readLine(); // "#version: 0.2"
            String line;
            while (merges.size() < MERGES && (line = r.readLine()) != null) {
                String[] parts = line.trim().split("\\s+");
                if (parts.length != 2) {
                    throw new IOException("bad merge line " + (merges.size() + 1) + ": '" + line + "'");
                }
                merges.add(parts);
            }
        }
        if (merges.size() != MERGES) {
            throw new IOException("expected " + MERGES + " merges, found " + merges.size());
        }
        return new ClipTokenizer(merges);
    }

    @Override
    public int vocabSize() {
        return VOCAB_SIZE;
    }

    @Override
    public int eotId() {
        return EOT;
    }

    public int sotId() {
        return SOT;
    }

    /** [SOT] + ids + [EOT], padded with 0 to {@code contextLength}; too long: cut, last token = EOT. */
    @Override
    public int[] encode(String text, int contextLength) {
        if (contextLength < 2) {
            throw new IllegalArgumentException("context length must be ≥ 2 (SOT and EOT), got " + contextLength);
        }
        int[] row = new int[contextLength];
        row[0] = SOT;
        int n = 1;
        Matcher m = PAT.matcher(clean(text));
        outer:
        while (m.find()) {
            for (int id : bpe(m.group())) {
                if (n == contextLength) {
                    break outer;
                }
                row[n++] = id;
            }
        }
        if (n == contextLength) {
            row[contextLength - 1] = EOT;
        } else {
            row[n] = EOT;
        }
        return row;
    }

    /** BPE ids of the text without SOT/EOT and without length limit. */
    public int[] ids(String text) {
        int[] buf = new int[16];
        int n = 0;
        Matcher m = PAT.matcher(clean(text));
        while (m.find()) {
            for (int id : bpe(m.group())) {
                if (n == buf.length) {
                    buf = Arrays.copyOf(buf, n * 2);
                }
                buf[n++] = id;
            }
        }
        return Arrays.copyOf(buf, n);
    }

    /** Text of ids (0, SOT and EOT are skipped); {@code </w>} becomes a space, bytes are decoded as UTF-8. */
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            if (id > 0 && id < SOT) {
                sb.append(decoder[id]);
            }
        }
        String s = sb.toString().replace("</w>", " ");
        byte[] bytes = new byte[s.length()];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int b = c == ' ' ? ' ' : byteOf(c); // ' ' only comes from </w>; byte 0x20 is symbol U+0120
            bytes[n++] = (byte) (b < 0 ? '?' : b);
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8).strip();
    }

    /** The vocabulary string of an id (byte symbols in CLIP's printable byte alphabet). */
    public String token(int id) {
        return decoder[id];
    }

    /**
     * CLIP's cleaning without ftfy: HTML-unescape twice, collapse whitespace, strip, lower-case.
     * The unescaping covers numeric entities and the named ones common in captions
     * ({@code amp lt gt quot apos nbsp}); Python's html.unescape knows all 2231 HTML5 names.
     */
    public static String clean(String text) {
        String t = HtmlEntities.unescape(HtmlEntities.unescape(text)).strip();
        t = WHITESPACE.matcher(t).replaceAll(" ").strip();
        return t.toLowerCase(java.util.Locale.ROOT);
    }

    private int[] bpe(String token) {
        if (token.equals("<start_of_text>")) {
            return new int[] {SOT};
        }
        if (token.equals("<end_of_text>")) {
            return new int[] {EOT};
        }
        int[] hit = cache.get(token);
        if (hit != null) {
            return hit;
        }
        byte[] utf8 = token.getBytes(StandardCharsets.UTF_8);
        int[] word = new int[utf8.length];
        for (int i = 0; i < utf8.length; i++) {
            word[i] = symbolIdOfByte[utf8[i] & 0xff];
        }
        word[word.length - 1] += 256; // the last symbol carries </w>
        int len = word.length;
        while (len > 1) {
            // the adjacent pair with the lowest merge rank
            long best = Long.MAX_VALUE;
            long bestKey = 0;
            for (int i = 0; i + 1 < len; i++) {
                long key = pairKey(word[i], word[i + 1]);
                long v = getPair(key);
                if (v >= 0 && v < best) {
                    best = v;
                    bestKey = key;
                }
            }
            if (best == Long.MAX_VALUE) {
                break;
            }
            int merged = (int) best;
            int out = 0;
            for (int i = 0; i < len; i++) {
                if (i + 1 < len && pairKey(word[i], word[i + 1]) == bestKey) {
                    word[out++] = merged;
                    i++;
                } else {
                    word[out++] = word[i];
                }
            }
            len = out;
        }
        int[] ids = Arrays.copyOf(word, len);
        if (cache.size() < CACHE_LIMIT) {
            cache.put(token, ids);
        }
        return ids;
    }

    private int byteOf(char c) {
        return c < byteDecoder.length ? byteDecoder[c] : -1;
    }

    /**
     * CLIP's bytes_to_unicode: printable bytes map to themselves, the others to 256+n. Returns the symbols in
     * the dict's insertion order (that order defines the ids 0..255) and fills {@code encoderOut[byte]}.
     */
    private List<Character> bytesToUnicodeOrder(char[] encoderOut) {
        List<Integer> bs = new ArrayList<>();
        for (int b = '!'; b <= '~'; b++) {
            bs.add(b);
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            bs.add(b);
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            bs.add(b);
        }
        List<Integer> cs = new ArrayList<>(bs);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            if (!bs.contains(b)) {
                bs.add(b);
                cs.add(256 + n);
                n++;
            }
        }
        List<Character> symbols = new ArrayList<>(256);
        Arrays.fill(byteDecoder, -1);
        for (int i = 0; i < 256; i++) {
            byteDecoder[cs.get(i)] = bs.get(i);
            encoderOut[bs.get(i)] = (char) (int) cs.get(i);
            symbolIdOfByte[bs.get(i)] = i;
            symbols.add((char) (int) cs.get(i));
        }
        return symbols;
    }

    private static long pairKey(int a, int b) {
        return ((long) a << 32) | (b & 0xffffffffL);
    }

    private void putPair(long key, long value) {
        int i = mix(key) & pairMask;
        while (pairKeys[i] != -1L && pairKeys[i] != key) {
            i = (i + 1) & pairMask;
        }
        pairKeys[i] = key;
        pairValues[i] = value;
    }

    /** rank &lt;&lt; 32 | merged id, or -1 when the pair is not a merge. */
    private long getPair(long key) {
        int i = mix(key) & pairMask;
        while (true) {
            long k = pairKeys[i];
            if (k == key) {
                return pairValues[i];
            }
            if (k == -1L) {
                return -1L;
            }
            i = (i + 1) & pairMask;
        }
    }

    private static int mix(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29));
    }
}
