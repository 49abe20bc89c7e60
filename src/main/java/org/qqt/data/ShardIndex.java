package org.qqt.data;

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
 * Entries are kept in primitive arrays (48 bytes each). With a cache directory, each shard's headers are read
 * from (and after a read written to) its {@link ShardHeaders} cache file, so a resume reads no tar header.
 */
final class ShardIndex {
    /** What indexing met, by kind. */
    enum Counter {
        SHARDS, SHARDS_EMPTY, SHARDS_CORRUPT, SAMPLES_READ, SAMPLES_CUT, NOT_IN_SUBSET, MISSING_UID, MISSING_IMAGE,
        MISSING_TEXT, CAPTIONS_REPAIRED, DUPLICATE_UIDS
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ShardIndex.class);

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
    /** Shards whose headers came from a current cache file. */
    final int shardsFromCache;

    private ShardIndex(List<Path> shards, Part all, long[] counts, long subsetUidsMissing, int shardsFromCache) {
        this.shardsFromCache = shardsFromCache;
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
        return build(shards, subset, pool, null);
    }

    /**
     * As {@link #build(List, Map, ExecutorService)}, reading and writing each shard's headers in {@code cacheDir}
     * (null: no cache): the same index either way.
     */
    static ShardIndex build(List<Path> shards, Map<Uid, Integer> subset, ExecutorService pool, Path cacheDir) {
        List<Callable<Part>> tasks = new ArrayList<>();
        boolean[][] fromCache = new boolean[shards.size()][1];
        for (int i = 0; i < shards.size(); i++) {
            int s = i;
            tasks.add(() -> indexShard(shards.get(s), s, subset, cacheDir, fromCache[s]));
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
        int cached = 0;
        for (boolean[] f : fromCache) {
            cached += f[0] ? 1 : 0;
        }
        return new ShardIndex(List.copyOf(shards), all, c, missing, cached);
    }

    /** Suffix of a shard's cache file in the cache directory: {@code 00000000.tar.idx}. */
    static final String CACHE_SUFFIX = ".idx";

    /** The cache file of {@code shard} in {@code cacheDir}. */
    static Path cacheFile(Path cacheDir, Path shard) {
        return cacheDir.resolve(shard.getFileName().toString() + CACHE_SUFFIX);
    }

    /**
     * The headers of one shard: from its cache file when that is current, else read from the tar and (with a
     * cache directory) written there. A cache directory that cannot be written costs only the cache.
     */
    private static ShardHeaders headers(Path file, Path cacheDir, boolean[] fromCache) {
        try {
            if (cacheDir != null) {
                ShardHeaders h = ShardHeaders.load(cacheFile(cacheDir, file), file);
                if (h != null) {
                    fromCache[0] = true;
                    return h;
                }
            }
            ShardHeaders h = ShardHeaders.scan(file);
            if (cacheDir != null) {
                try {
                    h.save(cacheFile(cacheDir, file));
                } catch (RuntimeException e) { // read-only or full: index without a cache
                    LOG.warn("cannot write the shard index cache {}: {}", cacheFile(cacheDir, file), e.getMessage());
                }
            }
            return h;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static Part indexShard(Path file, int shardNo, Map<Uid, Integer> subset, Path cacheDir,
                                   boolean[] fromCache) {
        ShardHeaders h = headers(file, cacheDir, fromCache);
        Part p = new Part();
        long[] c = p.counts;
        for (int i = 0; i < h.n; i++) {
            if (!h.hasUid(i)) {
                c[Counter.MISSING_UID.ordinal()]++;
                continue;
            }
            Uid uid = new Uid(h.uidHi[i], h.uidLo[i]);
            int count = subset == null ? 1 : subset.getOrDefault(uid, 0);
            if (count <= 0) {
                c[Counter.NOT_IN_SUBSET.ordinal()]++;
                continue;
            }
            if (!h.hasImage(i)) {
                c[Counter.MISSING_IMAGE.ordinal()]++;
                continue;
            }
            if (!h.hasText(i)) {
                c[Counter.MISSING_TEXT.ordinal()]++;
                continue;
            }
            if (h.captionBad(i)) {
                c[Counter.CAPTIONS_REPAIRED.ordinal()]++; // served with U+FFFD replacement
            }
            p.add(uid, shardNo, h.imageOffset[i], h.imageLength[i], h.textOffset[i], h.textLength[i], count);
        }
        c[Counter.SHARDS.ordinal()] = h.stats[0];
        c[Counter.SHARDS_EMPTY.ordinal()] = h.stats[1];
        c[Counter.SHARDS_CORRUPT.ordinal()] = h.stats[2];
        c[Counter.SAMPLES_READ.ordinal()] = h.stats[3];
        c[Counter.SAMPLES_CUT.ordinal()] = h.stats[4];
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
