package org.qqt.data;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Date;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.qqt.io.AtomicFiles;

/**
 * Writes webdataset tar shards. Each shard is written to a hidden temp file in the target directory and renamed
 * into place when it is complete, so a reader (or a killed run) never sees half a shard.
 *
 * <p>Two naming conventions: {@link Naming#IMG2DATASET} (DataComp pools: {@code 00000000.tar} with
 * {@code 00000000_stats.json} = {"successes": n}, keys = 8-digit shard id + 4-digit index, e.g.
 * {@code 000000010042}) and {@link Naming#CLIP_BENCHMARK} (eval sets: {@code 0.tar, 1.tar, ...}, keys
 * {@code s0000000} numbered across shards, no stats files). Members are written in the order the caller's map
 * gives them, with mode 0644 and a fixed modification time, so equal input gives byte-identical shards.
 */
public final class ShardWriter implements AutoCloseable {
    /** Shard and key naming. */
    public enum Naming { IMG2DATASET, CLIP_BENCHMARK }

    private static final Date FIXED_MTIME = new Date(1_600_000_000_000L);

    private final Path dir;
    private final int maxPerShard;
    private final Naming naming;
    private final int indexDigits;
    private int shardIndex = -1;
    private int inShard;
    private long total;
    private Path tmp;
    private Path target;
    private FileChannel channel;
    private TarArchiveOutputStream tar;

    public ShardWriter(Path dir, int maxPerShard, Naming naming) {
        if (maxPerShard < 1) {
            throw new IllegalArgumentException("maxPerShard must be >= 1, got " + maxPerShard);
        }
        this.dir = dir;
        this.maxPerShard = maxPerShard;
        this.naming = naming;
        // img2dataset pads the in-shard index to the digits of the shard size (10000 -> 4)
        this.indexDigits = Math.max(4, Integer.toString(maxPerShard - 1).length());
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    /** A DataComp/img2dataset pool writer with 10,000 samples per shard. */
    public static ShardWriter pool(Path dir) {
        return new ShardWriter(dir, 10_000, Naming.IMG2DATASET);
    }

    /** The key the next {@link #write(Map)} call will use. */
    public String nextKey() {
        int shard = (shardIndex < 0 || inShard >= maxPerShard) ? shardIndex + 1 : shardIndex;
        int idx = (shardIndex < 0 || inShard >= maxPerShard) ? 0 : inShard;
        return switch (naming) {
            case IMG2DATASET -> String.format(Locale.ROOT, "%08d%0" + indexDigits + "d", shard, idx);
            case CLIP_BENCHMARK -> String.format(Locale.ROOT, "s%07d", total);
        };
    }

    /** Writes one sample under the next automatic key; returns the key. */
    public String write(Map<String, byte[]> members) {
        String key = nextKey();
        write(key, members);
        return key;
    }

    /** Writes one sample: member {@code key.ext} for each entry (ext without the dot). */
    public void write(String key, Map<String, byte[]> members) {
        if (key.isEmpty() || key.indexOf('.', key.lastIndexOf('/') + 1) >= 0) {
            throw new IllegalArgumentException("bad webdataset key '" + key + "': must be non-empty with no dot");
        }
        try {
            if (tar == null || inShard >= maxPerShard) {
                finishShard();
                startShard();
            }
            for (Map.Entry<String, byte[]> m : members.entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(key + "." + m.getKey());
                e.setSize(m.getValue().length);
                e.setMode(0100644);
                e.setModTime(FIXED_MTIME);
                tar.putArchiveEntry(e);
                tar.write(m.getValue());
                tar.closeArchiveEntry();
            }
            inShard++;
            total++;
        } catch (IOException e) {
            abort();
            throw new UncheckedIOException("cannot write shard " + target + ": " + e.getMessage(), e);
        }
    }

    public long samplesWritten() {
        return total;
    }

    /** Number of complete shards on disk (after {@link #close()}: all of them). */
    public int shardsWritten() {
        return tar == null ? shardIndex + 1 : shardIndex;
    }

    public static String shardName(Naming naming, int index) {
        return naming == Naming.IMG2DATASET ? String.format(Locale.ROOT, "%08d.tar", index) : index + ".tar";
    }

    private void startShard() throws IOException {
        shardIndex++;
        inShard = 0;
        target = dir.resolve(shardName(naming, shardIndex));
        tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        channel = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
        tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    private void finishShard() throws IOException {
        if (tar == null) {
            return;
        }
        tar.finish();
        tar.flush();
        channel.force(true);
        tar.close();
        tar = null;
        org.qqt.io.AtomicFiles.readableByAll(tmp);
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        tmp = null;
        if (naming == Naming.IMG2DATASET) {
            String stats = String.format(Locale.ROOT, "%08d_stats.json", shardIndex);
            AtomicFiles.writeString(dir.resolve(stats), "{\"successes\": " + inShard + "}\n");
        }
    }

    private void abort() {
        try {
            if (tar != null) {
                tar.close();
            }
        } catch (IOException ignored) {
            // already failing
        }
        tar = null;
        try {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException ignored) {
            // hidden temp file; harmless
        }
        tmp = null;
    }

    /** Finishes the last shard (an empty writer leaves no shard). */
    @Override
    public void close() {
        try {
            finishShard();
        } catch (IOException e) {
            abort();
            throw new UncheckedIOException("cannot finish shard " + target + ": " + e.getMessage(), e);
        }
    }
}
