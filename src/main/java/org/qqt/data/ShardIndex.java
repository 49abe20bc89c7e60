package org.qqt.data;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.qqt.io.BadInputException;

/**
 * Where the usable samples of a subset lie in a pool's shards, read from the tar headers: the data of the
 * small {@code .json} (uid) and {@code .txt} (caption) members is read, image members are only listed (their
 * offset and length) and skipped over. Nothing is decoded or tokenized here: images are decoded and captions
 * tokenized when a batch needs them, so the first batch follows the index at once.
 *
 * <p>Shards are indexed in parallel, one task per shard, and joined in shard-name order: entry {@code i} is the
 * i-th usable sample of the subset in (shard name, position in shard) order, whatever the thread count. A
 * sample is usable when its json has a uid in the subset and it has an image and a caption member; samples of
 * a shard cut short by a read error keep what came before the error (as {@link ShardReader} reads them).
 * Entries are kept in primitive arrays (48 bytes each).
 */
final class ShardIndex {
    /** What indexing met, by kind. */
    enum Counter {
        SHARDS, SHARDS_EMPTY, SHARDS_CORRUPT, SAMPLES_READ, SAMPLES_CUT, NOT_IN_SUBSET, MISSING_UID, MISSING_IMAGE,
        MISSING_TEXT, CAPTIONS_REPAIRED, DUPLICATE_UIDS
    }

    private static final Set<String> DATA_EXTS = Set.of("json", "txt");

    final List<Path> shards;
    final int size;
    final long[] uidHi;
    final long[] uidLo;
    final int[] shard;
    final long[] imageOffset;
    final int[] imageLength;
    final long[] textOffset;
    final int[] textLength;
    final int[] repeat;
    final long[] counts;
    final long subsetUidsMissing;

    private ShardIndex(List<Path> shards, Part all, long[] counts, long subsetUidsMissing) {
        this.shards = shards;
        this.size = all.n;
        this.uidHi = Arrays.copyOf(all.uidHi, size);
        this.uidLo = Arrays.copyOf(all.uidLo, size);
        this.shard = Arrays.copyOf(all.shard, size);
        this.imageOffset = Arrays.copyOf(all.imageOffset, size);
        this.imageLength = Arrays.copyOf(all.imageLength, size);
        this.textOffset = Arrays.copyOf(all.textOffset, size);
        this.textLength = Arrays.copyOf(all.textLength, size);
        this.repeat = Arrays.copyOf(all.repeat, size);
        this.counts = counts;
        this.subsetUidsMissing = subsetUidsMissing;
    }

    Uid uid(int i) {
        return new Uid(uidHi[i], uidLo[i]);
    }

    long count(Counter c) {
        return counts[c.ordinal()];
    }

