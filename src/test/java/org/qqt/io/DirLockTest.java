package org.qqt.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirLockTest {
    @Test
    void aSecondWriterIsRefusedUntilTheFirstIsDone(@TempDir Path dir) {
        Path out = dir.resolve("run");
        try (DirLock first = DirLock.acquire(out, "qqt train")) {
            BadInputException e = assertThrows(BadInputException.class, () -> DirLock.acquire(out, "qqt train"));
            assertTrue(e.getMessage().startsWith(out + ": in use by another qqt process"), e.getMessage());
        }
        try (DirLock again = DirLock.acquire(out, "qqt train")) {
            assertTrue(Files.isDirectory(out));
        }
    }

    @Test
    void killedWritersLeftoversGoAndAnUnusedNewDirectoryIsRemoved(@TempDir Path dir) throws IOException {
        Path out = Files.createDirectories(dir.resolve("run/checkpoints"));
        Files.writeString(out.resolve(".latest.safetensors.123.tmp"), "half");
        Files.createDirectories(dir.resolve("run/.qqt-filter-77/x"));
        Files.writeString(dir.resolve("run/keep.npy"), "kept");
        try (DirLock lock = DirLock.acquire(dir.resolve("run"), "qqt train", "checkpoints")) {
            assertFalse(Files.exists(out.resolve(".latest.safetensors.123.tmp")));
            assertFalse(Files.exists(dir.resolve("run/.qqt-filter-77")));
            assertTrue(Files.exists(dir.resolve("run/keep.npy")));
        }
        assertTrue(Files.exists(dir.resolve("run")), "an existing directory stays");
        try (DirLock lock = DirLock.acquire(dir.resolve("fresh"), "qqt filter")) {
            assertTrue(Files.isDirectory(dir.resolve("fresh")));
        }
        assertFalse(Files.exists(dir.resolve("fresh")), "a new directory nothing was written to is removed");
    }

    @Test
    void diskFailuresNameTheRealPathAndTheFix() {
        assertTrue(DiskErrors.userFix(new IOException("No space left on device")).startsWith("no space left"));
        assertTrue(DiskErrors.userFix(new RuntimeException("x", new IOException("Read-only file system")))
                .startsWith("read-only file system"));
        String denied = DiskErrors.userFix(new AccessDeniedException("/data/out/.params.json.123.tmp"));
        assertEquals("/data/out/params.json: permission denied; make the directory writable (chmod u+w) or choose "
                + "another output", denied);
        assertEquals(null, DiskErrors.userFix(new IllegalStateException("a bug")));
    }
}
