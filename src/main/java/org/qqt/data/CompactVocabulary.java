package org.qqt.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;

/**
 * CLIP's tokenizer restricted to the ids a corpus actually uses, renumbered densely so that a small model
 * needs a small token embedding. Layout ({@code k} = number of used CLIP ids):
 * <pre>
 *   0          pad
 *   1 .. k     the used CLIP ids, in ascending CLIP order
 *   k + 1      &lt;unk&gt;: any CLIP id not seen when the vocabulary was built
 *   k + 2      SOT
 *   k + 3      EOT  (= vocabSize - 1, the largest id, as in CLIP: argmax pooling still finds it)
 * </pre>
 * Saved as JSON next to a run ({@code {"format": "qqt-compact-vocab", "version": 1, "base": ..., "clipIds": [...]}})
 * so a checkpoint is always read with the ids it was trained with.
 */
public final class CompactVocabulary implements TextTokenizer {
    public static final String FORMAT = "qqt-compact-vocab";
    public static final String BASE = "clip:bpe_simple_vocab_16e6";

    private final ClipTokenizer clip;
    private final int[] clipIds;

    private CompactVocabulary(ClipTokenizer clip, int[] sortedClipIds) {
        this.clip = clip;
        this.clipIds = sortedClipIds;
    }

    /** The vocabulary of all ids used by {@code captions} (SOT and EOT always included). */
    public static CompactVocabulary build(ClipTokenizer clip, Iterable<String> captions) {
        BitSet used = new BitSet(ClipTokenizer.VOCAB_SIZE);
        for (String caption : captions) {
            for (int id : clip.ids(caption)) {
                used.set(id);
            }
        }
        return of(clip, used.stream().toArray());
    }

    /** A vocabulary over the given CLIP ids (any order, duplicates and SOT/EOT/0 ignored). */
    public static CompactVocabulary of(ClipTokenizer clip, int[] ids) {
        int[] sorted = Arrays.stream(ids).filter(i -> i > 0 && i < ClipTokenizer.SOT).distinct().sorted().toArray();
        return new CompactVocabulary(clip, sorted);
    }

    /** The JSON file written by {@link #save}. */
    public static CompactVocabulary load(Path file, ClipTokenizer clip) {
        Saved s = Json.read(file, Saved.class);
        if (!FORMAT.equals(s.format()) || s.version() != 1) {
            throw BadInputException.inFile(file, "not a " + FORMAT + " version 1 file (format '" + s.format()
                    + "', version " + s.version() + "); write it with qqt's CompactVocabulary");
        }
        if (!BASE.equals(s.base())) {
            throw BadInputException.inFile(file, "base vocabulary '" + s.base() + "' is not " + BASE);
        }
        for (int i = 0; i < s.clipIds().length; i++) {
            int id = s.clipIds()[i];
            if (id <= 0 || id >= ClipTokenizer.SOT || (i > 0 && id <= s.clipIds()[i - 1])) {
                throw BadInputException.inFile(file, "clipIds must be ascending CLIP ids in 1.." + (ClipTokenizer.SOT - 1)
                        + " (entry " + i + " is " + id + ")");
            }
        }
        return new CompactVocabulary(clip, s.clipIds().clone());
    }

    public void save(Path file) {
        Json.write(file, new Saved(FORMAT, 1, BASE, clipIds));
    }

    @Override
    public int[] encode(String text, int contextLength) {
        int[] row = clip.encode(text, contextLength);
        for (int i = 0; i < row.length; i++) {
            row[i] = toCompact(row[i]);
        }
        return row;
    }

    /** The compact id of a CLIP id (0 → 0, SOT/EOT → their slots, unseen → {@link #unkId()}). */
    public int toCompact(int clipId) {
        if (clipId == 0) {
            return 0;
        }
        if (clipId == ClipTokenizer.SOT) {
            return sotId();
        }
        if (clipId == ClipTokenizer.EOT) {
            return eotId();
        }
        int pos = Arrays.binarySearch(clipIds, clipId);
        return pos >= 0 ? pos + 1 : unkId();
    }

    /** The CLIP id of a compact id; -1 for {@code <unk>}. */
    public int toClip(int compactId) {
        if (compactId == 0) {
            return 0;
        }
        if (compactId <= clipIds.length) {
            return clipIds[compactId - 1];
        }
        if (compactId == unkId()) {
            return -1;
        }
        if (compactId == sotId()) {
            return ClipTokenizer.SOT;
        }
        if (compactId == eotId()) {
            return ClipTokenizer.EOT;
        }
        throw new IllegalArgumentException("compact id " + compactId + " out of range 0.." + (vocabSize() - 1));
    }

    /** Caption text of a compact row; {@code <unk>} tokens are dropped. */
    public String decode(int[] compactIds) {
        return clip.decode(Arrays.stream(compactIds).map(this::toClip).filter(i -> i >= 0).toArray());
    }

    @Override
    public int vocabSize() {
        return clipIds.length + 4;
    }

    @Override
    public int eotId() {
        return clipIds.length + 3;
    }

    public int sotId() {
        return clipIds.length + 2;
    }

    public int unkId() {
        return clipIds.length + 1;
    }

    /** The used CLIP ids, ascending (a copy). */
    public int[] clipIds() {
        return clipIds.clone();
    }

    /** The JSON form. */
    record Saved(String format, int version, String base, int[] clipIds) {}
}
