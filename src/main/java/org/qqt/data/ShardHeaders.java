package org.qqt.data;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.qqt.io.AtomicFiles;

/**
 * Every sample of one shard as its tar headers describe it, independent of any subset: the uid (from the
 * {@code .json} member), where the training image and the caption lie, and whether the caption is valid UTF-8;
 * plus the shard's read counts. {@link ShardIndex} filters this by a subset.
 *
 * <p><b>Cache file</b> (this class is its one writer and one reader; see docs/data-formats.md, "Shard index
 * cache"): {@link #save} writes it atomically; {@link #load} returns null for a file that is missing, of another
 * version, cut short, fails its CRC-32C, or was made from another shard (absolute path, size or modification
 * time differ) — the caller then reads the headers again and rewrites it.
 */
final class ShardHeaders {
    static final String MAGIC = "QQT-SHARD-INDEX-1";
    private static final Set<String> DATA_EXTS = Set.of("json", "txt");
    private static final int HAS_UID = 1;
    private static final int HAS_IMAGE = 2;
    private static final int HAS_TEXT = 4;
    private static final int CAPTION_BAD = 8;
    /** Bytes per sample in the file: flags, uid (2 longs), image offset + length, text offset + length. */
    private static final int RECORD = 1 + 16 + 12 + 12;

    /** The shard's identity when read: a cache made from another is stale. */
    record Key(String path, long size, long mtimeNanos) {
        static Key of(Path shard) throws IOException {
            BasicFileAttributes a = Files.readAttributes(shard, BasicFileAttributes.class);
            return new Key(shard.toAbsolutePath().normalize().toString(), a.size(),
                    a.lastModifiedTime().to(TimeUnit.NANOSECONDS));
        }
    }

    final Key key;
    /** ReadStats of the shard: shards, shards empty, shards corrupt, samples, samples cut. */
    final long[] stats;
    final int n;
    final byte[] flags;
    final long[] uidHi;
    final long[] uidLo;
    final long[] imageOffset;
    final int[] imageLength;
    final long[] textOffset;
    final int[] textLength;

    private ShardHeaders(Key key, long[] stats, int n) {
        this.key = key;
        this.stats = stats;
        this.n = n;
        this.flags = new byte[n];
        this.uidHi = new long[n];
        this.uidLo = new long[n];
        this.imageOffset = new long[n];
        this.imageLength = new int[n];
        this.textOffset = new long[n];
        this.textLength = new int[n];
    }

    boolean hasUid(int i) {
        return (flags[i] & HAS_UID) != 0;
    }

    boolean hasImage(int i) {
        return (flags[i] & HAS_IMAGE) != 0;
    }

    boolean hasText(int i) {
        return (flags[i] & HAS_TEXT) != 0;
    }

    boolean captionBad(int i) {
        return (flags[i] & CAPTION_BAD) != 0;
    }

    /** Reads the headers of {@code shard} (the small json and txt members' data, image members located only). */
    static ShardHeaders scan(Path shard) throws IOException {
        Key key = Key.of(shard);
        return ShardReader.readShard(shard, DATA_EXTS, r -> scan(r, key));
    }

    private static ShardHeaders scan(ShardReader reader, Key key) {
        CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        Growing g = new Growing();
        while (reader.hasNext()) {
            WdsSample s = reader.next();
            int i = g.add();
            Uid uid = s.uid();
            int f = 0;
            if (uid != null) {
                f |= HAS_UID;
                g.uidHi[i] = uid.hi();
                g.uidLo[i] = uid.lo();
            }
            String ext = s.firstListed(WdsSample.TRAIN_IMAGE_EXTS);
            if (ext != null) {
                f |= HAS_IMAGE;
                g.imageOffset[i] = s.offsets().get(ext);
                g.imageLength[i] = Math.toIntExact(s.sizes().get(ext));
            }
            byte[] txt = s.member("txt");
            if (txt != null) {
                f |= HAS_TEXT;
                g.textOffset[i] = s.offsets().get("txt");
                g.textLength[i] = txt.length;
                try {
                    strict.decode(ByteBuffer.wrap(txt));
                } catch (CharacterCodingException e) {
                    f |= CAPTION_BAD; // served with U+FFFD replacement
                }
            }
            g.flags[i] = (byte) f;
        }
        ReadStats rs = reader.stats();
        long[] stats = {rs.shards(), rs.shardsEmpty(), rs.shardsCorrupt(), rs.samples(), rs.samplesCut()};
        return g.done(key, stats);
    }

