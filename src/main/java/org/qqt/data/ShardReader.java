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
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
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
    private final Set<String> dataExts; // null: read every member's data
    private int nextShard;
    private long shardSize;
    private Path current;
    private Members tar;
    private int samplesInShard;
    private Member pendingEntry; // first member of the next sample, already read
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

    private ShardReader(List<Path> shards, Set<String> dataExts, boolean strict) {
        this.shards = List.copyOf(shards);
        this.dataExts = dataExts == null ? null : Set.copyOf(dataExts);
        this.strict = strict;
    }

    /** Reads one .tar file, or every *.tar in a directory in name order. */
    public static ShardReader open(Path dirOrTar) {
        return new ShardReader(Files.isDirectory(dirOrTar) ? listShards(dirOrTar) : List.of(dirOrTar), null, false);
    }

    /** Reads the given shards in the given order. */
    public static ShardReader open(List<Path> shards) {
        return new ShardReader(shards, null, false);
    }

    /**
     * Reads the given shards in the given order, but reads the data only of members whose extension is in
     * {@code dataExts}: the others are skipped over (a seek for large members) and appear in the sample's
     * {@link WdsSample#offsets()} and {@link WdsSample#sizes()} only. Samples and counts are those of a full
     * read: a skipped member that runs past the end of its file is a read error like a short read. Headers are
     * read with {@link TarScan} (no stream: skipped data is seeked over); a shard with headers it does not read
     * throws {@link UnsupportedHeaders} — read that shard with {@link #open(List)}.
     */
    public static ShardReader headers(List<Path> shards, Set<String> dataExts) {
        return new ShardReader(shards, dataExts, false);
    }

    /**
     * {@code read} applied to one shard read in {@link #headers} mode (data only of {@code dataExts}) or, when the
     * shard has headers {@link TarScan} does not read, to the whole shard read again from its start with
     * {@link #open(List)}: {@code read} must keep nothing of a first try that ends in {@link UnsupportedHeaders}
     * (or only what the second try gives again). The reader is closed after.
     */
    public static <T> T readShard(Path shard, Set<String> dataExts, Function<ShardReader, T> read) {
        try (ShardReader r = headers(List.of(shard), dataExts)) {
            return read.apply(r);
        } catch (UnsupportedHeaders e) { // pax or GNU long-name headers: stream the shard instead
            try (ShardReader r = open(List.of(shard))) {
                return read.apply(r);
            }
        }
    }

    /**
     * Reads the given shards in order, failing at the first read error (a truncated or corrupt shard) with a
     * one-line BadInputException naming the shard, instead of going on: for data whose every sample counts.
     */
    public static ShardReader openStrict(List<Path> shards) {
        return new ShardReader(shards, null, true);
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
                shardSize = Files.size(p);
                tar = dataExts == null ? new StreamMembers(p) : new ScannedMembers(new TarScan(p));
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
        Map<String, Long> sizes = new LinkedHashMap<>();
        if (pendingEntry != null) {
            String[] kx = splitName(pendingEntry.name());
            key = kx[0];
            if (pendingData != null) {
                members.put(kx[1], pendingData);
            }
            offsets.put(kx[1], pendingOffset);
            sizes.put(kx[1], pendingEntry.size());
            pendingEntry = null;
            pendingData = null;
        }
        try {
            Member e;
            while ((e = tar.next()) != null) {
                if (!e.file()) {
                    continue;
                }
                long offset = e.offset();
                if (e.size() > MAX_MEMBER_BYTES) {
                    LOG.warn("{}: member {} has {} bytes (> {}); skipped", current, e.name(), e.size(), MAX_MEMBER_BYTES);
                    continue;
                }
                String[] kx = splitName(e.name());
                byte[] data = null;
                if (dataExts == null || dataExts.contains(kx[1])) {
                    data = tar.read(e);
                } else if (offset + e.size() > shardSize) {
                    throw new IOException("member " + e.name() + " is short: the file ends before its "
                            + e.size() + " bytes");
                }
                if (key != null && !kx[0].equals(key)) {
                    pendingEntry = e;
                    pendingData = data;
                    pendingOffset = offset;
                    return new WdsSample(current, key, members, offsets, sizes);
                }
                key = kx[0];
                if (data != null && !offsets.containsKey(kx[1])) {
                    members.put(kx[1], data);
                }
                offsets.putIfAbsent(kx[1], offset);
                sizes.putIfAbsent(kx[1], e.size());
            }
            if (key != null) {
                return new WdsSample(current, key, members, offsets, sizes);
            }
            if (samplesInShard == 0) {
                shardsEmpty++;
                LOG.warn("{}: shard has no samples; skipped", current);
            }
            return null;
        } catch (TarScan.Unsupported ex) {
            throw new UnsupportedHeaders(current, ex.getMessage());
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
                // read-only
            }
        }
        tar = null;
        current = null;
    }

    @Override
    public void close() {
        closeShard();
        nextShard = shards.size();
        lookahead = null;
    }

    /** A shard in {@link #headers} mode whose headers {@link TarScan} does not read (pax, GNU long names, links). */
    public static final class UnsupportedHeaders extends RuntimeException {
        UnsupportedHeaders(Path shard, String why) {
            super(shard + ": " + why);
        }
    }

    /** One tar member: name, data size, file position of its data, whether it is a regular file. */
    private record Member(String name, long size, long offset, boolean file) {}

    /** The members of one shard, in order. */
    private interface Members extends java.io.Closeable {
        /** The next member (after skipping what is unread of this one), or null at the end. */
        Member next() throws IOException;

        /** The data of {@code m}, the member last returned; an IOException when it is short. */
        byte[] read(Member m) throws IOException;
    }

    /** Every byte streamed through commons-compress (which reads pax and GNU headers). */
    private static final class StreamMembers implements Members {
        private final CountingStream counter;
        private final TarArchiveInputStream tar;

        StreamMembers(Path p) throws IOException {
            counter = new CountingStream(new BufferedInputStream(Files.newInputStream(p), 1 << 16));
            tar = new TarArchiveInputStream(counter);
        }

        @Override
        public Member next() throws IOException {
            TarArchiveEntry e = tar.getNextEntry();
            return e == null ? null : new Member(e.getName(), e.getSize(), counter.count, e.isFile());
        }

        @Override
        public byte[] read(Member m) throws IOException {
            byte[] data = tar.readAllBytes();
            if (data.length != m.size()) {
                throw new IOException("member " + m.name() + " is short: " + data.length + " of " + m.size() + " bytes");
            }
            return data;
        }

        @Override
        public void close() throws IOException {
            tar.close();
        }
    }

    /** Headers read with {@link TarScan}: unread data is seeked over. */
    private record ScannedMembers(TarScan scan) implements Members {
        @Override
        public Member next() throws IOException {
            return scan.next() ? new Member(scan.name(), scan.size(), scan.dataOffset(), scan.isFile()) : null;
        }

        @Override
        public byte[] read(Member m) throws IOException {
            return scan.data();
        }

        @Override
        public void close() throws IOException {
            scan.close();
        }
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
