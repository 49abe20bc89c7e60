package org.qqt.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.io.BadInputException;

class SubsetFileTest {
    private static final Uid A = Uid.parse("0000000000000001" + "ffffffffffffffff");
    private static final Uid B = Uid.parse("7fffffffffffffff" + "0000000000000000");
    private static final Uid C = Uid.parse("8000000000000000" + "0000000000000001"); // negative as signed
    private static final Uid D = Uid.parse("ffffffffffffffff" + "8000000000000000");

    @Test
    void headerIsByteForByteNumpys() {
        // np.save of np.zeros(3, 'u8,u8') with numpy 2.4.6: 128-byte header, 20 growth spaces + 35 pad spaces
        String dict = "{'descr': [('f0', '<u8'), ('f1', '<u8')], 'fortran_order': False, 'shape': (3,), }";
        byte[] expected = new byte[128];
        byte[] prefix = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0x76, 0};
        System.arraycopy(prefix, 0, expected, 0, 10);
        byte[] text = (dict + " ".repeat(128 - 10 - dict.length() - 1) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(text, 0, expected, 10, text.length);
        assertArrayEquals(expected, SubsetFile.header(3));
        for (long n : new long[] {0, 9, 10, 12_800_000, 128_000_000_000L, Long.MAX_VALUE}) {
            byte[] h = SubsetFile.header(n);
            assertEquals(0, h.length % 64, "header length for " + n);
            assertEquals('\n', h[h.length - 1]);
            assertEquals(n, SubsetFile.parseHeader(Path.of("x"), new String(h, 10, h.length - 10, StandardCharsets.ISO_8859_1)));
        }
    }

    @Test
    void rowsSortAsUnsignedAndDuplicatesAreKept(@TempDir Path dir) {
        SubsetFile s = SubsetFile.of(List.of(D, C, A, B, C));
        assertEquals(List.of(A, B, C, C, D), s.uids());
        assertEquals(2, s.count(C));
        assertEquals(1, s.count(D));
        assertEquals(0, s.count(Uid.parse("0".repeat(32))));
        Path f = dir.resolve("s.npy");
        s.write(f);
        SubsetFile back = SubsetFile.read(f);
        assertEquals(s, back);
        assertEquals(2, back.count(C));
    }

    @Test
    void fileBytesAreLittleEndianPairsAfterTheHeader(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("one.npy");
        SubsetFile.of(List.of(Uid.parse("0102030405060708" + "1112131415161718"))).write(f);
        byte[] bytes = Files.readAllBytes(f);
        assertEquals(128 + 16, bytes.length);
        assertArrayEquals(new byte[] {8, 7, 6, 5, 4, 3, 2, 1, 0x18, 0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11},
                java.util.Arrays.copyOfRange(bytes, 128, 144));
    }

    @Test
    void rawMemmapFormAndVersion2HeadersAreRead(@TempDir Path dir) throws IOException {
        SubsetFile s = SubsetFile.of(List.of(A, B, C, D));
        Path raw = dir.resolve("s.raw");
        s.writeRaw(raw);
        assertEquals(64, Files.size(raw));
        assertEquals(s, SubsetFile.read(raw));

        Path v1 = dir.resolve("v1.npy");
        s.write(v1);
        byte[] b1 = Files.readAllBytes(v1);
        // same dict as a version 2.0 header: 4-byte length, padded to 64 again
        String dict = new String(b1, 10, 118, StandardCharsets.ISO_8859_1).strip();
        int pad = 64 - ((12 + dict.length() + 1) % 64);
        byte[] text = (dict + " ".repeat(pad) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(12 + text.length + 64).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bb.put(SubsetFile.MAGIC).put((byte) 2).put((byte) 0).putInt(text.length).put(text).put(b1, 128, 64);
        Path v2 = dir.resolve("v2.npy");
        Files.write(v2, bb.array());
        assertEquals(s, SubsetFile.read(v2));
    }

    @Test
    void wrongDtypeTruncatedAndMissingFilesAreBadInput(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("f.npy");
        SubsetFile.of(List.of(A, B)).write(f);
        byte[] b = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(b, b.length - 3));
        assertThrows(BadInputException.class, () -> SubsetFile.read(f));
        String s = new String(b, StandardCharsets.ISO_8859_1).replace("<u8", "<i8");
        Files.write(f, s.getBytes(StandardCharsets.ISO_8859_1));
        assertThrows(BadInputException.class, () -> SubsetFile.read(f));
        Files.write(f, new byte[17]);
        assertThrows(BadInputException.class, () -> SubsetFile.read(f));
        assertThrows(BadInputException.class, () -> SubsetFile.read(dir.resolve("absent.npy")));
    }

