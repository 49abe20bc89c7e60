package org.qqt.data;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.qqt.io.AtomicFiles;
import org.qqt.io.BadInputException;

/**
 * A DataComp subset file: a NumPy array of dtype {@code u8,u8} (uid upper 64 bits, lower 64 bits, little-endian,
 * 16 bytes a row), sorted as unsigned (hi, lo). Equal rows are kept: a uid listed k times is trained on k times
 * (DataComp's resharder writes it k times). Reads {@code .npy} versions 1.0, 2.0 and 3.0 and the raw headerless
 * memmap form (file size a multiple of 16); writes {@code .npy} 1.0 exactly as {@code numpy.save} does.
 * Instances are immutable and always sorted.
 */
public final class SubsetFile {
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** numpy's {@code GROWTH_AXIS_MAX_DIGITS}: spare spaces so the shape can grow in place. */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    private static final int ARRAY_ALIGN = 64;
    private static final Pattern DESCR = Pattern.compile(
            "'descr'\\s*:\\s*\\[\\s*\\(\\s*'f0'\\s*,\\s*'<u8'\\s*\\)\\s*,\\s*\\(\\s*'f1'\\s*,\\s*'<u8'\\s*\\)\\s*,?\\s*\\]");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(\\s*(\\d+)\\s*,?\\s*\\)");

    private final long[] hi;
    private final long[] lo;

    private SubsetFile(long[] hi, long[] lo) {
        this.hi = hi;
        this.lo = lo;
    }

    /** A subset of these uids (sorted; repeats kept). */
    public static SubsetFile of(Collection<Uid> uids) {
        long[] h = new long[uids.size()];
        long[] l = new long[uids.size()];
        int i = 0;
        for (Uid u : uids) {
            h[i] = u.hi();
            l[i++] = u.lo();
        }
        return fromPairs(h, l);
    }

    /** A subset of the pairs (hi[i], lo[i]); the arrays are copied and sorted. */
    public static SubsetFile fromPairs(long[] hi, long[] lo) {
        if (hi.length != lo.length) {
            throw new IllegalArgumentException("hi and lo differ in length: " + hi.length + " vs " + lo.length);
        }
        return fromPairs(hi, lo, hi.length);
    }

    /**
     * A subset of the first {@code n} pairs (hi[i], lo[i]); the arrays are not modified. Sorted by
     * {@link PairSort} (a radix sort on 2 cores: uids are hashes), the same order as a plain sort.
     */
    public static SubsetFile fromPairs(long[] hi, long[] lo, int n) {
        if (hi.length < n || lo.length < n) {
            throw new IllegalArgumentException("fewer than " + n + " pairs: " + hi.length + " / " + lo.length);
        }
        long[] a = PairSort.interleave(hi, lo, n);
        PairSort.sort(a, n, PairSort.scratchFor(n), Runtime.getRuntime().availableProcessors());
        return fromSortedPairs(a, n);
    }

    /** A subset of the first {@code n} interleaved pairs of {@code a}, which must be sorted (checked). */
    public static SubsetFile fromSortedPairs(long[] a, int n) {
        long[] h = new long[n];
        long[] l = new long[n];
        for (int i = 0; i < n; i++) {
            h[i] = a[2 * i];
            l[i] = a[2 * i + 1];
        }
        if (!isSorted(h, l)) {
            throw new IllegalArgumentException("the pairs are not sorted as unsigned (hi, lo)");
        }
        return new SubsetFile(h, l);
    }

    /** The rows interleaved, {@code [hi0, lo0, hi1, lo1, ...]} (a copy): a subset file's layout. */
    public long[] pairs() {
        return PairSort.interleave(hi, lo, hi.length);
    }

    public int size() {
        return hi.length;
    }

    public Uid uid(int i) {
        return new Uid(hi[i], lo[i]);
    }

    public long hi(int i) {
        return hi[i];
    }

    public long lo(int i) {
        return lo[i];
    }

