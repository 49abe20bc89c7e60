package org.qqt.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.qqt.io.BadInputException;

/**
 * DataComp pool metadata (one parquet or a directory of them) through an embedded, in-memory DuckDB.
 * The files are visible to SQL as the view {@code pool}. Values always travel as bound parameters; column
 * names are checked against the files' schema and double-quoted ({@link #column}) before they enter SQL text.
 * Close it (try-with-resources) to free DuckDB's memory.
 */
public final class PoolMetadata implements AutoCloseable {
    /** DuckDB types that count as float score columns. */
    public static final Set<String> FLOAT_TYPES = Set.of("FLOAT", "DOUBLE", "REAL");
    private static final Pattern NEW_COLUMN_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

    private final List<Path> files;
    private final Path origin;
    private final Connection conn;
    private final Map<String, String> schema;

    private PoolMetadata(Path origin, List<Path> files, Connection conn, Map<String, String> schema) {
        this.origin = origin;
        this.files = files;
        this.conn = conn;
        this.schema = schema;
    }

    /** Opens a parquet file, or every {@code *.parquet} in a directory (sorted by name; all with one schema). */
    public static PoolMetadata open(Path fileOrDir) {
        List<Path> files = listParquets(fileOrDir);
        Connection conn = null;
        try {
            conn = connect(files);
            Map<String, String> schema = new LinkedHashMap<>();
            try (Statement s = conn.createStatement(); ResultSet r = s.executeQuery("DESCRIBE SELECT * FROM pool")) {
                while (r.next()) {
                    schema.put(r.getString(1), r.getString(2));
                }
            }
            return new PoolMetadata(fileOrDir, files, conn, schema);
        } catch (SQLException e) {
            closeQuietly(conn);
            throw BadInputException.inFile(fileOrDir, "cannot read as parquet: " + firstLine(e)
                    + "; give DataComp metadata (.parquet files with a uid column)");
        }
    }

    /** A new DuckDB connection with the temp view {@code pool} over {@code files}. */
    private static Connection connect(List<Path> files) throws SQLException {
        Connection conn = DriverManager.getConnection("jdbc:duckdb:");
        try {
            try (PreparedStatement p = conn.prepareStatement("SET VARIABLE qqt_pool_files = ?")) {
                p.setObject(1, conn.createArrayOf("VARCHAR",
                        files.stream().map(f -> f.toAbsolutePath().toString()).toArray()));
                p.execute();
            }
            try (Statement s = conn.createStatement()) {
                s.execute("CREATE TEMP VIEW pool AS SELECT * FROM read_parquet(getvariable('qqt_pool_files'))");
            }
            return conn;
        } catch (SQLException e) {
            closeQuietly(conn);
            throw e;
        }
    }

    /**
     * A new DuckDB connection whose query results stream: rows are produced while the caller consumes them instead
     * of being materialised first, so a result larger than memory (every uid of a 128M-row pool) can be read. It
     * has no {@code pool} view: its queries name the files of a {@link Part}. The caller closes it.
     */
    public static Connection openStreaming() throws SQLException {
        Properties props = new Properties();
        props.setProperty("jdbc_stream_results", "true");
        return DriverManager.getConnection("jdbc:duckdb:", props);
    }

    /** A piece of the pool for a parallel scan: rows {@code [fromRow, toRow)} of one parquet file. */
    public record Part(String file, long fromRow, long toRow) {}

