package org.qqt.io;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks of option values shared by the commands, each failing with a one-line {@link BadInputException} that
 * names the option, the value and what is allowed.
 */
public final class Checks {
    private Checks() {}

    /** {@code value} ≥ 1. */
    public static long positive(String option, long value) {
        if (value < 1) {
            throw new BadInputException(option + " must be at least 1 (got " + value + ")");
        }
        return value;
    }

    public static int positive(String option, int value) {
        return (int) positive(option, (long) value);
    }

    /** {@code value} ≥ 0. */
    public static long notNegative(String option, long value) {
        if (value < 0) {
            throw new BadInputException(option + " must be 0 or more (got " + value + ")");
        }
        return value;
    }

    /** A finite number (not NaN or infinite). */
    public static double finite(String option, double value) {
        if (!Double.isFinite(value)) {
            throw new BadInputException(option + " must be a finite number (got " + value + ")");
        }
        return value;
    }

    /** A finite number ≥ 0. */
    public static double finiteNotNegative(String option, double value) {
        if (!Double.isFinite(value) || value < 0) {
            throw new BadInputException(option + " must be a finite number ≥ 0 (got " + value + ")");
        }
        return value;
    }

    /** A finite number in [lo, hi]. */
    public static double inRange(String option, double value, double lo, double hi) {
        if (!Double.isFinite(value) || value < lo || value > hi) {
            throw new BadInputException(option + " must be between " + fmt(lo) + " and " + fmt(hi) + " (got "
                    + fmt(value) + ")");
        }
        return value;
    }

    /** An existing regular file (not a directory). */
    public static Path file(String option, Path path) {
        if (Files.isDirectory(path)) {
            throw BadInputException.inFile(path, option + " is a directory; give a file");
        }
        if (!Files.isRegularFile(path)) {
            throw BadInputException.inFile(path, option + ": no such file");
        }
        return path;
    }

    /** An output file path that is not an existing directory. */
    public static Path outputFile(String option, Path path) {
        if (Files.isDirectory(path)) {
            throw BadInputException.inFile(path, option + " is a directory; give a file name to write");
        }
        return path;
    }

    /** An output directory path that is not an existing regular file. */
    public static Path outputDir(String option, Path path) {
        if (Files.exists(path) && !Files.isDirectory(path)) {
            throw BadInputException.inFile(path, option + " is an existing file; give a directory");
        }
        return path;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
