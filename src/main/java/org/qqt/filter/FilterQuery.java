package org.qqt.filter;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.qqt.data.PoolMetadata;
import org.qqt.io.BadInputException;

/**
 * The SQL pieces every filter path shares: the quoted score and uid columns, the caption condition, and the
 * condition a row must meet to be ranked ({@code where}), with their bound parameters in order.
 */
public record FilterQuery(String score, String uid, String where, String captionWhere, List<Object> params) {
    private static final String WORD_COUNT = "len(regexp_extract_all(%s, '\\S+'))";

    /** The query of {@code spec} over {@code pool}: a score column that is no number, or captions that are no text, are bad input. */
    public static FilterQuery of(PoolMetadata pool, FilterSpec spec) {
        String score = pool.floatColumn(spec.scoreColumn());
        String uid = pool.requireUidColumn();
        List<Object> params = new ArrayList<>();
        String captionWhere = "";
        if (spec.caption().active()) {
            String text = pool.column("text");
            if (!"VARCHAR".equalsIgnoreCase(pool.schema().get("text"))) {
                throw BadInputException.inFile(pool.origin(), "column 'text' is " + pool.schema().get("text")
                        + "; the caption filter needs captions as text");
            }
            captionWhere = String.format(WORD_COUNT, text) + " >= ? AND length(" + text + ") >= ?";
            params.add(spec.caption().minWords());
            params.add(spec.caption().minChars());
        }
        // The bucket queries need "NOT isnan": DuckDB orders NaN above every number, so "score >= ?" alone would
        // select NaN rows. The score fetch drops nulls and NaNs in Java instead (cheaper than in SQL).
        String where = score + " IS NOT NULL AND NOT isnan(" + score + ")"
                + (captionWhere.isEmpty() ? "" : " AND " + captionWhere);
        return new FilterQuery(score, uid, where, captionWhere, params);
    }

    /** Binds {@code params} to {@code ps} in order; returns {@code ps}. */

    public static PreparedStatement bind(PreparedStatement ps, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            Object v = params.get(i);
            if (v instanceof Double d) {
                ps.setDouble(i + 1, d);
            } else if (v instanceof Integer x) {
                ps.setInt(i + 1, x);
            } else if (v instanceof Long x) {
                ps.setLong(i + 1, x);
            } else {
                ps.setObject(i + 1, v);
            }
        }
        return ps;
    }
}