    public List<Uid> uids() {
        return java.util.stream.IntStream.range(0, size()).mapToObj(this::uid).toList();
    }

    /** How many times the uid is listed (0 if absent): DataComp's repeat count, by two binary searches. */
    public int count(Uid u) {
        return bound(u, true) - bound(u, false);
    }

    public boolean contains(Uid u) {
        return count(u) > 0;
    }

    private int bound(Uid u, boolean upper) {
        int a = 0;
        int b = hi.length;
        while (a < b) {
            int m = (a + b) >>> 1;
            int c = compare(hi[m], lo[m], u.hi(), u.lo());
            if (c < 0 || (upper && c == 0)) {
                a = m + 1;
            } else {
                b = m;
            }
        }
        return a;
    }

    // ---- reading ----

    /** Reads a {@code .npy} (any version) or a raw headerless file of 16-byte rows; sorts if needed. */
    public static SubsetFile read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long[] layout = layout(file, ch);
            long dataStart = layout[0];
            long rows = layout[1];
            if (rows > Integer.MAX_VALUE - 8) {
                throw BadInputException.inFile(file, rows + " rows are more than one subset file can hold in qqt");
            }
            int n = (int) rows;
            long[] h = new long[n];
            long[] l = new long[n];
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            long pos = dataStart;
            int i = 0;
            while (i < n) {
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), (long) (n - i) * 16));
                readFully(ch, buf, pos);
                pos += buf.limit();
                buf.flip();
                while (buf.remaining() >= 16) {
                    h[i] = buf.getLong();
                    l[i++] = buf.getLong();
                }
            }
            return isSorted(h, l) ? new SubsetFile(h, l) : fromPairs(h, l, n);
        } catch (NoSuchFileException e) {
            throw BadInputException.inFile(file, "no such subset file");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The number of uids in a subset file ({@code .npy} of any version, or a raw headerless file of 16-byte rows),
     * from its header and size alone; the same checks as {@link #read}, without reading the rows.
     */
    public static long count(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return layout(file, ch)[1];
        } catch (NoSuchFileException e) {
            throw BadInputException.inFile(file, "no such subset file");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** {data start, rows} of an open subset file; anything but a u8,u8 .npy or a raw memmap is bad input. */
    private static long[] layout(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        ByteBuffer head = ByteBuffer.allocate((int) Math.min(size, 12)).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, head, 0);
        long dataStart = 0;
        long rows;
        if (size >= 6 && Arrays.equals(Arrays.copyOf(head.array(), 6), MAGIC)) {
            if (size < 10) {
                throw BadInputException.inFile(file, "truncated .npy header");
            }
            int major = head.get(6) & 0xff;
            int headerLen;
            int prefix;
            if (major == 1) {
                headerLen = head.getShort(8) & 0xffff;
                prefix = 10;
            } else if (major == 2 || major == 3) {
                if (size < 12) {
                    throw BadInputException.inFile(file, "truncated .npy header");
                }
                long len = head.getInt(8) & 0xffffffffL;
                if (len > 1 << 24) {
                    throw BadInputException.inFile(file, ".npy header of " + len + " bytes is not a subset file");
                }
                headerLen = (int) len;
                prefix = 12;
            } else {
                throw BadInputException.inFile(file, "unsupported .npy version " + major + "." + (head.get(7) & 0xff));
            }
            if (prefix + (long) headerLen > size) {
                throw BadInputException.inFile(file, "truncated .npy header");
            }
            ByteBuffer hb = ByteBuffer.allocate(headerLen);
            readFully(ch, hb, prefix);
            String dict = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            rows = parseHeader(file, dict);
            dataStart = prefix + headerLen;
            if (size - dataStart != rows * 16) {
                throw BadInputException.inFile(file, "header says " + rows + " rows but the file holds "
                        + (size - dataStart) + " data bytes (expected " + rows * 16 + ")");
            }
        } else {
            if (size % 16 != 0) {
                throw BadInputException.inFile(file, "not a .npy file (no \\x93NUMPY magic) and not a raw u8,u8 "
                        + "memmap (size " + size + " is not a multiple of 16); expected a DataComp subset");
            }
            rows = size / 16;
        }
        return new long[] {dataStart, rows};
    }

    /** The row count from a header dict; anything but a 1-d C-order {@code u8,u8} array is bad input. */
    static long parseHeader(Path file, String dict) {
        if (!DESCR.matcher(dict).find()) {
            throw BadInputException.inFile(file, "dtype is not u8,u8 (header " + dict.strip()
                    + "); write it with numpy as np.array(pairs, np.dtype('u8,u8'))");
        }
        Matcher f = FORTRAN.matcher(dict);
        if (f.find() && f.group(1).equals("True")) {
            throw BadInputException.inFile(file, "fortran_order True is not a subset file");
        }
        Matcher s = SHAPE.matcher(dict);
        if (!s.find()) {
            throw BadInputException.inFile(file, "shape is not one-dimensional (header " + dict.strip() + ")");
        }
        return Long.parseLong(s.group(1));
    }

    /** Fills {@code buf} from file position {@code pos} by positional reads; an IOException when the file ends first. */
    static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        long p = pos;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, p);
            if (r < 0) {
                throw new IOException("unexpected end of file at byte " + p);
            }
            p += r;
        }
    }

    // ---- writing ----

    /** Writes this subset as a numpy {@code .npy} 1.0 file, atomically. */
    public void write(Path file) {
        writePairs(file, pairs(), size());
    }

    /** Writes the raw headerless form (16 bytes a row, what {@code np.memmap} reads), atomically. */
    public void writeRaw(Path file) {
        AtomicFiles.write(file, out -> {
            DataOutputStream d = new DataOutputStream(out);
            for (int i = 0; i < hi.length; i++) {
                d.writeLong(Long.reverseBytes(hi[i]));
                d.writeLong(Long.reverseBytes(lo[i]));
            }
            d.flush();
        });
    }

    /**
     * Writes the first {@code n} interleaved pairs of {@code pairs} ({@code pairs[2i]} = hi, {@code pairs[2i+1]} =
     * lo), which must be sorted as unsigned (hi, lo), as a {@code .npy} 1.0 file, atomically and durably (flushed to
     * disk before the rename). The rows go out in bulk (the little-endian layout is the file's); unsorted rows are
     * refused before anything is written. Files of {@link #DIRECT_MIN} bytes and more are written with direct I/O
     * where the file system allows it: from an aligned buffer straight to the disk, without copying the rows into
     * (and filling) the page cache; measured 2.5x faster than writing through the page cache and flushing on the
     * 2-core VM (docs/tokenizer-and-filter.md).
     */
    public static void writePairs(Path file, long[] pairs, int n) {
        writePairs(file, pairs, n, true);
    }

    /** {@link #writePairs(Path, long[], int)}; {@code direct = false} always goes through the page cache (tests). */
    static void writePairs(Path file, long[] pairs, int n, boolean direct) {
        if (pairs.length < 2L * n) {
            throw new IllegalArgumentException(pairs.length + " longs hold fewer than " + n + " pairs");
        }
        for (int j = 1; j < n; j++) {
            if (compare(pairs[2 * j - 2], pairs[2 * j - 1], pairs[2 * j], pairs[2 * j + 1]) > 0) {
                throw new IllegalArgumentException("cannot write " + file + ": rows not sorted as unsigned (hi, lo) "
                        + "at row " + j);
            }
        }
        byte[] header = header(n);
        long size = header.length + 16L * n;
        AtomicFiles.writeWith(file, tmp -> {
            if (!direct || size < DIRECT_MIN || !writeDirect(tmp, header, pairs, n, size)) {
                writeBuffered(tmp, header, pairs, n, size);
            }
        });
    }

    /** Files from this size on are written with direct I/O where possible. */
    static final long DIRECT_MIN = 4L << 20;
    private static final int WRITE_BUFFER = 1 << 20;

    private static void writeBuffered(Path tmp, byte[] header, long[] pairs, int n, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            writeRows(ch, 1, header, pairs, n, size);
        }
    }

    /**
     * Writes with {@code O_DIRECT}: whole aligned blocks from an aligned buffer (the last one zero-padded, then the
     * file truncated to its size). Returns false, leaving no file, where the file system refuses direct I/O.
     */
    private static boolean writeDirect(Path tmp, byte[] header, long[] pairs, int n, long size) throws IOException {
        int align;
        FileChannel ch;
        try {
            align = (int) Math.max(4096, Files.getFileStore(tmp.toAbsolutePath().getParent()).getBlockSize());
            ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    com.sun.nio.file.ExtendedOpenOption.DIRECT);
        } catch (UnsupportedOperationException | IOException e) {
            Files.deleteIfExists(tmp);
            return false;
        }
        try (ch) {
            writeRows(ch, align, header, pairs, n, size);
        } catch (IOException e) {
            Files.deleteIfExists(tmp); // e.g. a file system that opens O_DIRECT but refuses the writes
            return false;
        }
        return true;
    }

    /**
     * The header, then the rows in bulk through a buffer aligned to {@code align} bytes, each write a whole number
     * of {@code align}-byte blocks (the last one zero-padded, the file then truncated to {@code size}); flushed to
     * disk.
     */
    private static void writeRows(FileChannel ch, int align, byte[] header, long[] pairs, int n, long size)
            throws IOException {
        int chunk = Math.max(align, WRITE_BUFFER / align * align);
        ByteBuffer buf = ByteBuffer.allocateDirect(chunk + align).alignedSlice(align).order(ByteOrder.LITTLE_ENDIAN);
        buf.limit(chunk);
        buf.put(header);
        int i = 0;
        do {
            i += putRows(buf, pairs, i, n); // fills the buffer, or ends the rows
            int end = (buf.position() + align - 1) / align * align; // only the last block is partial
            while (buf.position() < end) {
                buf.put((byte) 0);
            }
            buf.flip();
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            buf.clear();
            buf.limit(chunk);
        } while (i < n);
        ch.truncate(size);
        ch.force(true);
    }

    /** Puts as many of rows from..n-1 as fit into buf; returns how many. */
    private static int putRows(ByteBuffer buf, long[] pairs, int from, int n) {
        int k = Math.min(n - from, buf.remaining() / 16);
        buf.asLongBuffer().put(pairs, 2 * from, 2 * k);
        buf.position(buf.position() + 16 * k);
        return k;
    }

    /** numpy's header for shape (count,): magic, version 1.0, length, dict, spaces, newline; a multiple of 64. */
    static byte[] header(long count) {
        StringBuilder dict = new StringBuilder("{'descr': [('f0', '<u8'), ('f1', '<u8')], 'fortran_order': False, 'shape': (")
                .append(count).append(",), }");
        dict.append(" ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - Long.toString(count).length())));
        int hlen = dict.length() + 1;
        int pad = ARRAY_ALIGN - ((MAGIC.length + 2 + 2 + hlen) % ARRAY_ALIGN);
        dict.append(" ".repeat(pad)).append('\n');
        byte[] text = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + text.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length).put(text);
        return b.array();
    }

    // ---- unsigned order ----

    static int compare(long h1, long l1, long h2, long l2) {
        int c = Long.compareUnsigned(h1, h2);
        return c != 0 ? c : Long.compareUnsigned(l1, l2);
    }

    private static boolean isSorted(long[] h, long[] l) {
        for (int i = 1; i < h.length; i++) {
            if (compare(h[i - 1], l[i - 1], h[i], l[i]) > 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SubsetFile s && Arrays.equals(hi, s.hi) && Arrays.equals(lo, s.lo);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(hi) + Arrays.hashCode(lo);
    }

    @Override
    public String toString() {
        return "SubsetFile[" + size() + " rows]";
    }
}
