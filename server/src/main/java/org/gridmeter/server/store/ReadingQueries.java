package org.gridmeter.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.gridmeter.server.usage.StoredReading;

/**
 * Read-only queries over stored readings, for the HTTP side. Each calling thread gets its own
 * read connection (SQLite in WAL mode lets readers run beside the writer), so call it from a small
 * fixed pool, never from an event loop: every method blocks on the database.
 */
public final class ReadingQueries implements AutoCloseable {

    private final SqliteStore store;
    private final List<Connection> opened = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Connection> connections = new ThreadLocal<>();

    public ReadingQueries(SqliteStore store) {
        this.store = store;
    }

    /** Up to {@code limit} readings of the meter after {@code afterMillis}, oldest first. */
    public List<StoredReading> page(long meterId, long afterMillis, int limit) throws SQLException {
        try (PreparedStatement ps = connection().prepareStatement(
                SqliteStore.READING_COLUMNS + " WHERE meter_id = ? AND ts > ? ORDER BY ts LIMIT ?")) {
            ps.setLong(1, meterId);
            ps.setLong(2, afterMillis);
            ps.setInt(3, limit);
            return SqliteStore.readings(ps);
        }
    }

    /** The meter's readings with {@code fromMillis <= ts < toMillis}, oldest first. */
    public List<StoredReading> range(long meterId, long fromMillis, long toMillis) throws SQLException {
        try (PreparedStatement ps = connection().prepareStatement(
                SqliteStore.READING_COLUMNS + " WHERE meter_id = ? AND ts >= ? AND ts < ? ORDER BY ts")) {
            ps.setLong(1, meterId);
            ps.setLong(2, fromMillis);
            ps.setLong(3, toMillis);
            return SqliteStore.readings(ps);
        }
    }

    private Connection connection() throws SQLException {
        Connection c = connections.get();
        if (c == null || c.isClosed()) {
            c = store.openReader();
            connections.set(c);
            opened.add(c);
        }
        return c;
    }

    @Override
    public void close() {
        for (Connection c : opened) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing at shutdown: nothing left to do with it
            }
        }
        opened.clear();
    }
}
