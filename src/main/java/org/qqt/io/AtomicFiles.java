package org.qqt.io;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Every file qqt writes goes through here: written to a temp file in the same directory, flushed to disk,
 * then renamed over the target. A reader (or a killed run) sees the old file or the new one, never half of one.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes whatever {@code body} writes to {@code target}, atomically. */
    public static void write(Path target, IOConsumer<OutputStream> body) {
        writeWith(target, tmp -> {
            try (var channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE);
                 OutputStream out = new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel))) {
                body.accept(out);
                out.flush();
                channel.force(true);
            }
        });
    }

    /**
     * For writers that create the file themselves (DuckDB's COPY, a tar writer): {@code writer} gets a fresh path
     * beside {@code target} that does not exist yet, writes it completely, and it is then renamed over
     * {@code target}. If the writer throws, the temp file is removed and {@code target} is untouched.
     */
    public static void writeWith(Path target, IOConsumer<Path> writer) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
            Files.delete(tmp); // a unique name; the writer creates the file
            writer.accept(tmp);
            readableByAll(tmp);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            if (DiskErrors.userFix(e) != null) {
                throw DiskErrors.bad(target, e); // no space, read-only, no permission: the user's to fix
            }
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the temp file is hidden (dot-prefixed); leaving it behind loses nothing
                }
            }
        }
    }

    /** createTempFile makes 0600 files; results are for other users and tools too (0644, as a plain write). */
    public static void readableByAll(Path file) throws IOException {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    public static void writeString(Path target, String text) {
        write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    public static void writeBytes(Path target, byte[] bytes) {
        write(target, out -> out.write(bytes));
    }

    /** A consumer that may throw IOException. */
    @FunctionalInterface
    public interface IOConsumer<T> {
        void accept(T t) throws IOException;
    }

    /** Deletes a directory tree (children first); nothing happens when it does not exist. */
    public static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** {@link #deleteTree} for temp and staging directories: a failure leaves hidden leftovers, nothing else. */
    public static void deleteTreeQuietly(Path dir) {
        try {
            deleteTree(dir);
        } catch (IOException | UncheckedIOException ignored) {
            // best effort: a temp or staging directory left behind loses nothing
        }
    }
}
