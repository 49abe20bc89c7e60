package org.qqt.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qqt.io.BadInputException;

class SubsetFileCountTest {
    private static final List<Uid> UIDS = List.of(Uid.parse("0000000000000001" + "ffffffffffffffff"),
            Uid.parse("7fffffffffffffff" + "0000000000000000"), Uid.parse("8000000000000000" + "0000000000000001"));

    @Test
    void countReadsTheRowsOfNpyAndRawFilesWithoutReadingThem(@TempDir Path dir) {
        SubsetFile s = SubsetFile.of(UIDS);
        Path npy = dir.resolve("s.npy");
        s.write(npy);
        Path raw = dir.resolve("s.raw");
        s.writeRaw(raw);
        assertEquals(3, SubsetFile.count(npy));
        assertEquals(3, SubsetFile.count(raw));
        Path empty = dir.resolve("empty.npy");
        SubsetFile.of(List.of()).write(empty);
        assertEquals(0, SubsetFile.count(empty));
    }

    @Test
    void countRejectsWhatReadRejects(@TempDir Path dir) throws IOException {
        Path junk = dir.resolve("junk.npy");
        Files.writeString(junk, "not numpy");
        BadInputException e = assertThrows(BadInputException.class, () -> SubsetFile.count(junk));
        assertTrue(e.getMessage().contains("junk.npy") && e.getMessage().contains("not a .npy file"), e.getMessage());
        Path truncated = dir.resolve("t.npy");
        SubsetFile.of(UIDS).write(truncated);
        byte[] b = Files.readAllBytes(truncated);
        Files.write(truncated, java.util.Arrays.copyOf(b, b.length - 16));
        assertThrows(BadInputException.class, () -> SubsetFile.count(truncated));
        assertThrows(BadInputException.class, () -> SubsetFile.read(truncated));
        BadInputException missing = assertThrows(BadInputException.class,
                () -> SubsetFile.count(dir.resolve("nope.npy")));
        assertTrue(missing.getMessage().contains("no such subset file"), missing.getMessage());
    }
}