    /**
     * Indexes {@code shards} with the tasks run on {@code pool}.
     *
     * @param subset uid → times per epoch; null keeps every sample once
     */
    static ShardIndex build(List<Path> shards, Map<Uid, Integer> subset, ExecutorService pool) {
        List<Callable<Part>> tasks = new ArrayList<>();
        for (int i = 0; i < shards.size(); i++) {
            int s = i;
            tasks.add(() -> indexShard(shards.get(s), s, subset));
        }
        List<Part> parts = new ArrayList<>();
        try {
            for (Future<Part> f : pool.invokeAll(tasks)) {
                parts.add(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while indexing shards", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
        Part all = new Part();
        long[] c = new long[Counter.values().length];
        for (Part p : parts) {
            all.append(p);
            for (int k = 0; k < c.length; k++) {
                c[k] += p.counts[k];
            }
        }
        Set<Uid> seen = new HashSet<>(Math.max(16, all.n * 4 / 3 + 1));
        for (int i = 0; i < all.n; i++) {
            if (!seen.add(new Uid(all.uidHi[i], all.uidLo[i]))) {
                c[Counter.DUPLICATE_UIDS.ordinal()]++;
            }
        }
        long missing = subset == null ? 0 : subset.size() - seen.size();
        return new ShardIndex(List.copyOf(shards), all, c, missing);
    }

    private static Part indexShard(Path file, int shardNo, Map<Uid, Integer> subset) {
        return ShardReader.readShard(file, DATA_EXTS, reader -> indexShard(reader, shardNo, subset));
    }

    private static Part indexShard(ShardReader reader, int shardNo, Map<Uid, Integer> subset) {
        Part p = new Part();
        long[] c = p.counts;
        CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        while (reader.hasNext()) {
            WdsSample s = reader.next();
            Uid uid = s.uid();
            if (uid == null) {
                c[Counter.MISSING_UID.ordinal()]++;
                continue;
            }
            int count = subset == null ? 1 : subset.getOrDefault(uid, 0);
            if (count <= 0) {
                c[Counter.NOT_IN_SUBSET.ordinal()]++;
                continue;
            }
            String ext = s.firstListed(WdsSample.TRAIN_IMAGE_EXTS);
            if (ext == null) {
                c[Counter.MISSING_IMAGE.ordinal()]++;
                continue;
            }
            byte[] txt = s.member("txt");
            if (txt == null) {
                c[Counter.MISSING_TEXT.ordinal()]++;
                continue;
            }
            try {
                strict.decode(ByteBuffer.wrap(txt));
            } catch (CharacterCodingException e) {
                c[Counter.CAPTIONS_REPAIRED.ordinal()]++; // served with U+FFFD replacement
            }
            p.add(uid, shardNo, s.offsets().get(ext), Math.toIntExact(s.sizes().get(ext)),
                    s.offsets().get("txt"), txt.length, count);
        }
        ReadStats rs = reader.stats();
        c[Counter.SHARDS.ordinal()] = rs.shards();
        c[Counter.SHARDS_EMPTY.ordinal()] = rs.shardsEmpty();
        c[Counter.SHARDS_CORRUPT.ordinal()] = rs.shardsCorrupt();
        c[Counter.SAMPLES_READ.ordinal()] = rs.samples();
        c[Counter.SAMPLES_CUT.ordinal()] = rs.samplesCut();
        return p;
    }

    /** Usable samples of one shard (or all, once joined), in growable primitive arrays. */
    private static final class Part {
        int n;
        long[] uidHi = new long[64];
        long[] uidLo = new long[64];
        int[] shard = new int[64];
        long[] imageOffset = new long[64];
        int[] imageLength = new int[64];
        long[] textOffset = new long[64];
        int[] textLength = new int[64];
        int[] repeat = new int[64];
        final long[] counts = new long[Counter.values().length];

        void add(Uid uid, int shardNo, long imgOff, int imgLen, long txtOff, int txtLen, int count) {
            reserve(n + 1);
            uidHi[n] = uid.hi();
            uidLo[n] = uid.lo();
            shard[n] = shardNo;
            imageOffset[n] = imgOff;
            imageLength[n] = imgLen;
            textOffset[n] = txtOff;
            textLength[n] = txtLen;
            repeat[n] = count;
            n++;
        }

        void append(Part o) {
            reserve(n + o.n);
            System.arraycopy(o.uidHi, 0, uidHi, n, o.n);
            System.arraycopy(o.uidLo, 0, uidLo, n, o.n);
            System.arraycopy(o.shard, 0, shard, n, o.n);
            System.arraycopy(o.imageOffset, 0, imageOffset, n, o.n);
            System.arraycopy(o.imageLength, 0, imageLength, n, o.n);
            System.arraycopy(o.textOffset, 0, textOffset, n, o.n);
            System.arraycopy(o.textLength, 0, textLength, n, o.n);
            System.arraycopy(o.repeat, 0, repeat, n, o.n);
            n += o.n;
        }

        private void reserve(int want) {
            if (want <= uidHi.length) {
                return;
            }
            if (want > Integer.MAX_VALUE - 8) {
                throw new BadInputException("more than " + (Integer.MAX_VALUE - 8) + " usable samples for one loader");
            }
            int cap = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(want, 2L * uidHi.length));
            uidHi = Arrays.copyOf(uidHi, cap);
            uidLo = Arrays.copyOf(uidLo, cap);
            shard = Arrays.copyOf(shard, cap);
            imageOffset = Arrays.copyOf(imageOffset, cap);
            imageLength = Arrays.copyOf(imageLength, cap);
            textOffset = Arrays.copyOf(textOffset, cap);
            textLength = Arrays.copyOf(textLength, cap);
            repeat = Arrays.copyOf(repeat, cap);
        }
    }
}
