package org.qqt.filter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.duckdb.DuckDBResultSet;
import org.qqt.data.PoolMetadata;
import org.qqt.io.BadInputException;

/**
 * Streams {@code (uid, score)} rows out of DuckDB through its Arrow export (the Arrow C data interface): each batch
 * arrives as one buffer of uid bytes plus offsets and one buffer of scores, so a row costs no JDBC call and no Java
 * String. The 32 hex digits of a uid are decoded eight at a time inside a long (SWAR, a few ns a row) straight from
 * Arrow's off-heap buffer.
 *
 * <p>A streaming DuckDB result is produced by the thread that consumes it (measured: CPU time = wall time), so one
 * query uses one core. The pool is therefore cut into parts of whole row groups ({@link PoolMetadata#parts}), and
 * {@code threads} workers each run the query restricted to one part at a time ({@code file_row_number} range,
 * which DuckDB prunes to those row groups) on their own streaming connection. Memory stays at a few batches per
 * worker whatever the number of rows.
 */
final class ArrowUids {
    /** Rows per Arrow batch. */
    static final int BATCH_ROWS = 1 << 16;
    /** Parts per worker, so that a slow part does not leave the other workers idle. */
    private static final int PARTS_PER_THREAD = 4;
    private static final long ONES = 0x0101010101010101L;

    private ArrowUids() {}

    /**
     * Receives the rows of one batch: {@code n} uids as (hi, lo) and their scores; rows with a null or NaN score
     * are not passed on. Called from several worker threads at once; the arrays belong to the caller and are reused
     * after the call returns.
     */
    interface Sink {
        void accept(long[] hi, long[] lo, double[] score, int n);
    }

