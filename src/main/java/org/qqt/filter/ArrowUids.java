package org.qqt.filter;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.qqt.data.PoolMetadata;
import org.qqt.io.BadInputException;

/**
 * The {@code (uid, score)} rows of the pool as numbers, through {@link ArrowScan}: the 32 hex digits of a uid are
 * decoded eight at a time inside a long (SWAR, a few ns a row) straight from Arrow's off-heap string buffer, the
 * score (FLOAT or DOUBLE) straight from its value buffer.
 */
final class ArrowUids {
    private static final long ONES = 0x0101010101010101L;

    private ArrowUids() {}

    /**
     * Receives the rows of one batch: {@code n} uids as (hi, lo) and their scores; rows with a null or NaN score
     * are not passed on. The arrays belong to the caller and are reused after the call returns.
     */
    interface Sink {
        void accept(long[] hi, long[] lo, double[] score, int n);

        /** Called once after the worker's last batch (not after a failure). */
        default void finish() {}
    }

    /**
     * Runs {@code SELECT uidColumn, scoreColumn FROM <pool> WHERE where} (a VARCHAR uid, a FLOAT or DOUBLE score)
     * and feeds every row, in no particular order, to the sink of the worker that read it ({@code threads} workers,
     * one sink each from {@code sinks}); returns the number of rows read. A uid that is null or not 32 hex digits
     * is bad input naming the pool.
     */
    static long scan(PoolMetadata pool, String uidColumn, String scoreColumn, String where, List<Object> params,
                     int threads, Supplier<Sink> sinks) {
        return ArrowScan.scan(pool, uidColumn + ", " + scoreColumn, where, params, threads, () -> {
            Batch batch = new Batch();
            Sink sink = sinks.get();
            return new ArrowScan.Consumer() {
                @Override
                public void accept(VectorSchemaRoot root) {
                    sink.accept(batch.hi, batch.lo, batch.score, decode(root, pool, batch));
                }

                @Override
                public void finish() {
                    sink.finish();
                }
            };
        });
    }

    /** One worker's reusable decode arrays. */
    private static final class Batch {
        final long[] hi = new long[ArrowScan.BATCH_ROWS];
        final long[] lo = new long[ArrowScan.BATCH_ROWS];
        final double[] score = new double[ArrowScan.BATCH_ROWS];
    }

    /** Decodes a batch into {@code out}; returns the number of rows kept (non-null, non-NaN score). */
    private static int decode(VectorSchemaRoot root, PoolMetadata pool, Batch out) {
        FieldVector uidVector = root.getVector(0);
        if (!(uidVector instanceof VarCharVector uids)) {
            throw BadInputException.inFile(pool.origin(), "the uid column is " + uidVector.getField().getType()
                    + ", not text; DataComp uids are 32 hex characters");
        }
        FieldVector scoreVector = root.getVector(1);
        boolean isFloat = scoreVector instanceof Float4Vector;
        if (!isFloat && !(scoreVector instanceof Float8Vector)) {
            throw new IllegalStateException("the score column arrived as " + scoreVector.getField().getType());
        }
        int len = root.getRowCount();
        long offsets = uids.getOffsetBuffer().memoryAddress();
        long data = uids.getDataBuffer().memoryAddress();
        long dataBytes = uids.getDataBuffer().capacity();
        long uidValid = uids.getNullCount() > 0 ? uids.getValidityBuffer().memoryAddress() : 0;
        long scores = scoreVector.getDataBuffer().memoryAddress();
        long scoreValid = scoreVector.getNullCount() > 0 ? scoreVector.getValidityBuffer().memoryAddress() : 0;
        int k = 0;
        int from = MemoryUtil.getInt(offsets);
        for (int i = 0; i < len; i++) {
            if (uidValid != 0 && !isSet(uidValid, i)) {
                throw bad(pool, null);
            }
            int to = MemoryUtil.getInt(offsets + 4L * i + 4);
            if (to - from != 32 || from < 0 || to > dataBytes) {
                throw bad(pool, uids.get(i));
            }
            long at = data + from;
            from = to;
            long h0 = hex8(word(at));
            long h1 = hex8(word(at + 8));
            long l0 = hex8(word(at + 16));
            long l1 = hex8(word(at + 24));
            if ((h0 | h1 | l0 | l1) < 0) {
                throw bad(pool, uids.get(i));
            }
            out.hi[k] = (h0 << 32) | h1;
            out.lo[k] = (l0 << 32) | l1;
            double score = isFloat ? Float.intBitsToFloat(MemoryUtil.getInt(scores + 4L * i))
                    : Double.longBitsToDouble(MemoryUtil.getLong(scores + 8L * i));
            out.score[k] = score;
            k += score == score && (scoreValid == 0 || isSet(scoreValid, i)) ? 1 : 0;
        }
        return k;
    }

    private static boolean isSet(long validity, int i) {
        return (MemoryUtil.getByte(validity + (i >>> 3)) & (1 << (i & 7))) != 0;
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
