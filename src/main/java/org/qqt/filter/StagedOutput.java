package org.qqt.filter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The filter's staged output: bucket files are written into a staging directory, then moved into place. */
public final class StagedOutput {
    private StagedOutput() {}


    /** Writes bucket files into a directory given the stage (inside {@code outDir}); returns their results. */
    public interface StagedWrite {
        BucketResult[] write(Path stage) throws IOException;
    }

    /**
     * Runs {@code write} into a fresh staging directory inside {@code outDir}, then moves each bucket file into
     * place: a killed filter leaves the old files or the new ones, never a half-written one. Every filter path
     * publishes through here.
     */
    public static BucketResult[] publish(Path outDir, StagedWrite write) {
        Path stage = null;
        try {
            Files.createDirectories(outDir);
            stage = Files.createTempDirectory(outDir, ".qqt-filter-");
            BucketResult[] results = write.write(stage);
            for (BucketResult br : results) {
                move(stage.resolve(br.file()), outDir.resolve(br.file()));
            }
            return results;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write buckets into " + outDir + ": " + e.getMessage(), e);
        } finally {
            org.qqt.io.AtomicFiles.deleteTreeQuietly(stage);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
