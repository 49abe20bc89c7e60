package org.qqt.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One writer per output directory: an OS file lock on {@code <dir>/.qqt.lock}, held until {@link #close} or the
 * process's end (the OS drops the lock of a dead process, so a kill never leaves a stale lock). A second writer
 * (another process, or another command in this JVM) gets a one-line {@link BadInputException}.
 *
 * <p>Holding the lock, nobody else writes the directory, so {@link #acquire} then removes what killed writers
 * left: atomic-write temp files ({@code .NAME.*.tmp}, see {@link AtomicFiles}) and staging directories
 * ({@code .qqt-*}) in the directory and the subdirectories named by the caller.
 */
public final class DirLock implements AutoCloseable {
    /** The lock file's name inside the locked directory. */
    public static final String FILE = ".qqt.lock";
    /** Leftovers of a killed writer: AtomicFiles temp files and qqt staging directories (never the lock). */
    private static final Pattern LEFTOVER = Pattern.compile("\\..+\\.tmp|\\.qqt-.+");

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;
    private final boolean created;

    private DirLock(Path dir, FileChannel channel, FileLock lock, boolean created) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
        this.created = created;
    }

    /**
     * Locks {@code dir} (created if absent) for {@code command} ("qqt train"), then removes stale temp files and
     * staging directories in it and in {@code cleanSubdirs} (relative to {@code dir}).
     */
    public static DirLock acquire(Path dir, String command, String... cleanSubdirs) {
        boolean created = !Files.isDirectory(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw DiskErrors.bad(dir, e);
        }
        Path file = dir.resolve(FILE);
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw DiskErrors.bad(file, e);
        }
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            closeQuietly(ch);
            throw DiskErrors.bad(file, e);
        }
        if (lock == null) {
            closeQuietly(ch);
            throw BadInputException.inFile(dir, "in use by another qqt process (" + command + " holds " + FILE
                    + "); wait for it to finish, or write to another directory");
        }
        DirLock held = new DirLock(dir, ch, lock, created);
        removeLeftovers(dir);
        for (String sub : cleanSubdirs) {
            removeLeftovers(dir.resolve(sub));
        }
        return held;
    }

    /** Deletes temp files and staging directories a killed writer left in {@code dir} (not recursive). */
    static void removeLeftovers(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> LEFTOVER.matcher(p.getFileName().toString()).matches()).toList()) {
                AtomicFiles.deleteTreeQuietly(p);
            }
        } catch (IOException e) {
            // best effort: leftovers are hidden and lose nothing
        }
    }

    /** Releases the lock; a directory that acquiring created and nothing was written to is removed again. */
    @Override
    public void close() {
        boolean unused = created && onlyTheLock();
        if (unused) {
            try {
                Files.deleteIfExists(dir.resolve(FILE));
            } catch (IOException ignored) {
                // an empty directory with a lock file loses nothing
            }
        }
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it too
        }
        closeQuietly(channel);
        if (unused) {
            try {
                Files.deleteIfExists(dir);
            } catch (IOException ignored) {
                // not empty after all: keep it
            }
        }
    }

    private boolean onlyTheLock() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.allMatch(p -> p.getFileName().toString().equals(FILE));
        } catch (IOException e) {
            return false;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