    @Test
    void pairWriteRejectsUnsortedRowsAndTooFewRowsLeavingNoFile(@TempDir Path dir) {
        Path f = dir.resolve("x.npy");
        assertThrows(RuntimeException.class,
                () -> SubsetFile.writePairs(f, new long[] {D.hi(), D.lo(), A.hi(), A.lo()}, 2));
        assertThrows(RuntimeException.class, () -> SubsetFile.writePairs(f, new long[] {A.hi(), A.lo()}, 3));
        assertFalse(Files.exists(f));
        try (var list = Files.list(dir)) {
            assertEquals(0, list.count(), "no temp files left behind");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anEmptySubsetIsAHeaderOnlyNpyThatReadsBack(@TempDir Path dir) {
        Path f = dir.resolve("empty.npy");
        SubsetFile.of(List.of()).write(f);
        assertArrayEquals(SubsetFile.header(0), assertDoesNotThrow(() -> Files.readAllBytes(f)));
        assertEquals(0, SubsetFile.read(f).size());
    }

    @Test
    void largeFilesWrittenWithDirectIoHoldTheBytesOfABufferedWrite(@TempDir Path dir) throws IOException {
        Random r = new Random(9);
        // above the direct-I/O size: one ending in a partial block, one of exactly 8 MiB (whole blocks)
        for (int n : new int[] {(int) (SubsetFile.DIRECT_MIN / 16) + 12_345, ((8 << 20) - 128) / 16}) {
            long[] a = new long[2 * n];
            for (int i = 0; i < a.length; i++) {
                a[i] = r.nextLong();
            }
            PairSort.sort(a, n, PairSort.scratchFor(n), 2);
            Path direct = dir.resolve("direct-" + n + ".npy");
            Path buffered = dir.resolve("buffered-" + n + ".npy");
            SubsetFile.writePairs(direct, a, n);
            SubsetFile.writePairs(buffered, a, n, false);
            assertEquals(128 + 16L * n, Files.size(direct));
            assertEquals(-1, Files.mismatch(direct, buffered), n + " rows");
            SubsetFile back = SubsetFile.read(direct);
            assertEquals(n, back.size());
            assertEquals(new Uid(a[2 * n - 2], a[2 * n - 1]), back.uid(n - 1));
        }
        try (var list = Files.list(dir)) {
            assertEquals(4, list.count(), "no temp files left behind");
        }
    }

    @Test
    void largeRandomSetSortsLikeUidCompareTo() {
        Random r = new Random(7);
        List<Uid> uids = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            uids.add(new Uid(r.nextInt(4) - 2L, r.nextLong())); // many equal hi, both signs
        }
        uids.add(uids.get(5));
        SubsetFile s = SubsetFile.of(uids);
        List<Uid> expected = new ArrayList<>(uids);
        expected.sort(null);
        assertEquals(expected, s.uids());
    }

    // ---- numpy interoperability (skipped where python3 + numpy are absent) ----

    private static boolean numpyAvailable() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static String python(String script, Path dir) throws Exception {
        Process p = new ProcessBuilder("python3", "-c", script).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out.strip();
    }

    @Test
    void numpyReadsWhatJavaWritesAndJavaReadsWhatNumpyWrites(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(numpyAvailable(), "python3 with numpy not available");
        SubsetFile s = SubsetFile.of(List.of(D, C, A, B, C));
        s.write(dir.resolve("java.npy"));
        String out = python("""
                import numpy as np
                a = np.load('java.npy')
                assert a.dtype == np.dtype('u8,u8'), a.dtype
                print(len(a), ' '.join('%016x%016x' % (int(x[0]), int(x[1])) for x in a))
                b = np.array([(int(u[:16], 16), int(u[16:], 16)) for u in
                    ['ffffffffffffffff8000000000000000', '0000000000000001ffffffffffffffff',
                     '80000000000000000000000000000001', '80000000000000000000000000000001']], np.dtype('u8,u8'))
                b.sort()
                np.save('numpy.npy', b)
                b.tofile('numpy.raw')
                with open('numpy_v2.npy', 'wb') as f:
                    np.lib.format.write_array(f, b, version=(2, 0))
                assert open('java.npy', 'rb').read(128) == open('numpy.npy', 'rb').read(128).replace(b'(4,)', b'(5,)')
                """, dir);
        assertEquals("5 " + String.join(" ", List.of(A.hex(), B.hex(), C.hex(), C.hex(), D.hex())), out);
        SubsetFile expected = SubsetFile.of(List.of(A, C, C, D));
        assertEquals(expected, SubsetFile.read(dir.resolve("numpy.npy")));
        assertEquals(expected, SubsetFile.read(dir.resolve("numpy.raw")));
        assertEquals(expected, SubsetFile.read(dir.resolve("numpy_v2.npy")));
        assertArrayEquals(Files.readAllBytes(dir.resolve("numpy.npy")), bytesOf(expected, dir));
    }

    private static byte[] bytesOf(SubsetFile s, Path dir) throws IOException {
        Path f = dir.resolve("again.npy");
        s.write(f);
        return Files.readAllBytes(f);
    }

    @Test
    void largeInputsSortedThroughRadixBinsEqualAPlainSortWithRepeats() {
        Random r = new Random(9);
        int n = 300_000;
        long[] h = new long[n];
        long[] l = new long[n];
        List<Uid> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            h[i] = i % 10 == 0 ? h[i / 2] : (i % 17 == 0 ? (r.nextLong() & 0xffffL) | Long.MIN_VALUE : r.nextLong());
            l[i] = i % 10 == 0 ? l[i / 2] : r.nextLong();
            all.add(new Uid(h[i], l[i]));
        }
        long[] h0 = h.clone();
        SubsetFile s = SubsetFile.fromPairs(h, l);
        assertArrayEquals(h0, h, "the input arrays are left alone");
        all.sort(null);
        assertEquals(all, s.uids());
    }
}
