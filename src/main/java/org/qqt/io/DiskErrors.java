package org.qqt.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Failures of the disk that the user can fix (no space, a read-only file system, no permission, a missing or
 * wrong kind of path), as one-line {@link BadInputException}s naming the real path and the fix.
 */
public final class DiskErrors {
    private DiskErrors() {}

    /** {@code e}, met while writing or reading {@code path}, as a one-line BadInputException. */
    public static BadInputException bad(Path path, IOException e) {
        String fix = fix(e);
        String what = fix != null ? fix : "cannot write: " + firstLine(e.getMessage());
        return new BadInputException(path + ": " + what, e);
    }

    /**
     * The user's fix for {@code t} when it (or a cause) is a disk failure the user caused, else null. Used by the
     * CLI's last-resort handler, so that such a failure is exit 2 even where no stage caught it.
     */
    public static String userFix(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String f = c instanceof IOException io ? fix(io) : fixFromMessage(c.getMessage());
            if (f != null) {
                String path = c instanceof FileSystemException fs && fs.getFile() != null ? realPath(fs.getFile()) + ": "
                        : "";
                return path + f;
            }
        }
        return null;
    }

    private static String fix(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied; make the directory writable (chmod u+w) or choose another output";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory; check the path";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory; give a directory path";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "a part of this path exists and is not a directory; choose another output";
        }
        return fixFromMessage(e.getMessage());
    }

    private static String fixFromMessage(String message) {
        String m = message == null ? "" : message.toLowerCase(Locale.ROOT);
        if (m.contains("no space left on device") || m.contains("disk quota exceeded")) {
            return "no space left on device; free some space or write to another disk";
        }
        if (m.contains("read-only file system")) {
            return "read-only file system; write to a writable directory";
        }
        if (m.contains("permission denied") || m.contains("operation not permitted")) {
            return "permission denied; make the directory writable (chmod u+w) or choose another output";
        }
        if (m.contains("is a directory")) {
            return "is a directory; give a file path";
        }
        return null;
    }

    /** A temp file's path (".NAME.123.tmp") names the file the user asked for (NAME) instead. */
    static String realPath(String file) {
        Path p = Path.of(file);
        String n = p.getFileName() == null ? file : p.getFileName().toString();
        if (n.startsWith(".") && n.endsWith(".tmp")) {
            String inner = n.substring(1, n.length() - 4);
            int dot = inner.lastIndexOf('.');
            if (dot > 0) {
                return p.resolveSibling(inner.substring(0, dot)).toString();
            }
        }
        return file;
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse(s);
    }
}
