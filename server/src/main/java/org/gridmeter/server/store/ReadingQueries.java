package org.gridmeter.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.TreeMap;
import java.util.List;
import org.gridmeter.server.alerts.Alert;
import org.gridmeter.server.billing.BillingCalendar;
import org.gridmeter.server.billing.Invoice;
import org.gridmeter.server.billing.TariffJson;
import org.gridmeter.server.usage.Consumption;
import org.gridmeter.server.usage.Rollups;
import org.gridmeter.server.usage.StoredReading;

/**
 * Read-only queries over stored readings, for the HTTP side, on either database. Each call takes a
 * read connection from the database's pool and reads in one transaction (one snapshot of what was
 * committed), so call it from a small fixed pool of threads, never from an event loop: every method
 * blocks on the database.
 */
public final class ReadingQueries implements AutoCloseable {

    private final Database database;

    public ReadingQueries(Database database) {
        this.database = database;
    }

    /** A read transaction: {@code body} runs on one connection and sees one snapshot. */
    private <T> T read(SqlBody<T> body) throws SQLException {
        try (Connection c = database.reader()) {
            c.setAutoCommit(false);
            try {
                return body.run(c);
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
    }

    @FunctionalInterface
    private interface SqlBody<T> {
        T run(Connection c) throws SQLException;
    }

    /** Up to {@code limit} readings of the meter after {@code afterMillis}, oldest first. */
    public List<StoredReading> page(long meterId, long afterMillis, int limit) throws SQLException {
        return select(meterId, afterMillis + 1, Long.MAX_VALUE, limit);
    }

    /** The meter's readings with {@code fromMillis <= ts < toMillis}, oldest first. */
    public List<StoredReading> range(long meterId, long fromMillis, long toMillis) throws SQLException {
        return select(meterId, fromMillis, toMillis, Integer.MAX_VALUE);
    }

    /**
     * Up to {@code limit} of the meter's readings with {@code fromMillis <= ts < toMillis}, oldest
     * first, from the readings table and from the reading log (readings not merged yet: the last
     * few seconds' worth, decoded here; a later version of a reading wins), in one read transaction.
     */
    private List<StoredReading> select(long meterId, long fromMillis, long toMillis, int limit) throws SQLException {
        return read(c -> select(c, meterId, fromMillis, toMillis, limit)); // both SELECTs see the same snapshot
    }

    private static List<StoredReading> select(Connection c, long meterId, long fromMillis, long toMillis, int limit)
            throws SQLException {
        TreeMap<Long, StoredReading> rows = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement(SqlStore.READING_COLUMNS
                + " WHERE meter_id = ? AND ts >= ? AND ts < ? ORDER BY ts LIMIT ?")) {
            ps.setLong(1, meterId);
            ps.setLong(2, fromMillis);
            ps.setLong(3, toMillis);
            ps.setInt(4, limit);
            for (StoredReading r : SqlStore.readings(ps)) {
                rows.put(r.timestampMillis(), r);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT payload FROM reading_log ORDER BY id");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                for (LoggedReading logged : ReadingLog.decode(rs.getBytes(1), meterId, fromMillis, toMillis)) {
                    rows.put(logged.reading().timestampMillis(), logged.reading()); // later versions win
                }
            }
        }
        List<StoredReading> list = new ArrayList<>(rows.values());
        return list.size() > limit ? list.subList(0, limit) : list;
    }

    /**
     * The readings whose consumption may fall in {@code [fromMillis, toMillis)}: those in it, and the
     * first one at or after its end (its consumption runs from the reading before it), oldest first,
     * in one read transaction. What an exact share of a part of a 15-minute bucket is computed from.
     */
    public List<StoredReading> overlapping(long meterId, long fromMillis, long toMillis) throws SQLException {
        return read(c -> {
            List<StoredReading> readings = new ArrayList<>(select(c, meterId, fromMillis, toMillis, Integer.MAX_VALUE));
            StoredReading next = firstAtOrAfter(c, meterId, toMillis);
            if (next != null) {
                readings.add(next);
            }
            return readings;
        });
    }

