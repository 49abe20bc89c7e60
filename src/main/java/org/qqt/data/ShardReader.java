package org.qqt.data;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.qqt.io.BadInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams the samples of webdataset tar shards, one shard after another in file-name order, without extracting
 * anything to disk. Consecutive members with the same key form one {@link WdsSample}.
 *
 * <p>Corruption never stops a pass: a read error (truncated tar, garbage) ends that shard, the sample being
 * assembled at the error is dropped, and reading goes on with the next shard; {@link #stats()} counts it.
 * Members larger than {@link #MAX_MEMBER_BYTES} are skipped (a corrupt header can claim gigabytes).
 */
public final class ShardReader implements Iterator<WdsSample>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShardReader.class);
    /** Largest member read into memory. */
    public static final long MAX_MEMBER_BYTES = 256L << 20;

    private final List<Path> shards;
    private int nextShard;
    private Path current;
    private TarArchiveInputStream tar;
    private CountingStream counter;
    private int samplesInShard;
    private TarArchiveEntry pendingEntry; // first member of the next sample, already read
    private byte[] pendingData;
    private long pendingOffset;
    private WdsSample lookahead;

    private int shardsOpened;
    private int shardsEmpty;
    private int shardsCorrupt;
    private long samples;
    private long samplesCut;

    /** Strict: a read error is a BadInputException naming the shard (evaluation data must be whole). */
    private final boolean strict;

    private ShardReader(List<Path> shards, boolean strict) {
        this.shards = List.copyOf(shards);
        this.strict = strict;
    }

    /** Reads one .tar file, or every *.tar in a directory in name order. */
    public static ShardReader open(Path dirOrTar) {
        return new ShardReader(Files.isDirectory(dirOrTar) ? listShards(dirOrTar) : List.of(dirOrTar), false);
    }

    /** Reads the given shards in the given order. */
    public static ShardReader open(List<Path> shards) {
        return new ShardReader(shards, false);
    }

    /**
     * Reads the given shards in order, failing at the first read error (a truncated or corrupt shard) with a
     * one-line BadInputException naming the shard, instead of going on: for data whose every sample counts.
     */
    public static ShardReader openStrict(List<Path> shards) {
        return new ShardReader(shards, true);
    }

    /** The *.tar files of a directory, sorted by name (00000000.tar, 00000001.tar, ...; 0.tar, 1.tar, ... by number). */
    public static List<Path> listShards(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw BadInputException.inFile(dir, "not a directory of webdataset shards; give the folder holding 00000000.tar ...");
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tar") && !p.getFileName().toString().startsWith("."))
                    .filter(Files::isRegularFile)
                    .sorted(ShardReader::compareShardNames)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** Name order, except that names of digits of different lengths sort by number (2.tar before 10.tar). */
    static int compareShardNames(Path a, Path b) {
        String x = a.getFileName().toString();
        String y = b.getFileName().toString();
        String xs = x.substring(0, x.length() - 4);
        String ys = y.substring(0, y.length() - 4);
        if (xs.matches("\\d{1,18}") && ys.matches("\\d{1,18}")) {
            int c = Long.compare(Long.parseLong(xs), Long.parseLong(ys));
            if (c != 0) {
                return c;
            }
        }
        return x.compareTo(y);
    }

    /** Calls {@code action} for every sample of a shard dir (or one tar), without decoding anything. */
    public static ReadStats forEach(Path dirOrTar, Consumer<WdsSample> action) {
        try (ShardReader r = open(dirOrTar)) {
            r.forEachRemaining(action);
            return r.stats();
        }
    }

    /** Splits a member name into key and extension: key = directory + base name up to its first dot. */
    static String[] splitName(String name) {
        int slash = name.lastIndexOf('/');
        int dot = name.indexOf('.', slash + 1);
        if (dot < 0) {
            return new String[] {name, ""};
        }
        return new String[] {name.substring(0, dot), name.substring(dot + 1)};
    }

    @Override
    public boolean hasNext() {
        if (lookahead == null) {
            lookahead = advance();
        }
        return lookahead != null;
    }

    @Override
    public WdsSample next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        WdsSample s = lookahead;
        lookahead = null;
        return s;
    }

    /** Counts so far (complete after the last sample). */
    public ReadStats stats() {
        return new ReadStats(shardsOpened, shardsEmpty, shardsCorrupt, samples, samplesCut);
    }

    /** The next complete sample, opening shards as needed; null at the end. */
    private WdsSample advance() {
        while (true) {
            if (tar == null && !openNextShard()) {
                return null;
            }
            WdsSample s = readSample();
            if (s != null) {
                samples++;
                samplesInShard++;
                return s;
            }
            closeShard();
        }
    }

    private boolean openNextShard() {
        while (nextShard < shards.size()) {
            Path p = shards.get(nextShard++);
            shardsOpened++;
            samplesInShard = 0;
            try {
                counter = new CountingStream(new BufferedInputStream(Files.newInputStream(p), 1 << 16));
                tar = new TarArchiveInputStream(counter);
                current = p;
                return true;
            } catch (NoSuchFileException e) {
                throw BadInputException.inFile(p, "shard disappeared while reading");
            } catch (IOException e) {
                if (strict) {
                    throw BadInputException.inFile(p, "cannot open shard: " + e.getMessage());
                }
                LOG.warn("{}: cannot open shard ({}); skipped", p, e.getMessage());
                shardsCorrupt++;
            }
        }
        return false;
    }

    /** Reads members until the key changes; null at the end of the shard (or at a read error). */
    private WdsSample readSample() {
        String key = null;
        Map<String, byte[]> members = new LinkedHashMap<>();
        Map<String, Long> offsets = new LinkedHashMap<>();
        if (pendingEntry != null) {
            String[] kx = splitName(pendingEntry.getName());
            key = kx[0];
            members.put(kx[1], pendingData);
            offsets.put(kx[1], pendingOffset);
            pendingEntry = null;
            pendingData = null;
        }
        try {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (!e.isFile()) {
                    continue;
                }
                long offset = counter.count;
                if (e.getSize() > MAX_MEMBER_BYTES) {
                    LOG.warn("{}: member {} has {} bytes (> {}); skipped", current, e.getName(), e.getSize(), MAX_MEMBER_BYTES);
                    continue;
                }
                byte[] data = tar.readAllBytes();
                if (data.length != e.getSize()) {
                    throw new IOException("member " + e.getName() + " is short: " + data.length + " of " + e.getSize() + " bytes");
                }
                String[] kx = splitName(e.getName());
                if (key != null && !kx[0].equals(key)) {
                    pendingEntry = e;
                    pendingData = data;
                    pendingOffset = offset;
                    return new WdsSample(current, key, members, offsets);
                }
                key = kx[0];
                members.putIfAbsent(kx[1], data);
                offsets.putIfAbsent(kx[1], offset);
            }
            if (key != null) {
                return new WdsSample(current, key, members, offsets);
            }
            if (samplesInShard == 0) {
                shardsEmpty++;
                LOG.warn("{}: shard has no samples; skipped", current);
            }
            return null;
        } catch (IOException | RuntimeException ex) {
            if (strict) {
                throw BadInputException.inFile(current, "truncated or corrupt after " + samplesInShard + " samples ("
                        + String.valueOf(ex.getMessage()).lines().findFirst().orElse("") + "); re-export this shard");
            }
            shardsCorrupt++;
            if (key != null) {
                samplesCut++;
            }
            LOG.warn("{}: read error after {} samples ({}); going on with the next shard", current, samplesInShard, ex.getMessage());
            pendingEntry = null;
            pendingData = null;
            return null;
        }
    }

    private void closeShard() {
        if (tar != null) {
            try {
                tar.close();
            } catch (IOException ignored) {
                // read-only stream
            }
        }
        tar = null;
        counter = null;
        current = null;
    }

    @Override
    public void close() {
        closeShard();
        nextShard = shards.size();
        lookahead = null;
    }

    /** Counts the bytes the tar reader has consumed = the file position of the data that follows. */
    private static final class CountingStream extends FilterInputStream {
        long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long k = in.skip(n);
            count += k;
            return k;
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }

    /** Lists helper for tests and tools: all samples of a dir in memory. */
    static List<WdsSample> readAll(Path dirOrTar) {
        List<WdsSample> out = new ArrayList<>();
        forEach(dirOrTar, out::add);
        return out;
    }
}