    /**
     * Runs {@code SELECT uidColumn, scoreColumn FROM <pool> WHERE where} (a VARCHAR uid, a FLOAT or DOUBLE score)
     * and feeds every row to {@code sink}, in no particular order, with {@code threads} workers; returns the number
     * of rows read. A uid that is null or not 32 hex digits is bad input naming the pool.
     */
    static long scan(PoolMetadata pool, String uidColumn, String scoreColumn, String where, List<Object> params,
                     int threads, Sink sink) {
        String sql = "SELECT " + uidColumn + ", " + scoreColumn + " FROM read_parquet(?, file_row_number = true) "
                + "WHERE file_row_number >= ? AND file_row_number < ? AND (" + where + ")";
        List<PoolMetadata.Part> parts = pool.parts(Math.max(1, threads) * PARTS_PER_THREAD);
        ConcurrentLinkedQueue<PoolMetadata.Part> queue = new ConcurrentLinkedQueue<>(parts);
        AtomicLong rows = new AtomicLong();
        ExecutorService workers = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "qqt-uid-scan");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int w = 0; w < Math.max(1, threads); w++) {
                jobs.add(workers.submit(() -> {
                    try (Connection conn = pool.openStreaming();
                         Statement settings = conn.createStatement();
                         BufferAllocator allocator = new RootAllocator()) {
                        settings.execute("SET preserve_insertion_order = false");
                        Batch batch = new Batch();
                        for (PoolMetadata.Part part; (part = queue.poll()) != null; ) {
                            List<Object> p = new ArrayList<>(List.of(part.file(), part.fromRow(), part.toRow()));
                            p.addAll(params);
                            rows.addAndGet(scanPart(pool, conn, allocator, sql, p, batch, sink));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> job : jobs) {
                job.get();
            }
            return rows.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading uids", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof SQLException se) {
                throw BadInputException.inFile(pool.origin(), "cannot read uids: " + PoolMetadata.firstLine(se));
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            workers.shutdownNow();
        }
    }

    /** One worker's reusable decode arrays. */
    private static final class Batch {
        final long[] hi = new long[BATCH_ROWS];
        final long[] lo = new long[BATCH_ROWS];
        final double[] score = new double[BATCH_ROWS];
    }

    private static long scanPart(PoolMetadata pool, Connection conn, BufferAllocator allocator, String sql,
                                 List<Object> params, Batch batch, Sink sink) throws SQLException {
        try (PreparedStatement ps = ScoreFilter.bind(conn.prepareStatement(sql), params);
             DuckDBResultSet rs = ps.executeQuery().unwrap(DuckDBResultSet.class);
             ArrowReader reader = (ArrowReader) rs.arrowExportStream(allocator, BATCH_ROWS)) {
            long rows = 0;
            while (reader.loadNextBatch()) {
                VectorSchemaRoot root = reader.getVectorSchemaRoot();
                int n = decode(root, pool, batch);
                sink.accept(batch.hi, batch.lo, batch.score, n);
                rows += root.getRowCount();
            }
            return rows;
        } catch (IOException e) {
            throw BadInputException.inFile(pool.origin(), "cannot read uids: " + PoolMetadata.firstLine(e));
        }
    }

    /** Decodes a batch into {@code out}; returns the number of rows kept (non-null, non-NaN score). */
    private static int decode(VectorSchemaRoot root, PoolMetadata pool, Batch out) {
        FieldVector uidVector = root.getVector(0);
        if (!(uidVector instanceof VarCharVector uids)) {
            throw BadInputException.inFile(pool.origin(), "the uid column is " + uidVector.getField().getType()
                    + ", not text; DataComp uids are 32 hex characters");
        }
        FieldVector scoreVector = root.getVector(1);
        if (!(scoreVector instanceof FloatingPointVector scores)) {
            throw new IllegalStateException("the score column arrived as " + scoreVector.getField().getType());
        }
        int len = root.getRowCount();
        if (len > BATCH_ROWS) {
            throw new IllegalStateException("DuckDB sent a batch of " + len + " rows, more than " + BATCH_ROWS);
        }
        long offsets = uids.getOffsetBuffer().memoryAddress();
        long data = uids.getDataBuffer().memoryAddress();
        long dataBytes = uids.getDataBuffer().capacity();
        boolean uidNulls = uids.getNullCount() > 0;
        boolean scoreNulls = scoreVector.getNullCount() > 0;
        int k = 0;
        for (int i = 0; i < len; i++) {
            if (uidNulls && uids.isNull(i)) {
                throw bad(pool, null);
            }
            int from = MemoryUtil.getInt(offsets + 4L * i);
            int to = MemoryUtil.getInt(offsets + 4L * i + 4);
            if (to - from != 32 || from < 0 || to > dataBytes) {
                throw bad(pool, uids.get(i));
            }
            long at = data + from;
            long h0 = hex8(word(at));
            long h1 = hex8(word(at + 8));
            long l0 = hex8(word(at + 16));
            long l1 = hex8(word(at + 24));
            if ((h0 | h1 | l0 | l1) < 0) {
                throw bad(pool, uids.get(i));
            }
            if (scoreNulls && scoreVector.isNull(i)) {
                continue;
            }
            double score = scores.getValueAsDouble(i);
            if (score == score) {
                out.hi[k] = (h0 << 32) | h1;
                out.lo[k] = (l0 << 32) | l1;
                out.score[k++] = score;
            }
        }
        return k;
    }

    /** Eight bytes at {@code address}, the first in the lowest byte. */
    private static long word(long address) {
        long w = MemoryUtil.getLong(address);
        return MemoryUtil.LITTLE_ENDIAN ? w : Long.reverseBytes(w);
    }

    private static BadInputException bad(PoolMetadata pool, byte[] uid) {
        String shown = uid == null ? "null" : "'" + new String(uid, 0, Math.min(uid.length, 64),
                StandardCharsets.UTF_8) + "'";
        return BadInputException.inFile(pool.origin(), "uid " + shown + " is not 32 hex characters; fix the uid column");
    }

    /**
     * The value of eight ASCII hex digits (first digit in the lowest byte), or -1 if any byte is not one. Per
     * byte: digit = (b &amp; 15) + 9 * bit 6 of b; the byte is valid iff the digit is below 16 and encodes back to
     * b (letters compared in lower case).
     */
    static long hex8(long w) {
        long alpha = (w >>> 6) & ONES;
        long d = (w & 0x0F0F0F0F0F0F0F0FL) + alpha * 9;
        long gt9 = ((d + 0x0606060606060606L) >>> 4) & ONES;
        long enc = d + 0x3030303030303030L + gt9 * 0x27;
        if (enc != (w | (alpha << 5)) || (d & 0xF0F0F0F0F0F0F0F0L) != 0) {
            return -1;
        }
        d = Long.reverseBytes(d);
        d = (d | (d >>> 4)) & 0x00FF00FF00FF00FFL;
        d = (d | (d >>> 8)) & 0x0000FFFF0000FFFFL;
        return (d | (d >>> 16)) & 0x00000000FFFFFFFFL;
    }
}
