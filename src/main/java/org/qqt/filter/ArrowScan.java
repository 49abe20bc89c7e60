package org.qqt.filter;

import java.io.IOException;
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
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.duckdb.DuckDBResultSet;
import org.qqt.data.PoolMetadata;
import org.qqt.io.BadInputException;

/**
 * A parallel scan of the pool's parquet files through DuckDB's Arrow export (the Arrow C data interface): every
 * batch arrives as Arrow buffers (a column of strings is one byte buffer plus offsets), so a row costs no JDBC call
 * and no Java object.
 *
 * <p>A streaming DuckDB result is produced by the thread that consumes it (measured: process CPU time = wall time
 * for one query), so one query uses one core. The pool is therefore cut into parts of whole row groups
 * ({@link PoolMetadata#parts}), and {@code threads} workers each run the query restricted to one part at a time
 * (a {@code file_row_number} range, which DuckDB prunes to those row groups) on their own streaming connection.
 * Memory stays at a few batches per worker whatever the number of rows; rows arrive in no particular order.
 */
final class ArrowScan {
    /** Rows per Arrow batch. */
    static final int BATCH_ROWS = 1 << 16;
    /** Parts per worker, so that a slow part does not leave the other workers idle. */
    private static final int PARTS_PER_THREAD = 4;

    private ArrowScan() {}

    /** Consumes the batches of one worker (one instance per worker, so it may keep scratch arrays). */
    interface Consumer {
        void accept(VectorSchemaRoot batch);

        /** Called once after the worker's last batch (not after a failure). */
        default void finish() {}
    }

    /**
     * Runs {@code SELECT columns FROM <each part> WHERE where} and hands every batch to the worker's consumer;
     * returns the number of rows read. {@code params} bind the placeholders of {@code where}. Failures of a worker
     * (bad input included) are rethrown here.
     */
    static long scan(PoolMetadata pool, String columns, String where, List<Object> params, int threads,
                     Supplier<Consumer> consumers) {
        requireBufferAccess();
        String sql = "SELECT " + columns + " FROM read_parquet(?, file_row_number = true) "
                + "WHERE file_row_number >= ? AND file_row_number < ? AND (" + where + ")";
        int workers = Math.max(1, threads);
        ConcurrentLinkedQueue<PoolMetadata.Part> queue = new ConcurrentLinkedQueue<>(pool.parts(workers * PARTS_PER_THREAD));
        AtomicLong rows = new AtomicLong();
        ExecutorService executor = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "qqt-arrow-scan");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                jobs.add(executor.submit(() -> {
                    Consumer consumer = consumers.get();
                    try (Connection conn = PoolMetadata.openStreaming();
                         Statement settings = conn.createStatement();
                         BufferAllocator allocator = new RootAllocator()) {
                        settings.execute("SET preserve_insertion_order = false");
                        settings.execute("SET threads = 1"); // this worker's thread runs the query; no idle helpers
                        for (PoolMetadata.Part part; (part = queue.poll()) != null; ) {
                            List<Object> p = new ArrayList<>(List.of(part.file(), part.fromRow(), part.toRow()));
                            p.addAll(params);
                            rows.addAndGet(scanPart(pool, conn, allocator, sql, p, consumer));
                        }
                    }
                    consumer.finish();
                    return null;
                }));
            }
            for (Future<?> job : jobs) {
                job.get();
            }
            return rows.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while scanning " + pool.origin(), e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof SQLException se) {
                throw BadInputException.inFile(pool.origin(), "cannot scan: " + PoolMetadata.firstLine(se));
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            executor.shutdownNow();
        }
    }

    /** Arrow reads the addresses of NIO buffers, which Java 17 allows only when java.nio is opened to it. */
    private static void requireBufferAccess() {
        try {
            if (MemoryUtil.LITTLE_ENDIAN != (java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN)) {
                throw new IllegalStateException("Arrow and Java disagree on the byte order");
            }
        } catch (LinkageError e) {
            throw new IllegalStateException("Arrow cannot read buffer addresses: start Java with "
                    + "--add-opens=java.base/java.nio=ALL-UNNAMED (bin/qqt does)", e);
        }
    }

    private static long scanPart(PoolMetadata pool, Connection conn, BufferAllocator allocator, String sql,
                                 List<Object> params, Consumer consumer) throws SQLException {
        try (PreparedStatement ps = FilterQuery.bind(conn.prepareStatement(sql), params);
             DuckDBResultSet rs = ps.executeQuery().unwrap(DuckDBResultSet.class);
             ArrowReader reader = (ArrowReader) rs.arrowExportStream(allocator, BATCH_ROWS)) {
            long rows = 0;
            while (reader.loadNextBatch()) {
                VectorSchemaRoot root = reader.getVectorSchemaRoot();
                if (root.getRowCount() > BATCH_ROWS) {
                    throw new IllegalStateException("DuckDB sent a batch of " + root.getRowCount() + " rows");
                }
                consumer.accept(root);
                rows += root.getRowCount();
            }
            return rows;
        } catch (IOException e) {
            throw BadInputException.inFile(pool.origin(), "cannot scan: " + PoolMetadata.firstLine(e));
        }
    }
}