    /**
     * The pool cut into about {@code count} parts of whole row groups (parts never span two files), from the
     * files' parquet metadata: a query restricted to a part's {@code file_row_number} range reads only its row
     * groups, so parts can be scanned side by side.
     */
    public List<Part> parts(int count) {
        List<String> file = new ArrayList<>();
        List<Long> groupRows = new ArrayList<>();
        try (Statement s = conn.createStatement(); ResultSet r = s.executeQuery("SELECT file_name, row_group_num_rows "
                + "FROM parquet_metadata(getvariable('qqt_pool_files')) WHERE column_id = 0 "
                + "ORDER BY file_name, row_group_id")) {
            while (r.next()) {
                file.add(r.getString(1));
                groupRows.add(r.getLong(2));
            }
        } catch (SQLException e) {
            throw sqlFailure(e);
        }
        long total = groupRows.stream().mapToLong(Long::longValue).sum();
        long target = Math.max(1, (total + count - 1) / Math.max(1, count));
        List<Part> parts = new ArrayList<>();
        long from = 0;
        long row = 0;
        for (int g = 0; g < file.size(); g++) {
            row += groupRows.get(g);
            boolean lastOfFile = g + 1 == file.size() || !file.get(g + 1).equals(file.get(g));
            if (lastOfFile || row - from >= target) {
                if (row > from) {
                    parts.add(new Part(file.get(g), from, row));
                }
                from = lastOfFile ? 0 : row;
                row = lastOfFile ? 0 : row;
            }
        }
        return parts;
    }

    static List<Path> listParquets(Path fileOrDir) {
        if (Files.isDirectory(fileOrDir)) {
            List<Path> files;
            try (Stream<Path> s = Files.list(fileOrDir)) {
                files = s.filter(p -> p.getFileName().toString().endsWith(".parquet") && Files.isRegularFile(p))
                        .sorted().toList();
            } catch (IOException e) {
                throw BadInputException.inFile(fileOrDir, "cannot list directory: " + e.getMessage());
            }
            if (files.isEmpty()) {
                throw BadInputException.inFile(fileOrDir, "no *.parquet files in this directory; point --metadata "
                        + "at a pool's metadata parquet or its directory");
            }
            return files;
        }
        if (!Files.isRegularFile(fileOrDir)) {
            throw BadInputException.inFile(fileOrDir, "no such metadata file; point --metadata at a pool's "
                    + "metadata parquet or its directory");
        }
        return List.of(fileOrDir);
    }

    public List<Path> files() {
        return files;
    }

    /** The file or directory this was opened from. */
    public Path origin() {
        return origin;
    }

    /** Column name → DuckDB type name (e.g. {@code uid VARCHAR}, {@code clip_l14_similarity_score FLOAT}). */
    public Map<String, String> schema() {
        return schema;
    }

    /** Columns of type FLOAT or DOUBLE, in file order: the candidates for a filter score. */
    public List<String> floatColumns() {
        return schema.entrySet().stream().filter(e -> FLOAT_TYPES.contains(e.getValue().toUpperCase(Locale.ROOT)))
                .map(Map.Entry::getKey).toList();
    }

    /** The quoted identifier of an existing column; a missing one is bad input naming the columns that exist. */
    public String column(String name) {
        if (!schema.containsKey(name)) {
            throw BadInputException.inFile(origin, "no column '" + name + "'; columns: " + String.join(", ", schema.keySet()));
        }
        return quote(name);
    }

    /** The quoted identifier of an existing FLOAT/DOUBLE column; anything else is bad input listing the float columns. */
    public String floatColumn(String name) {
        String floats = floatColumns().isEmpty() ? "(none)" : String.join(", ", floatColumns());
        if (!schema.containsKey(name)) {
            throw BadInputException.inFile(origin, "no score column '" + name + "'; float columns: " + floats);
        }
        if (!FLOAT_TYPES.contains(schema.get(name).toUpperCase(Locale.ROOT))) {
            throw BadInputException.inFile(origin, "column '" + name + "' is " + schema.get(name)
                    + ", not a float score; float columns: " + floats);
        }
        return quote(name);
    }

    /** A double-quoted SQL identifier (embedded quotes doubled). Only for names already checked against a schema. */
    public static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    public long rowCount() {
        try (Statement s = conn.createStatement(); ResultSet r = s.executeQuery("SELECT count(*) FROM pool")) {
            r.next();
            return r.getLong(1);
        } catch (SQLException e) {
            throw sqlFailure(e);
        }
    }