    /** The meter's first reading at or after {@code t} (table or log, the later version winning), or {@code null}. */
    private static StoredReading firstAtOrAfter(Connection c, long meterId, long t) throws SQLException {
        StoredReading first;
        try (PreparedStatement ps = c.prepareStatement(SqlStore.READING_COLUMNS
                + " WHERE meter_id = ? AND ts >= ? ORDER BY ts LIMIT 1")) {
            ps.setLong(1, meterId);
            ps.setLong(2, t);
            List<StoredReading> rows = SqlStore.readings(ps);
            first = rows.isEmpty() ? null : rows.get(0);
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT payload FROM reading_log ORDER BY id");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                for (LoggedReading logged : ReadingLog.decode(rs.getBytes(1), meterId, t, Long.MAX_VALUE)) {
                    StoredReading r = logged.reading();
                    if (first == null || r.timestampMillis() <= first.timestampMillis()) {
                        first = r; // earlier, or a later version of the same reading
                    }
                }
            }
        }
        return first;
    }

    /**
     * The meter's consumption with {@code fromMillis <= bucket start < toMillis} as of the last
     * commit: its 15-minute rollups, and its spans overlapping the range. The tables hold what the
     * meter's last saved state includes; the readings logged for the meter after that (its
     * {@code meter_state.log_rowid}) are added as spans of their own, all in one read transaction, so
     * the answer agrees with every other route's.
     */
    public Consumption consumption(long meterId, long fromMillis, long toMillis) throws SQLException {
        return read(c -> { // the rollups, the saved state's log row and the log: one snapshot
            TreeMap<Long, Long> buckets = new TreeMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT bucket_ms, consumption_mwh FROM rollups "
                    + "WHERE meter_id = ? AND bucket_ms >= ? AND bucket_ms < ?")) {
                ps.setLong(1, meterId);
                ps.setLong(2, fromMillis);
                ps.setLong(3, toMillis);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        buckets.put(rs.getLong(1), rs.getLong(2));
                    }
                }
            }
            List<Rollups.Span> spans = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT from_ms, to_ms, consumption_mwh FROM rollup_spans "
                    + "WHERE meter_id = ? AND from_ms < ? AND to_ms >= ?")) {
                ps.setLong(1, meterId);
                ps.setLong(2, toMillis);
                ps.setLong(3, fromMillis);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        spans.add(new Rollups.Span(rs.getLong(1), rs.getLong(2), rs.getLong(3)));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT payload, effects FROM reading_log WHERE id > "
                    + "coalesce((SELECT log_rowid FROM meter_state WHERE meter_id = ?), 0) ORDER BY id")) {
                ps.setLong(1, meterId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        // what the writer added to its rollups since: each replayable reading's consumption,
                        // and the logged changes of the others' datagrams
                        for (LoggedReading logged : ReadingLog.decode(rs.getBytes(1), meterId, Long.MIN_VALUE,
                                Long.MAX_VALUE)) {
                            StoredReading r = logged.reading();
                            if (logged.replayable() && r.deltaMwh() != 0) {
                                spans.add(new Rollups.Span(r.fromMillis(), r.timestampMillis(), r.deltaMwh()));
                            }
                        }
                        LoggedEffects.consumed(rs.getBytes(2), meterId, change -> spans.add(new Rollups.Span(
                                change.fromMillis(), change.toMillis(), change.deltaMwh())));
                    }
                }
            }
            return new Consumption(java.util.Collections.unmodifiableNavigableMap(buckets), List.copyOf(spans));
        });
    }

    /** The meter's closed invoices, newest first. */
    public List<Invoice> invoices(long meterId, BillingCalendar calendar) throws SQLException {
        return read(c -> invoices(c, meterId));
    }

    private static List<Invoice> invoices(Connection c, long meterId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT cycle_start_ms, cycle_end_ms, month, "
                + "opening_mwh, consumption_mwh, adjustment_mwh, amount, tariff_json, estimated, closed_ms "
                + "FROM invoices WHERE meter_id = ? ORDER BY cycle_start_ms DESC")) {
            ps.setLong(1, meterId);
            List<Invoice> invoices = new java.util.ArrayList<>();
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    BillingCalendar.Cycle cycle = new BillingCalendar.Cycle(rs.getLong(1), rs.getLong(2),
                            java.time.YearMonth.parse(rs.getString(3)));
                    invoices.add(new Invoice(meterId, cycle, rs.getLong(4), rs.getLong(5), rs.getLong(6),
                            new java.math.BigDecimal(rs.getString(7)), TariffJson.fromText(rs.getString(8)),
                            rs.getInt(9) == 1, rs.getLong(10)));
                }
            }
            return invoices;
        }
    }

    /** The meter's alerts, newest first. */
    public List<Alert> alerts(long meterId) throws SQLException {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement(AlertSql.COLUMNS
                    + " WHERE meter_id = ? ORDER BY start_ms DESC, id DESC")) {
                ps.setLong(1, meterId);
                return AlertSql.alerts(ps);
            }
        });
    }

    /** The connections belong to the database's pool, which the store closes. */
    @Override
    public void close() {
    }
}
