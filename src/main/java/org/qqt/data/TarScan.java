package org.qqt.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The members of one tar file read from their headers: one 512-byte header per member, data read only when
 * asked for ({@link #data()}), otherwise skipped by moving the file position (a seek, not a read, beyond the
 * buffer). Reads ustar (POSIX), old-GNU and v7 headers of regular files and directories — what webdataset
 * writers produce for short member names. Anything else (pax or GNU long-name headers, links, base-256 sizes)
 * throws {@link Unsupported}, and the caller reads that shard with commons-compress instead.
 *
 * <p>Ends and errors as commons-compress's {@code TarArchiveInputStream} (which {@link ShardReader} uses
 * otherwise) so both give the same samples: an all-zero header or a header cut by the end of the file is the end;
 * a header with a wrong checksum is an {@link IOException}; so is data (or its padding to 512 bytes) that runs
 * past the end of the file, found when moving on to the next member.
 */
final class TarScan implements AutoCloseable {
    /** A header this scanner does not read; read the file with commons-compress. */
    static final class Unsupported extends IOException {
        Unsupported(String message) {
            super(message);
        }
    }

    private static final int RECORD = 512;
    private final FileChannel ch;
    private final long fileSize;
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    private long bufStart; // file position of buf[0]
    private long next; // file position of the next header
    private String name;
    private long size;
    private long dataOffset;
    private boolean file;

    TarScan(Path path) throws IOException {
        ch = FileChannel.open(path, StandardOpenOption.READ);
        fileSize = ch.size();
        buf.limit(0);
    }

    /** Moves to the next member; false at the end of the archive. */
    boolean next() throws IOException {
        if (next > fileSize) { // the previous member's data or record padding is cut, as commons-compress finds
            throw new IOException("truncated tar: the file ends inside the member before byte " + next);
        }
        if (next + RECORD > fileSize) {
            return false; // no complete header left: the end, as a short record is for commons-compress
        }
        ByteBuffer h = window(next, RECORD);
        int p = h.position();
        byte[] a = h.array();
        boolean zero = true;
        for (int i = 0; i < RECORD; i++) {
            if (a[p + i] != 0) {
                zero = false;
                break;
            }
        }
        if (zero) {
            return false;
        }
        if (!checksumOk(a, p)) {
            throw new IOException("corrupted tar header at byte " + next + " (checksum)");
        }
        byte type = a[p + 156];
        if (type != '0' && type != 0 && type != '5') {
            throw new Unsupported("tar header type '" + (char) type + "' at byte " + next);
        }
        if ((a[p + 124] & 0x80) != 0) {
            throw new Unsupported("base-256 size at byte " + next);
        }
        size = octal(a, p + 124, 12);
        String n = string(a, p, 100);
        boolean posix = a[p + 257] == 'u' && a[p + 258] == 's' && a[p + 259] == 't' && a[p + 260] == 'a'
                && a[p + 261] == 'r' && a[p + 262] == 0;
        boolean gnu = a[p + 257] == 'u' && a[p + 262] == ' ' && a[p + 263] == ' ' && a[p + 264] == 0;
        boolean v7 = a[p + 257] == 0;
        if (!posix && !gnu && !v7) {
            throw new Unsupported("unknown tar magic at byte " + next);
        }
        if (posix) {
            String prefix = string(a, p + 345, 155);
            if (!prefix.isEmpty()) {
                n = prefix + "/" + n;
            }
        }
        name = n;
        file = type != '5' && !n.endsWith("/");
        dataOffset = next + RECORD;
        next = dataOffset + (size + RECORD - 1) / RECORD * RECORD;
        return true;
    }

    String name() {
        return name;
    }

    long size() {
        return size;
    }

    /** File position of the current member's data. */
    long dataOffset() {
        return dataOffset;
    }

    boolean isFile() {
        return file;
    }

    /** The current member's data; an IOException when the file ends before it does. */
    byte[] data() throws IOException {
        if (dataOffset + size > fileSize) {
            throw new IOException("member " + name + " is short: the file ends before its " + size + " bytes");
        }
        byte[] out = new byte[(int) size];
        if (size <= buf.capacity() / 2) {
            ByteBuffer w = window(dataOffset, (int) size);
            System.arraycopy(w.array(), w.position(), out, 0, out.length);
            return out;
        }
        SubsetFile.readFully(ch, ByteBuffer.wrap(out), dataOffset);
        return out;
    }

    /** The buffer positioned at file position {@code pos} with at least {@code len} bytes (len ≤ half the buffer). */
    private ByteBuffer window(long pos, int len) throws IOException {
        if (pos < bufStart || pos + len > bufStart + buf.limit()) {
            buf.clear();
            bufStart = pos;
            long want = Math.min(buf.capacity(), fileSize - pos);
            buf.limit((int) want);
            while (buf.hasRemaining()) {
                int k = ch.read(buf, bufStart + buf.position());
                if (k < 0) {
                    break;
                }
            }
            buf.limit(buf.position());
            if (buf.limit() < len) {
                throw new IOException("unexpected end of file at byte " + (bufStart + buf.limit()));
            }
        }
        buf.position((int) (pos - bufStart));
        return buf;
    }

    private static boolean checksumOk(byte[] a, int p) {
        long stored = octal(a, p + 148, 8);
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < RECORD; i++) {
            int b = a[p + i];
            unsigned += b & 0xff;
            signed += b;
        }
        for (int i = 148; i < 156; i++) { // the checksum field counts as eight spaces
            int b = a[p + i];
            unsigned += ' ' - (b & 0xff);
            signed += ' ' - b;
        }
        return stored == unsigned || stored == signed;
    }

    /** An octal field: leading spaces or NULs skipped, ends at a space or NUL. */
    private static long octal(byte[] a, int off, int len) {
        int i = off;
        int end = off + len;
        while (i < end && (a[i] == ' ' || a[i] == 0)) {
            i++;
        }
        long v = 0;
        for (; i < end && a[i] >= '0' && a[i] <= '7'; i++) {
            v = (v << 3) + (a[i] - '0');
        }
        return v;
    }

    private static String string(byte[] a, int off, int len) {
        int n = 0;
        while (n < len && a[off + n] != 0) {
            n++;
        }
        return new String(a, off, n, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
