package org.qqt.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.qqt.io.BadInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loader: webdataset shards + a subset (uid → repeat count) + a tokenizer → {@link Batch}es.
 *
 * <p><b>Index once.</b> {@link #open} reads every shard once (in name order), keeps the samples whose json
 * {@code uid} is in the subset and that have an image and a caption, tokenizes each caption, and (by default)
 * decodes each image once to drop corrupt ones before any batch is planned. Encoded image bytes are kept in
 * memory up to {@link Options#memoryCapBytes()}; samples beyond the cap keep only (shard, offset, length) and
 * are re-read with one positional read per use (tar members are stored uncompressed). Epochs never rescan tars.
 *
 * <p><b>Order.</b> The kept samples, each repeated by its subset count, form the epoch (size E). The stream of
 * samples is a pure function of the seed: in {@link Mode#EPOCH} epoch e is a permutation of the epoch drawn
 * with a seed derived from (seed, e), epochs follow each other, and batches run across epoch boundaries (every
 * batch is full; every sample is served exactly count times per epoch). In {@link Mode#RESAMPLED} the g-th
 * sample is drawn uniformly from the epoch with a seed derived from (seed, g) — with replacement, like
 * open_clip's {@code --dataset-resampled}. With {@link Options#sampleLimit()} the stream ends after exactly that
 * many samples (the last batch is smaller if needed).
 *
 * <p><b>Threads.</b> Batches are planned in order by the calling thread and decoded by a pool of
 * {@link Options#threads()} background threads, at most {@link Options#prefetch()} batches ahead (a bounded
 * queue). Each sample's pixels depend only on its bytes, so batches are identical for any thread count.
 *
 * <p><b>Images.</b> Decoded with {@link ImageCodec} (pixel cap), transformed with {@link ClipImageTransform}
 * (shorter side to imageSize, Pillow-style antialiased bicubic, centre crop, CLIP mean/std, CHW).
 */
public final class ShardLoader implements BatchSource {
    private static final Logger LOG = LoggerFactory.getLogger(ShardLoader.class);

    /** How the sample stream is drawn from the epoch. */
    public enum Mode { EPOCH, RESAMPLED }

    /**
     * Loader settings. {@code sampleLimit} ≤ 0 means an endless stream; {@code verifyImages} = false skips the
     * decode-once check at open (faster for large pools; an image that then fails to decode is replaced by the
     * next decodable sample and counted in {@link LoaderStats#imagesReplaced()}).
     */
    public record Options(int imageSize, int contextLength, int batchSize, long seed, Mode mode, int threads,
                          int prefetch, long memoryCapBytes, long maxPixels, long sampleLimit, boolean verifyImages) {
        public Options {
            if (imageSize < 1 || contextLength < 2 || batchSize < 1 || threads < 1 || prefetch < 1 || memoryCapBytes < 0
                    || maxPixels < 1) {
                throw new BadInputException("bad loader options: image size, context length (>= 2), batch size, threads"
                        + " and prefetch must be positive; got " + imageSize + ", " + contextLength + ", " + batchSize
                        + ", " + threads + ", " + prefetch);
            }
        }

        /** Epoch mode, 1 decode thread, 4 batches ahead, 1 GiB (or a quarter of the heap) of image bytes in memory. */
        public static Options of(int imageSize, int contextLength, int batchSize, long seed) {
            long cap = Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 4);
            return new Options(imageSize, contextLength, batchSize, seed, Mode.EPOCH, 1, 4, cap,
                    ImageCodec.DEFAULT_MAX_PIXELS, 0, true);
        }

        public Options withMode(Mode m) {
            return new Options(imageSize, contextLength, batchSize, seed, m, threads, prefetch, memoryCapBytes,
                    maxPixels, sampleLimit, verifyImages);
        }

        public Options withThreads(int t) {
            return new Options(imageSize, contextLength, batchSize, seed, mode, t, Math.max(prefetch, 2 * t),
                    memoryCapBytes, maxPixels, sampleLimit, verifyImages);
        }

        public Options withMemoryCap(long bytes) {
            return new Options(imageSize, contextLength, batchSize, seed, mode, threads, prefetch, bytes, maxPixels,
                    sampleLimit, verifyImages);
        }

        public Options withMaxPixels(long px) {
            return new Options(imageSize, contextLength, batchSize, seed, mode, threads, prefetch, memoryCapBytes, px,
                    sampleLimit, verifyImages);
        }

        public Options withSampleLimit(long n) {
            return new Options(imageSize, contextLength, batchSize, seed, mode, threads, prefetch, memoryCapBytes,
                    maxPixels, n, verifyImages);
        }

        public Options withVerifyImages(boolean v) {
            return new Options(imageSize, contextLength, batchSize, seed, mode, threads, prefetch, memoryCapBytes,
                    maxPixels, sampleLimit, v);
        }
    }

    /** One kept sample: encoded image bytes in memory, or where to read them; tokens without trailing padding. */
    private record Entry(Uid uid, int shard, long offset, int length, byte[] bytes, int[] tokens) {}

    private record Assembled(Batch batch, Uid[] uids) {}

    private final Options opt;
    private final List<Path> shards;
    private final FileChannel[] channels;
    private final Entry[] entries;
    private final int[] slots; // entry index per epoch position, each entry repeated by its count
    private final ImageCodec codec;
    private final ClipImageTransform transform;
    private final ExecutorService pool;
    private final ArrayDeque<Future<Assembled>> pending = new ArrayDeque<>();
    private final Map<Long, int[]> permutations = new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, int[]> eldest) {
            return size() > 2;
        }
    };
    private final long limit;
    private long served;
    private long planned;
    private Uid[] lastUids = new Uid[0];
    private final AtomicLong replaced = new AtomicLong();
    private final long[] counts; // the index-time counts of LoaderStats
    private final long bytesInMemory;
    private final long samplesOnDisk;
    private final long subsetUidsMissing;

    private ShardLoader(Options opt, List<Path> shards, Entry[] entries, int[] slots, ExecutorService pool,
                        FileChannel[] channels, long[] counts, long subsetUidsMissing) {
        this.opt = opt;
        this.shards = shards;
        this.entries = entries;
        this.slots = slots;
        this.pool = pool;
        this.channels = channels;
        this.counts = counts;
        this.subsetUidsMissing = subsetUidsMissing;
        this.codec = new ImageCodec(opt.maxPixels());
        this.transform = new ClipImageTransform(opt.imageSize());
        this.limit = opt.sampleLimit() > 0 ? opt.sampleLimit() : Long.MAX_VALUE;
        long mem = 0;
        long disk = 0;
        for (Entry e : entries) {
            if (e.bytes() != null) {
                mem += e.bytes().length;
            } else {
                disk++;
            }
        }
        this.bytesInMemory = mem;
        this.samplesOnDisk = disk;
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
    public static ShardLoader open(Path shardDir, Map<Uid, Integer> subset, TextTokenizer tokenizer, Options opt) {
        List<Path> shards = ShardReader.listShards(shardDir);
        if (shards.isEmpty()) {
            throw BadInputException.inFile(shardDir, "no *.tar shards here; point to the folder holding 00000000.tar ...");
        }
        long[] c = new long[Counter.values().length];
        List<Entry> kept = new ArrayList<>();
        List<Integer> repeat = new ArrayList<>();
        Map<Path, Integer> shardIndex = new HashMap<>();
        for (int i = 0; i < shards.size(); i++) {
            shardIndex.put(shards.get(i), i);
        }
        long inMemory = 0;
        CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder() // one for the pass; decode() resets it
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ReadStats rs;
        try (ShardReader reader = ShardReader.open(shards)) {
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
                String ext = s.firstExt(WdsSample.TRAIN_IMAGE_EXTS);
                if (ext == null) {
                    c[Counter.MISSING_IMAGE.ordinal()]++;
                    continue;
                }
                byte[] txt = s.member("txt");
                if (txt == null) {
                    c[Counter.MISSING_TEXT.ordinal()]++;
                    continue;
                }
                String caption = decodeCaption(strict, txt, c);
                int[] tokens = trim(tokenizer.encode(caption, opt.contextLength()), opt.contextLength());
                byte[] img = s.member(ext);
                boolean keep = inMemory + img.length <= opt.memoryCapBytes();
                if (keep) {
                    inMemory += img.length;
                }
                kept.add(new Entry(uid, shardIndex.get(s.shard()), s.offsets().getOrDefault(ext, -1L), img.length,
                        keep ? img : null, tokens));
                repeat.add(count);
            }
            rs = reader.stats();
        }
        c[Counter.SHARDS.ordinal()] = rs.shards();
        c[Counter.SHARDS_EMPTY.ordinal()] = rs.shardsEmpty();
        c[Counter.SHARDS_CORRUPT.ordinal()] = rs.shardsCorrupt();
        c[Counter.SAMPLES_READ.ordinal()] = rs.samples();
        c[Counter.SAMPLES_CUT.ordinal()] = rs.samplesCut();

        ExecutorService pool = Executors.newFixedThreadPool(opt.threads(), daemonThreads());
        FileChannel[] channels = new FileChannel[shards.size()];
        try {
            boolean[] ok = new boolean[kept.size()];
            Arrays.fill(ok, true);
            if (opt.verifyImages()) {
                verify(kept, ok, c, pool, opt, shards, channels);
            }
            List<Entry> good = new ArrayList<>();
            List<Integer> goodRepeat = new ArrayList<>();
            Set<Uid> seen = new HashSet<>();
            for (int i = 0; i < kept.size(); i++) {
                if (ok[i]) {
                    Entry e = kept.get(i);
                    if (!seen.add(e.uid())) {
                        c[Counter.DUPLICATE_UIDS.ordinal()]++;
                    }
                    good.add(e);
                    goodRepeat.add(repeat.get(i));
                }
            }
            long epoch = 0;
            for (int r : goodRepeat) {
                epoch += r;
            }
            if (epoch == 0) {
                throw BadInputException.inFile(shardDir, "no usable sample of the subset in " + shards.size()
                        + " shards (" + rs.samples() + " samples read); check that the subset matches this pool");
            }
            if (epoch > Integer.MAX_VALUE - 8) {
                throw new BadInputException("epoch of " + epoch + " samples is too large for one loader");
            }
            int[] slots = new int[(int) epoch];
            int k = 0;
            for (int i = 0; i < good.size(); i++) {
                for (int r = 0; r < goodRepeat.get(i); r++) {
                    slots[k++] = i;
                }
            }
            long missing = subset == null ? 0 : subset.keySet().stream().filter(u -> !seen.contains(u)).count();
            return new ShardLoader(opt, shards, good.toArray(new Entry[0]), slots, pool, channels, c, missing);
        } catch (RuntimeException e) {
            pool.shutdownNow();
            closeAll(channels);
            throw e;
        }
    }

    private enum Counter {
        SHARDS, SHARDS_EMPTY, SHARDS_CORRUPT, SAMPLES_READ, SAMPLES_CUT, NOT_IN_SUBSET, MISSING_UID, MISSING_IMAGE,
        MISSING_TEXT, CAPTIONS_REPAIRED, IMAGES_CORRUPT, IMAGES_TOO_LARGE, IMAGES_UNSUPPORTED, DUPLICATE_UIDS
    }


    /** UTF-8; malformed input is decoded with U+FFFD replacement and counted. */
    private static String decodeCaption(CharsetDecoder strict, byte[] txt, long[] c) {
        try {
            return strict.decode(ByteBuffer.wrap(txt)).toString().strip();
        } catch (CharacterCodingException e) {
            c[Counter.CAPTIONS_REPAIRED.ordinal()]++;
            CharBuffer cb = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(txt)); // replaces
            return cb.toString().strip();
        }
    }

    private static int[] trim(int[] tokens, int ctx) {
        if (tokens.length != ctx) {
            throw new IllegalStateException("tokenizer returned " + tokens.length + " ids for context length " + ctx);
        }
        int n = ctx;
        while (n > 0 && tokens[n - 1] == 0) {
            n--;
        }
        return Arrays.copyOf(tokens, n);
    }

    private static void verify(List<Entry> kept, boolean[] ok, long[] c, ExecutorService pool, Options opt,
                               List<Path> shards, FileChannel[] channels) {
        ImageCodec codec = new ImageCodec(opt.maxPixels());
        int chunks = Math.max(1, Math.min(kept.size(), opt.threads() * 8));
        List<Callable<long[]>> tasks = new ArrayList<>();
        for (int t = 0; t < chunks; t++) {
            int from = (int) ((long) kept.size() * t / chunks);
            int to = (int) ((long) kept.size() * (t + 1) / chunks);
            tasks.add(() -> {
                long[] local = new long[3];
                for (int i = from; i < to; i++) {
                    try {
                        codec.decode(bytesOf(kept.get(i), shards, channels)); // checks the pixel cap first
                    } catch (ImageDecodeException e) {
                        ok[i] = false;
                        local[e.reason().ordinal()]++;
                    }
                }
                return local;
            });
        }
        try {
            for (Future<long[]> f : pool.invokeAll(tasks)) {
                long[] local = f.get();
                c[Counter.IMAGES_CORRUPT.ordinal()] += local[ImageDecodeException.Reason.CORRUPT.ordinal()];
                c[Counter.IMAGES_TOO_LARGE.ordinal()] += local[ImageDecodeException.Reason.TOO_LARGE.ordinal()];
                c[Counter.IMAGES_UNSUPPORTED.ordinal()] += local[ImageDecodeException.Reason.UNSUPPORTED.ordinal()];
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking images", e);
        } catch (ExecutionException e) {
            throw rethrow(e);
        }
    }

    private static byte[] bytesOf(Entry e, List<Path> shards, FileChannel[] channels) {
        if (e.bytes() != null) {
            return e.bytes();
        }
        FileChannel ch;
        synchronized (channels) {
            ch = channels[e.shard()];
            if (ch == null) {
                try {
                    ch = FileChannel.open(shards.get(e.shard()), StandardOpenOption.READ);
                } catch (IOException ex) {
                    throw new UncheckedIOException("cannot reopen shard " + shards.get(e.shard()), ex);
                }
                channels[e.shard()] = ch;
            }
        }
        ByteBuffer buf = ByteBuffer.allocate(e.length());
        try {
            long pos = e.offset();
            while (buf.hasRemaining()) {
                int n = ch.read(buf, pos);
                if (n < 0) {
                    throw new IOException("unexpected end of file");
                }
                pos += n;
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot re-read sample " + e.uid() + " from " + shards.get(e.shard())
                    + " (did the shard change since the loader indexed it?)", ex);
        }
        return buf.array();
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

    private static void closeAll(FileChannel[] channels) {
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

    // ---- the sample stream ----

    /** Samples per epoch (kept samples weighted by their counts). */
    public long epochSize() {
        return slots.length;
    }

    /** Distinct samples kept. */
    public int samplesKept() {
        return entries.length;
    }

    public Options options() {
        return opt;
    }

    /** Whether another batch remains (always, without a sample limit). */
    public boolean hasNext() {
        return served < limit;
    }

    /** The uids of the last batch returned by {@link #next()}, in batch order (one per image row). */
    public List<Uid> lastBatchUids() {
        return List.of(lastUids);
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private int[] permutation(long epoch) {
        int[] p = permutations.get(epoch);
        if (p == null) {
            p = slots.clone();
            SplittableRandom r = new SplittableRandom(mix(opt.seed() ^ mix(epoch + 0x9e3779b97f4a7c15L)));
            for (int i = p.length - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
            permutations.put(epoch, p);
        }
        return p;
    }

    /** Entry index of the g-th sample of the stream. */
    private int entryAt(long g) {
        long e = g / slots.length;
        int i = (int) (g % slots.length);
        if (opt.mode() == Mode.EPOCH) {
            return permutation(e)[i];
        }
        SplittableRandom r = new SplittableRandom(mix(opt.seed() * 0x2545F4914F6CDD1DL ^ mix(g ^ 0x632be59bd9b4e019L)));
        return slots[r.nextInt(slots.length)];
    }

    private void fill() {
        while (pending.size() < opt.prefetch() && planned < limit) {
            int n = (int) Math.min(opt.batchSize(), limit - planned);
            int[] idx = new int[n];
            for (int j = 0; j < n; j++) {
                idx[j] = entryAt(planned + j);
            }
            planned += n;
            pending.add(pool.submit(() -> assemble(idx)));
        }
    }

    private Assembled assemble(int[] idx) {
        int s = opt.imageSize();
        int ctx = opt.contextLength();
        int per = 3 * s * s;
        float[] images = new float[idx.length * per];
        int[] tokens = new int[idx.length * ctx];
        Uid[] uids = new Uid[idx.length];
        for (int j = 0; j < idx.length; j++) {
            Entry e = decodeInto(idx[j], images, j * per);
            System.arraycopy(e.tokens(), 0, tokens, j * ctx, e.tokens().length);
            uids[j] = e.uid();
        }
        return new Assembled(new Batch(idx.length, s, ctx, images, tokens), uids);
    }

    /**
     * Decodes entry {@code i} into {@code out}; returns the entry served. Without the decode check at open, an
     * image that fails here is replaced by the next entry (in index order) that decodes, with its caption: a
     * choice that depends only on the bytes, so batches stay identical for any thread count and after restore.
     */
    private Entry decodeInto(int i, float[] out, int offset) {
        for (int k = 0; k < entries.length; k++) {
            Entry e = entries[(i + k) % entries.length];
            try {
                transform.apply(codec.decode(bytesOf(e, shards, channels)), out, offset);
                return e;
            } catch (ImageDecodeException ex) {
                replaced.incrementAndGet();
                if (k == 0) {
                    LOG.warn("sample {} in {}: {}; serving the next sample instead", e.uid(), shards.get(e.shard()),
                            ex.getMessage());
                }
            }
        }
        throw new IllegalStateException("no image of the " + entries.length + " kept samples decodes");
    }

    @Override
    public Batch next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the loader's sample limit of " + limit + " is reached");
        }
        fill();
        Assembled b;
        try {
            b = pending.poll().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading a batch", e);
        } catch (ExecutionException e) {
            throw rethrow(e);
        }
        served += b.batch().size();
        lastUids = b.uids();
        fill();
        return b.batch();
    }

    @Override
    public LoaderState state() {
        return new LoaderState(opt.seed(), served / slots.length, served % slots.length, served);
    }

    @Override
    public void restore(LoaderState state) {
        if (state.seed() != opt.seed()) {
            throw new BadInputException("loader state has seed " + state.seed() + " but this loader uses seed "
                    + opt.seed() + "; resume with the same seed");
        }
        if (state.samplesServed() < 0 || state.epoch() * slots.length + state.indexInEpoch() != state.samplesServed()) {
            throw new BadInputException("loader state (epoch " + state.epoch() + ", index " + state.indexInEpoch()
                    + ", served " + state.samplesServed() + ") does not fit an epoch of " + slots.length
                    + " samples; the pool or subset changed since the checkpoint");
        }
        if (state.samplesServed() > limit) {
            throw new BadInputException("loader state is past this loader's sample limit " + limit);
        }
        for (Future<Assembled> p : pending) {
            p.cancel(false); // no interrupt: an interrupted positional read would close the shared channel
        }
        pending.clear();
        served = state.samplesServed();
        planned = served;
        lastUids = new Uid[0];
    }

    /** Counts so far. */
    public LoaderStats stats() {
        long[] c = counts;
        return new LoaderStats((int) c[Counter.SHARDS.ordinal()], (int) c[Counter.SHARDS_EMPTY.ordinal()],
                (int) c[Counter.SHARDS_CORRUPT.ordinal()], c[Counter.SAMPLES_READ.ordinal()],
                c[Counter.SAMPLES_CUT.ordinal()], c[Counter.NOT_IN_SUBSET.ordinal()], c[Counter.MISSING_UID.ordinal()],
                c[Counter.MISSING_IMAGE.ordinal()], c[Counter.MISSING_TEXT.ordinal()],
                c[Counter.CAPTIONS_REPAIRED.ordinal()], c[Counter.IMAGES_CORRUPT.ordinal()],
                c[Counter.IMAGES_TOO_LARGE.ordinal()], c[Counter.IMAGES_UNSUPPORTED.ordinal()],
                c[Counter.DUPLICATE_UIDS.ordinal()], subsetUidsMissing, entries.length, slots.length, bytesInMemory,
                samplesOnDisk, served, replaced.get());
    }

    @Override
    public void close() {
        for (Future<Assembled> p : pending) {
            p.cancel(true);
        }
        pending.clear();
        pool.shutdownNow();
        closeAll(channels);
    }
}
