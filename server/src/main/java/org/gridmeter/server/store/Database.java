package org.gridmeter.server.store;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * What differs between the databases the store runs on: how connections are made, the schema and
 * its migrations, the little SQL that is not common to both, and how the readings table is laid
 * out (PostgreSQL partitions it by time). Everything else — the reading log, the writer's and the
 * readers' SQL — is one code for both ({@link SqlStore}, {@link ReadingQueries}).
 *
 * <p>Implementations: {@link SqliteDatabase} (one file in the data directory) and
 * {@link PostgresDatabase} ({@code --store postgresql://...}).
 */
public interface Database extends AutoCloseable {

    /** Where the data is, for people: a file, or a PostgreSQL server and database (never a password). */
    String describe();

    /**
     * The single write connection, the schema brought up to date, auto-commit off, committing
     * durably ({@code synchronous_commit=on} on PostgreSQL). Opened once, by the writer; the caller
     * closes it.
     */
    Connection openWriter() throws SQLException;

    /**
     * A read-only connection from a small pool; the caller closes it (returns it to the pool). A
     * transaction on it sees one snapshot of what was committed.
     */
    Connection reader() throws SQLException;

    /** SQL for the smaller of two values: {@code min(a, b)} in SQLite, {@code least(a, b)} in PostgreSQL. */
    String least(String a, String b);

    /**
     * Makes sure the readings table can take a reading at {@code timestampMillis} (a partition covers
     * it), in the open transaction of {@code writer}. Called for every reading inserted: cheap when
     * covered.
     */
    default void coverReading(Connection writer, long timestampMillis) throws SQLException {
    }

    /** How merges put readings into the readings table on {@code writer}. */
    default ReadingRows readingRows(Connection writer) throws SQLException {
        return ReadingRows.batched(writer);
    }

    /**
     * Drops, in the open transaction, the parts of the readings table that hold only readings older
     * than {@code millis} (PostgreSQL's monthly partitions); returns how many parts it dropped. Row
     * deletions do the rest.
     */
    default int dropReadingsBefore(Connection writer, long millis) throws SQLException {
        return 0;
    }

    /** The writer's open transaction was rolled back: forget what was learnt in it. */
    default void rolledBack(Connection writer) throws SQLException {
    }

    @Override
    void close();
}