    /** uid → score of every row whose score is not null, in file order (the last one wins for a repeated uid). */
    public Map<Uid, Double> readScores(String scoreColumn) {
        String col = floatColumn(scoreColumn);
        String uid = requireUidColumn();
        Map<Uid, Double> out = new LinkedHashMap<>();
        try (Statement s = conn.createStatement();
             ResultSet r = s.executeQuery("SELECT " + uid + ", " + col + " FROM pool WHERE " + col + " IS NOT NULL")) {
            while (r.next()) {
                out.put(Uid.parse(r.getString(1)), r.getDouble(2));
            }
        } catch (SQLException e) {
            throw sqlFailure(e);
        }
        return out;
    }

    /** The quoted uid column; bad input when it is missing or not text. */
    public String requireUidColumn() {
        String type = schema.get("uid");
        if (type == null || !type.equalsIgnoreCase("VARCHAR")) {
            throw BadInputException.inFile(origin, "needs a text column 'uid' (32 hex characters), found "
                    + (type == null ? "none" : type));
        }
        return quote("uid");
    }

    /** A statement over the view {@code pool}; bind values with {@code ?}, never by concatenation. */
    public PreparedStatement prepare(String sql) throws SQLException {
        return conn.prepareStatement(sql);
    }

    @Override
    public void close() {
        closeQuietly(conn);
    }

    // ---- writing ----

    /** One row of a synthetic pool's metadata; {@code scores} may lack columns (written as null). */
    public record Row(Uid uid, String text, long originalWidth, long originalHeight, double trueQuality,
                      Map<String, Double> scores) {}

    /**
     * Writes rows as a DataComp-style metadata parquet (uid, text, original_width, original_height, true_quality,
     * then one FLOAT column per name in {@code scoreColumns}), atomically, in the given row order.
     */
    public static void write(Path parquet, List<String> scoreColumns, List<Row> rows) {
        for (String c : scoreColumns) {
            requireNewColumnName(parquet, c);
        }
        StringBuilder ddl = new StringBuilder("CREATE TABLE rows_out (uid VARCHAR, text VARCHAR, original_width BIGINT, "
                + "original_height BIGINT, true_quality FLOAT");
        for (String c : scoreColumns) {
            ddl.append(", ").append(quote(c)).append(" FLOAT");
        }
        ddl.append(")");
        try (Connection conn = DriverManager.getConnection("jdbc:duckdb:")) {
            try (Statement s = conn.createStatement()) {
                s.execute(ddl.toString());
            }
            try (DuckDBAppender a = ((DuckDBConnection) conn).createAppender(DuckDBConnection.DEFAULT_SCHEMA, "rows_out")) {
                for (Row row : rows) {
                    a.beginRow();
                    a.append(row.uid().hex());
                    a.append(row.text());
                    a.append(row.originalWidth());
                    a.append(row.originalHeight());
                    a.append((float) row.trueQuality());
                    for (String c : scoreColumns) {
                        Double v = row.scores().get(c);
                        if (v == null) {
                            a.appendNull();
                        } else {
                            a.append(v.floatValue());
                        }
                    }
                    a.endRow();
                }
            }
            copyAtomically(conn, "SELECT * FROM rows_out", List.of(), parquet);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write " + parquet + ": " + firstLine(e), e);
        }
    }

    /**
     * Adds (or replaces, keeping its position) a FLOAT column {@code column} in a parquet file: the score of each
     * row's uid from {@code scores}, null where a uid has none. Row order and all other columns are kept; the new
     * file replaces the old one atomically.
     */
    public static void withScoreColumn(Path parquet, String column, Map<Uid, Double> scores) {
        Map<String, String> schema = requireScoreColumn(parquet, column);
        if (schema.containsKey("file_row_number")) {
            throw BadInputException.inFile(parquet, "has a column named file_row_number, which DuckDB reserves for the row order; rename it");
        }
        try (Connection conn = DriverManager.getConnection("jdbc:duckdb:")) {
            try (Statement s = conn.createStatement()) {
                s.execute("CREATE TABLE new_scores (uid VARCHAR PRIMARY KEY, v FLOAT)");
            }
            try (DuckDBAppender a = ((DuckDBConnection) conn).createAppender(DuckDBConnection.DEFAULT_SCHEMA, "new_scores")) {
                for (Map.Entry<Uid, Double> e : scores.entrySet()) {
                    a.beginRow();
                    a.append(e.getKey().hex());
                    if (e.getValue() == null) {
                        a.appendNull();
                    } else {
                        a.append(e.getValue().floatValue());
                    }
                    a.endRow();
                }
            }
            String col = quote(column);
            String select = schema.containsKey(column)
                    ? "SELECT p.* EXCLUDE (file_row_number) REPLACE (s.v AS " + col + ")"
                    : "SELECT p.* EXCLUDE (file_row_number), s.v AS " + col;
            String sql = select + " FROM read_parquet(?, file_row_number = true) p"
                    + " LEFT JOIN new_scores s ON lower(p.uid) = s.uid ORDER BY p.file_row_number";
            copyAtomically(conn, sql, List.of(parquet.toAbsolutePath().toString()), parquet);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot add column " + column + " to " + parquet + ": " + firstLine(e), e);
        }
    }

