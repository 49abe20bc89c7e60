package org.qqt.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a shard from its headers gives the samples and counts of a full read through commons-compress. */
class TarScanTest {
    @TempDir
    Path dir;

    private static List<String> describe(ShardReader r) {
        List<String> out = new ArrayList<>();
        try (r) {
            r.forEachRemaining(s -> out.add(s.key() + " " + new java.util.TreeMap<>(s.offsets()) + " "
                    + new java.util.TreeMap<>(s.sizes()) + " " + s.text("json") + " " + s.text("txt")));
            out.add(r.stats().toString());
        }
        return out;
    }

    @Test
    void headersGiveTheSamplesAndCountsOfAFullReadAtEveryTruncation() throws Exception {
        TestPools.write(dir.resolve("pool"), 6, 100);
        Path tar = dir.resolve("pool/00000000.tar");
        byte[] whole = Files.readAllBytes(tar);
        Path cut = dir.resolve("cut.tar");
        int checked = 0;
        for (int len = whole.length; len >= 0; len -= len > 4000 ? 173 : 61) {
            Files.write(cut, java.util.Arrays.copyOf(whole, len));
            List<String> full = describe(ShardReader.open(List.of(cut)));
            List<String> headers = describe(ShardReader.headers(List.of(cut), Set.of("json", "txt")));
            // a full read has every member's data; the header read only json and txt: compare what both have
            assertEquals(full, headers, "truncated to " + len + " bytes");
            checked++;
        }
        assertEquals(true, checked > 20);
        // a corrupt header (checksum) ends the shard like commons-compress's read error
        byte[] bad = whole.clone();
        bad[512 * 3 + 10] ^= 0x55;
        Files.write(cut, bad);
        assertEquals(describe(ShardReader.open(List.of(cut))),
                describe(ShardReader.headers(List.of(cut), Set.of("json", "txt"))));
    }

    @Test
    void paxHeadersAreLeftToCommonsCompressAndTheLoaderStillIndexesTheShard() {
        Path pool = dir.resolve("pax");
        try (ShardWriter w = new ShardWriter(pool, 1000, ShardWriter.Naming.IMG2DATASET)) {
            for (int i = 0; i < 4; i++) {
                w.write(TestPools.sample(i, 8));
            }
        }
        // a member name longer than 100 bytes gets a pax header
        Path tar = pool.resolve("00000000.tar");
        Path longPool = dir.resolve("long");
        try (var out = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(
                Files.newOutputStream(Files.createDirectories(longPool).resolve("00000000.tar")))) {
            out.setLongFileMode(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.LONGFILE_POSIX);
            for (WdsSample s : ShardReader.readAll(tar)) {
                for (Map.Entry<String, byte[]> m : s.members().entrySet()) {
                    var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(
                            "d".repeat(120) + "/" + s.key() + "." + m.getKey());
                    e.setSize(m.getValue().length);
                    out.putArchiveEntry(e);
                    out.write(m.getValue());
                    out.closeArchiveEntry();
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThrows(ShardReader.UnsupportedHeaders.class, () -> describe(
                ShardReader.headers(List.of(longPool.resolve("00000000.tar")), Set.of("json", "txt"))));
        FakeTokenizer tok = new FakeTokenizer();
        LoaderOptions o = LoaderOptions.of(8, 16, 4, 1);
        try (ShardLoader a = ShardLoader.open(pool, null, tok, o); ShardLoader b = ShardLoader.open(longPool, null, tok, o)) {
            assertEquals(4, b.samplesKept());
            Batch x = a.next();
            Batch y = b.next();
            assertArrayEquals(x.pixels(), y.pixels());
            assertArrayEquals(x.tokens(), y.tokens());
        }
    }
}