    /** The cached headers of {@code shard} in {@code file}, or null when absent, corrupt or stale. */
    static ShardHeaders load(Path file, Path shard) throws IOException {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
        Key now = Key.of(shard);
        if (all.length < 8) {
            return null;
        }
        CRC32C crc = new CRC32C();
        crc.update(all, 0, all.length - 8);
        if (crc.getValue() != ByteBuffer.wrap(all).getLong(all.length - 8)) {
            return null;
        }
        try (DataInputStream d = new DataInputStream(new ByteArrayInputStream(all, 0, all.length - 8))) {
            if (!MAGIC.equals(d.readUTF())) {
                return null;
            }
            Key key = new Key(d.readUTF(), d.readLong(), d.readLong());
            if (!key.equals(now)) {
                return null;
            }
            long[] stats = new long[5];
            for (int k = 0; k < stats.length; k++) {
                stats[k] = d.readLong();
            }
            int n = d.readInt();
            if (n < 0 || (long) n * RECORD != d.available()) {
                return null;
            }
            ShardHeaders h = new ShardHeaders(key, stats, n);
            for (int i = 0; i < n; i++) {
                h.flags[i] = d.readByte();
                h.uidHi[i] = d.readLong();
                h.uidLo[i] = d.readLong();
                h.imageOffset[i] = d.readLong();
                h.imageLength[i] = d.readInt();
                h.textOffset[i] = d.readLong();
                h.textLength[i] = d.readInt();
            }
            return h;
        } catch (java.io.EOFException | java.io.UTFDataFormatException e) { // cut short or garbled: rebuild
            return null;
        }
    }

    /** Writes these headers to {@code file} atomically (a temp file renamed over it). */
    void save(Path file) {
        AtomicFiles.write(file, out -> {
            CRC32C crc = new CRC32C();
            DataOutputStream d = new DataOutputStream(new java.util.zip.CheckedOutputStream(out, crc));
            d.writeUTF(MAGIC);
            d.writeUTF(key.path());
            d.writeLong(key.size());
            d.writeLong(key.mtimeNanos());
            for (long s : stats) {
                d.writeLong(s);
            }
            d.writeInt(n);
            for (int i = 0; i < n; i++) {
                d.writeByte(flags[i]);
                d.writeLong(uidHi[i]);
                d.writeLong(uidLo[i]);
                d.writeLong(imageOffset[i]);
                d.writeInt(imageLength[i]);
                d.writeLong(textOffset[i]);
                d.writeInt(textLength[i]);
            }
            d.flush();
            new DataOutputStream(out).writeLong(crc.getValue());
        });
    }

    /** Growable columns while scanning. */
    private static final class Growing {
        int n;
        byte[] flags = new byte[64];
        long[] uidHi = new long[64];
        long[] uidLo = new long[64];
        long[] imageOffset = new long[64];
        int[] imageLength = new int[64];
        long[] textOffset = new long[64];
        int[] textLength = new int[64];

        int add() {
            if (n == flags.length) {
                int cap = Math.multiplyExact(2, n);
                flags = Arrays.copyOf(flags, cap);
                uidHi = Arrays.copyOf(uidHi, cap);
                uidLo = Arrays.copyOf(uidLo, cap);
                imageOffset = Arrays.copyOf(imageOffset, cap);
                imageLength = Arrays.copyOf(imageLength, cap);
                textOffset = Arrays.copyOf(textOffset, cap);
                textLength = Arrays.copyOf(textLength, cap);
            }
            return n++;
        }

        ShardHeaders done(Key key, long[] stats) {
            ShardHeaders h = new ShardHeaders(key, stats, n);
            System.arraycopy(flags, 0, h.flags, 0, n);
            System.arraycopy(uidHi, 0, h.uidHi, 0, n);
            System.arraycopy(uidLo, 0, h.uidLo, 0, n);
            System.arraycopy(imageOffset, 0, h.imageOffset, 0, n);
            System.arraycopy(imageLength, 0, h.imageLength, 0, n);
            System.arraycopy(textOffset, 0, h.textOffset, 0, n);
            System.arraycopy(textLength, 0, h.textLength, 0, n);
            return h;
        }
    }
}
