package org.qqt.filter;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.qqt.io.BadInputException;

/**
 * Reads the lines {@code <uid>,<segment>} that DuckDB's CSV writer produces for {@code SELECT uid, segment}: a uid
 * of exactly 32 hex digits (either case), a comma, a decimal segment number, {@code \n} (or {@code \r\n}). The hex
 * is decoded eight digits at a time inside a long (SWAR), about 4 ns a line; anything else (a null uid, a quoted
 * field, a wrong length, a non-hex character) is bad input naming the line.
 */
final class UidCsv {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    /** Longest line: 32 + ',' + 10 digits + "\r\n". */
    private static final int MAX_LINE = 45;

    private UidCsv() {}

    /** Receives each line's uid halves and segment. */
    interface Sink {
        void accept(long hi, long lo, int segment);
    }

    /** Parses the whole file into {@code sink}; returns the number of lines. */
    static long read(Path csv, Path origin, Sink sink) throws IOException {
        byte[] buf = new byte[(1 << 22) + 64];
        long line = 0;
        try (FileChannel ch = FileChannel.open(csv, StandardOpenOption.READ)) {
            ByteBuffer bb = ByteBuffer.wrap(buf, 0, buf.length - 64); // the last 64 bytes stay zero padding
            int limit = 0;
            boolean eof = false;
            while (true) {
                // fill
                while (!eof && bb.hasRemaining()) {
                    if (ch.read(bb) < 0) {
                        eof = true;
                    }
                }
                limit = bb.position();
                java.util.Arrays.fill(buf, limit, Math.min(buf.length, limit + 64), (byte) 0);
                int p = 0;
                while (p < limit && (eof || limit - p >= MAX_LINE)) {
                    long h0 = hex8((long) LONGS.get(buf, p));
                    long h1 = hex8((long) LONGS.get(buf, p + 8));
                    long l0 = hex8((long) LONGS.get(buf, p + 16));
                    long l1 = hex8((long) LONGS.get(buf, p + 24));
                    if ((h0 | h1 | l0 | l1) < 0 || buf[p + 32] != ',') {
                        throw bad(origin, line);
                    }
                    int q = p + 33;
                    int seg = 0;
                    int c = buf[q];
                    if (c < '0' || c > '9') {
                        throw bad(origin, line);
                    }
                    do {
                        seg = seg * 10 + (c - '0');
                        c = buf[++q];
                    } while (c >= '0' && c <= '9' && q < p + MAX_LINE);
                    if (c == '\r') {
                        c = buf[++q];
                    }
                    if (c != '\n' || q >= limit) {
                        throw bad(origin, line);
                    }
                    sink.accept((h0 << 32) | h1, (l0 << 32) | l1, seg);
                    line++;
                    p = q + 1;
                }
                if (eof) {
                    if (p != limit) {
                        throw bad(origin, line);
                    }
                    return line;
                }
                System.arraycopy(buf, p, buf, 0, limit - p);
                bb.limit(buf.length - 64).position(limit - p);
            }
        }
    }

    private static BadInputException bad(Path origin, long line) {
        return BadInputException.inFile(origin, "uid number " + (line + 1)
                + " of a bucket is not 32 hex characters (or is null); fix the uid column");
    }

    /**
     * The value of eight ASCII hex digits (first digit in the lowest byte), or -1 if any byte is not one. Per
     * byte: digit = (b &amp; 15) + 9 * bit 6 of b; the byte is valid iff the digit is below 16 and encodes back to
     * b (letters compared in lower case).
     */
    static long hex8(long w) {
        long alpha = (w >>> 6) & ONES;
        long d = (w & 0x0F0F0F0F0F0F0F0FL) + alpha * 9;
        long gt9 = ((d + 0x0606060606060606L) >>> 4) & ONES;
        long enc = d + 0x3030303030303030L + gt9 * 0x27;
        if (enc != (w | (alpha << 5)) || (d & 0xF0F0F0F0F0F0F0F0L) != 0) {
            return -1;
        }
        d = Long.reverseBytes(d);
        d = (d | (d >>> 4)) & 0x00FF00FF00FF00FFL;
        d = (d | (d >>> 8)) & 0x0000FFFF0000FFFFL;
        return (d | (d >>> 16)) & 0x00000000FFFFFFFFL;
    }
}
