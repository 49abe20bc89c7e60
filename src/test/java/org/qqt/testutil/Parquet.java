package org.qqt.testutil;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** Parquet files for tests, written by DuckDB from a query. */
public final class Parquet {
    private Parquet() {}

    /** The rows of {@code select} as the parquet file {@code file} ({@code options}: e.g. ", ROW_GROUP_SIZE 2048"). */
    public static Path write(Path file, String select, String options) {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            st.execute("COPY (" + select + ") TO '" + file + "' (FORMAT parquet" + options + ")");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    public static Path write(Path file, String select) {
        return write(file, select, "");
    }
}