    /** COPY (query) TO a temp file beside {@code target}, then rename it over the target. */
    private static void copyAtomically(Connection conn, String query, List<String> params, Path target) throws SQLException {
        try {
            org.qqt.io.AtomicFiles.writeWith(target, tmp -> {
                try (PreparedStatement p = conn.prepareStatement("COPY (" + query + ") TO ? (FORMAT parquet)")) {
                    int i = 1;
                    for (String v : params) {
                        p.setString(i++, v);
                    }
                    p.setString(i, tmp.toString());
                    p.execute();
                } catch (SQLException e) {
                    throw new java.io.IOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            if (e.getCause() != null && e.getCause().getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw e;
        }
    }

    /**
     * Checks that {@code column} may be written into {@code parquet} as a score: a new column, or an existing float
     * column that is not one of the pool's own (uid, caption, sizes, ground truth). Returns the file's schema.
     */
    public static Map<String, String> requireScoreColumn(Path parquet, String column) {
        requireNewColumnName(parquet, column);
        Map<String, String> schema;
        try (PoolMetadata pool = open(parquet)) {
            pool.requireUidColumn();
            schema = pool.schema();
        }
        String existing = schema.keySet().stream().filter(c -> c.equalsIgnoreCase(column)).findFirst().orElse(null);
        if (existing == null) {
            return schema;
        }
        if (POOL_COLUMNS.contains(existing.toLowerCase(java.util.Locale.ROOT))) {
            throw BadInputException.inFile(parquet, "column '" + existing + "' is the pool's own data, not a score; "
                    + "write the scores to a new column, e.g. --column teacher_score");
        }
        if (!FLOAT_TYPES.contains(schema.get(existing))) {
            throw BadInputException.inFile(parquet, "column '" + existing + "' is " + schema.get(existing)
                    + ", not a score column; write the scores to a new column, e.g. --column teacher_score");
        }
        return schema;
    }

    /** The pool's own columns (DataComp's and the synthetic pools'), which a score never replaces. */
    private static final Set<String> POOL_COLUMNS = Set.of("uid", "text", "url", "key", "sha256", "original_width",
            "original_height", "true_quality", "face_bboxes", "file_row_number");

    private static void requireNewColumnName(Path file, String name) {
        if (!NEW_COLUMN_NAME.matcher(name).matches()) {
            throw BadInputException.inFile(file, "column name '" + name + "' must match [A-Za-z_][A-Za-z0-9_]*");
        }
    }

    private RuntimeException sqlFailure(SQLException e) {
        return BadInputException.inFile(origin, "query failed: " + firstLine(e));
    }

    /** The first line of a (DuckDB) SQL error message, for one-line error reports. */
    public static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        return m.lines().findFirst().orElse(m);
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing an in-memory database cannot lose data
            }
        }
    }

    /** Lists the uids of a pool in file order (for tests and small pools). */
    public List<Uid> uids() {
        String uid = requireUidColumn();
        List<Uid> out = new ArrayList<>();
        try (Statement s = conn.createStatement(); ResultSet r = s.executeQuery("SELECT " + uid + " FROM pool")) {
            while (r.next()) {
                out.add(Uid.parse(r.getString(1)));
            }
        } catch (SQLException e) {
            throw sqlFailure(e);
        }
        return out;
    }
}
