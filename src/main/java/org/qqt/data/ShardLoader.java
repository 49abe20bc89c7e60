package org.qqt.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.qqt.io.BadInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loader: webdataset shards + a subset (uid → repeat count) + a tokenizer → {@link Batch}es.
 *
 * <p><b>No pass before the first batch.</b> {@link #open} builds a {@link ShardIndex} from the shards' tar
 * headers (json and txt members read, images only located; shards in parallel), and the {@link SampleOrder} of
 * the index's entries. Images are decoded and captions tokenized only when a batch needs them: by a pool of
 * {@link LoaderOptions#threads()} background threads, at most {@link LoaderOptions#prefetch()} batches ahead;
 * each batch is split into about one part per thread, so one large batch is decoded by every thread (the
 * first batch of a 4096-batch comes at once, and few batches need to be in flight).
 * Image bytes are read with one positional read per use (tar members are stored uncompressed; the page cache
 * keeps what fits).
 *
 * <p><b>Undecodable images are skipped and counted.</b> When the planned sample's image does not decode (corrupt,
 * over the pixel cap, unsupported), the next entry in index order that decodes is served in its place, with its
 * caption; the count of such places is part of {@link LoaderState}, so a resumed run counts on from its
 * checkpoint. The choice depends only on the bytes, so batches are identical for any thread count and after a
 * restore.
 *
 * <p><b>Images.</b> Decoded with {@link ImageCodec} (pixel cap), transformed with {@link ClipImageTransform}
 * (shorter side to imageSize, Pillow-style antialiased bicubic, centre crop, uint8 CHW: batches carry
 * {@link Batch#pixels()}, normalised on the device).
 */
public final class ShardLoader implements BatchSource {
    private static final Logger LOG = LoggerFactory.getLogger(ShardLoader.class);
    private static final int WARNINGS = 10;

    /**
     * A planned batch being decoded: its rows are split into {@code parts} (about one per decode thread), each
     * filling its rows of the shared arrays and returning its count of skipped places.
     */
    private record Pending(Batch batch, Uid[] uids, List<Future<Integer>> parts) {}

    private final LoaderOptions opt;
    private final ShardIndex index;
    private final SampleOrder order;
    private final TextTokenizer tokenizer;
    private final FileChannel[] channels;
    private final ImageCodec codec;
    private final ClipImageTransform transform;
    private final ExecutorService pool;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final Map<Integer, ImageDecodeException.Reason> bad = new ConcurrentHashMap<>();
    private final long limit;
    private long served;
    private long skipped;
    private long planned;
    private Uid[] lastUids = new Uid[0];

    private ShardLoader(LoaderOptions opt, ShardIndex index, TextTokenizer tokenizer, ExecutorService pool) {
        this.opt = opt;
        this.index = index;
        this.order = new SampleOrder(index.repeat, opt.seed(), opt.mode());
        this.tokenizer = tokenizer;
        this.pool = pool;
        this.channels = new FileChannel[index.shards.size()];
        this.codec = new ImageCodec(opt.maxPixels());
        this.transform = new ClipImageTransform(opt.imageSize());
        this.limit = opt.sampleLimit() > 0 ? opt.sampleLimit() : Long.MAX_VALUE;
    }

    /** Repeat counts from a sorted uid list with duplicates (a DataComp subset file's rows). */
    public static Map<Uid, Integer> countsOf(List<Uid> uids) {
        Map<Uid, Integer> m = new HashMap<>();
        for (Uid u : uids) {
            m.merge(u, 1, Integer::sum);
        }
        return m;
    }

    /**
     * Indexes the shards of {@code shardDir} and returns a loader positioned at the start.
     *
     * @param subset uid → times per epoch; null keeps every sample once
     */
    public static ShardLoader open(Path shardDir, Map<Uid, Integer> subset, TextTokenizer tokenizer,
                                   LoaderOptions opt) {
        List<Path> shards = ShardReader.listShards(shardDir);
        if (shards.isEmpty()) {
            throw BadInputException.inFile(shardDir, "no *.tar shards here; point to the folder holding 00000000.tar ...");
        }
        ExecutorService pool = Executors.newFixedThreadPool(opt.threads(), daemonThreads());
        try {
            ShardIndex index = ShardIndex.build(shards, subset, pool, opt.indexCache());
            if (index.size == 0) {
                throw BadInputException.inFile(shardDir, "no usable sample of the subset in " + shards.size()
                        + " shards (" + index.count(ShardIndex.Counter.SAMPLES_READ) + " samples read); check that "
                        + "the subset matches this pool");
            }
            return new ShardLoader(opt, index, tokenizer, pool);
        } catch (RuntimeException e) {
            pool.shutdownNow();
            throw e;
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "qqt-decode-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static RuntimeException rethrow(ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof RuntimeException r) {
            return r;
        }
        if (c instanceof Error err) {
            throw err;
        }
        return new IllegalStateException(c);
    }

    /** Shards whose header index was read from the cache ({@link LoaderOptions#indexCache()}), not the tar. */
    public int shardsIndexedFromCache() {
        return index.shardsFromCache;
    }

    /** Samples per epoch (indexed samples weighted by their counts). */
    public long epochSize() {
        return order.epochSize();
    }

    /** Distinct samples indexed. */
    public int samplesKept() {
        return index.size;
    }

    /** Whether another batch remains (always, without a sample limit). */
    public boolean hasNext() {
        return served < limit;
    }

    /** The uids of the last batch returned by {@link #next()}, in batch order (one per image row). */
    public List<Uid> lastBatchUids() {
        return List.of(lastUids);
    }

    // ---- decoding (background threads) ----

    private void fill() {
        while (pending.size() < opt.prefetch() && planned < limit) {
            int n = (int) Math.min(opt.batchSize(), limit - planned);
            int[] idx = new int[n];
            for (int j = 0; j < n; j++) {
                idx[j] = order.entryAt(planned + j);
            }
            planned += n;
            int s = opt.imageSize();
            int ctx = opt.contextLength();
            byte[] pixels = new byte[Math.multiplyExact(n, 3 * s * s)];
            int[] tokens = new int[Math.multiplyExact(n, ctx)];
            Uid[] uids = new Uid[n];
            int rows = (n + opt.threads() - 1) / opt.threads();
            List<Future<Integer>> parts = new ArrayList<>();
            for (int from = 0; from < n; from += rows) {
                int a = from;
                int b = Math.min(n, from + rows);
                parts.add(pool.submit(() -> assemble(idx, a, b, pixels, tokens, uids)));
            }
            pending.add(new Pending(Batch.ofPixels(n, s, ctx, pixels, tokens), uids, parts));
        }
    }

    /** Decodes rows {@code from .. to} of a batch into its arrays; returns the places skipped. */
    private int assemble(int[] idx, int from, int to, byte[] pixels, int[] tokens, Uid[] uids) {
        int s = opt.imageSize();
        int ctx = opt.contextLength();
        int per = 3 * s * s;
        int skips = 0;
        for (int j = from; j < to; j++) {
            int e = decodeInto(idx[j], pixels, j * per);
            skips += e != idx[j] ? 1 : 0;
            int[] row = tokenizer.encode(caption(e), ctx);
            if (row.length != ctx) {
                throw new IllegalStateException("tokenizer returned " + row.length + " ids for context length " + ctx);
            }
            System.arraycopy(row, 0, tokens, j * ctx, ctx);
            uids[j] = index.uid(e);
        }
        return skips;
    }

    /**
     * Decodes entry {@code i}, or the next entry in index order whose image decodes, into {@code out}; returns
     * the entry served.
     */
    private int decodeInto(int i, byte[] out, int offset) {
        for (int k = 0; k < index.size; k++) {
            int e = (i + k) % index.size;
            if (bad.containsKey(e)) {
                continue;
            }
            try {
                transform.apply(codec.decode(read(e, index.imageOffset[e], index.imageLength[e])), out, offset);
                return e;
            } catch (ImageDecodeException ex) {
                if (bad.putIfAbsent(e, ex.reason()) == null && bad.size() <= WARNINGS) {
                    LOG.warn("sample {} in {}: {}; skipped (the next sample is served in its place){}", index.uid(e),
                            index.shards.get(index.shard[e]), ex.getMessage(),
                            bad.size() == WARNINGS ? "; further skips are counted, not logged" : "");
                }
            }
        }
        throw new IllegalStateException("no image of the " + index.size + " indexed samples decodes");
    }

    /** The caption of entry {@code e}: UTF-8, malformed bytes replaced by U+FFFD, stripped. */
    private String caption(int e) {
        byte[] txt = read(e, index.textOffset[e], index.textLength[e]);
        return StandardCharsets.UTF_8.decode(ByteBuffer.wrap(txt)).toString().strip();
    }

    private byte[] read(int e, long offset, int length) {
        int shard = index.shard[e];
        FileChannel ch;
        synchronized (channels) {
            ch = channels[shard];
            if (ch == null) {
                try {
                    ch = FileChannel.open(index.shards.get(shard), StandardOpenOption.READ);
                } catch (IOException ex) {
                    throw new UncheckedIOException("cannot reopen shard " + index.shards.get(shard), ex);
                }
                channels[shard] = ch;
            }
        }
        byte[] out = new byte[length];
        try {
            SubsetFile.readFully(ch, ByteBuffer.wrap(out), offset);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot re-read sample " + index.uid(e) + " from "
                    + index.shards.get(shard) + " (did the shard change since the loader indexed it?)", ex);
        }
        return out;
    }

    // ---- the stream ----

    @Override
    public Batch next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the loader's sample limit of " + limit + " is reached");
        }
        fill();
        Pending b = pending.poll();
        int skips = 0;
        try {
            for (Future<Integer> part : b.parts()) {
                skips += part.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading a batch", e);
        } catch (ExecutionException e) {
            throw rethrow(e);
        }
        served += b.batch().size();
        skipped += skips;
        lastUids = b.uids();
        fill();
        return b.batch();
    }

    @Override
    public LoaderState state() {
        int e = order.epochSize();
        return new LoaderState(opt.seed(), served / e, served % e, served, skipped);
    }

    @Override
    public void restore(LoaderState state) {
        int e = order.epochSize();
        if (state.seed() != opt.seed()) {
            throw new BadInputException("loader state has seed " + state.seed() + " but this loader uses seed "
                    + opt.seed() + "; resume with the same seed");
        }
        if (state.samplesServed() < 0 || state.epoch() * e + state.indexInEpoch() != state.samplesServed()) {
            throw new BadInputException("loader state (epoch " + state.epoch() + ", index " + state.indexInEpoch()
                    + ", served " + state.samplesServed() + ") does not fit an epoch of " + e
                    + " samples; the pool or subset changed since the checkpoint");
        }
        if (state.samplesServed() > limit) {
            throw new BadInputException("loader state is past this loader's sample limit " + limit);
        }
        for (Pending p : pending) {
            p.parts().forEach(f -> f.cancel(false)); // no interrupt: an interrupted read would close the shared channel
        }
        pending.clear();
        served = state.samplesServed();
        skipped = state.skipped();
        planned = served;
        lastUids = new Uid[0];
    }

    /** Counts so far. */
    public LoaderStats stats() {
        long[] reasons = new long[ImageDecodeException.Reason.values().length];
        bad.values().forEach(r -> reasons[r.ordinal()]++);
        ShardIndex x = index;
        return new LoaderStats((int) x.count(ShardIndex.Counter.SHARDS), (int) x.count(ShardIndex.Counter.SHARDS_EMPTY),
                (int) x.count(ShardIndex.Counter.SHARDS_CORRUPT), x.count(ShardIndex.Counter.SAMPLES_READ),
                x.count(ShardIndex.Counter.SAMPLES_CUT), x.count(ShardIndex.Counter.NOT_IN_SUBSET),
                x.count(ShardIndex.Counter.MISSING_UID), x.count(ShardIndex.Counter.MISSING_IMAGE),
                x.count(ShardIndex.Counter.MISSING_TEXT), x.count(ShardIndex.Counter.CAPTIONS_REPAIRED),
                x.count(ShardIndex.Counter.DUPLICATE_UIDS), x.subsetUidsMissing, x.size, order.epochSize(), served,
                reasons[ImageDecodeException.Reason.CORRUPT.ordinal()],
                reasons[ImageDecodeException.Reason.TOO_LARGE.ordinal()],
                reasons[ImageDecodeException.Reason.UNSUPPORTED.ordinal()], skipped);
    }

    @Override
    public void close() {
        for (Pending p : pending) {
            p.parts().forEach(f -> f.cancel(true));
        }
        pending.clear();
        pool.shutdownNow();
        synchronized (channels) {
            for (int i = 0; i < channels.length; i++) {
                if (channels[i] != null) {
                    try {
                        channels[i].close();
                    } catch (IOException ignored) {
                        // read-only
                    }
                    channels[i] = null;
                }
            }
        }
    }
}
