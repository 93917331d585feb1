package org.gridmeter.server.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.gridmeter.protocol.Reading;
import org.gridmeter.server.usage.ConsumptionChain;
import org.gridmeter.server.usage.MeterState;
import org.gridmeter.server.usage.ReadingKind;
import org.gridmeter.server.usage.ReadingRepository;
import org.gridmeter.server.usage.StateRepository;
import org.gridmeter.server.usage.StoredReading;
import org.gridmeter.server.users.DeletedUser;
import org.gridmeter.server.users.User;
import org.sqlite.SQLiteConfig;

/**
 * The writer's store, on either database ({@link Database}: SQLite or PostgreSQL, the same SQL).
 * This object holds the single write connection: only the writer thread may use it. Readers take
 * their own connections from {@link Database#reader()}.
 *
 * <p>Durability is the database's commit ({@link #commit}): what it promises is in
 * {@link SqliteDatabase} and {@link PostgresDatabase}. New readings reach the readings table
 * through the {@link ReadingLog}: a commit
 * appends them packed to {@code reading_log}, merges insert them in key order later, and meters'
 * states are saved at {@link #checkpoint}s.
 */
public final class SqlStore implements ReadingRepository, StateRepository, AutoCloseable {

    private final Database database;
    private final Connection connection;
    private final PreparedStatement reclassify;
    private final PreparedStatement findReading;
    private final PreparedStatement lastNormalBefore;
    private final PreparedStatement readingBefore;
    private final PreparedStatement readingsAfter;
    private final PreparedStatement insertEvent;
    private final PreparedStatement saveState;
    private final Batch stateRows;
    private final ReadingLog readingLog;
    private final BillingSql billing;
    private final AlertSql alerts;
    private final UserSql users;

    private SqlStore(Database database, long mergeAfterNanos, int mergeChunk, int mergeAt, long writer,
            java.util.function.LongSupplier nanoTime)
            throws SQLException {
        this.database = database;
        this.connection = database.openWriter();
        readingLog = new ReadingLog(connection, database, mergeAfterNanos, mergeChunk, mergeAt, writer, nanoTime);
        reclassify = connection.prepareStatement(
                "UPDATE readings SET delta_mwh = ?, kind = ?, from_ts = ? WHERE meter_id = ? AND ts = ?");
        findReading = connection.prepareStatement(READING_COLUMNS + " WHERE meter_id = ? AND ts = ?");
        lastNormalBefore = connection.prepareStatement(READING_COLUMNS
                + " WHERE meter_id = ? AND ts < ? AND kind = 0 ORDER BY ts DESC LIMIT 1");
        readingBefore = connection.prepareStatement(READING_COLUMNS
                + " WHERE meter_id = ? AND ts < ? ORDER BY ts DESC LIMIT 1");
        readingsAfter = connection.prepareStatement(READING_COLUMNS + " WHERE meter_id = ? AND ts > ? ORDER BY ts LIMIT ?");
        insertEvent = connection.prepareStatement("INSERT INTO meter_events (meter_id, ts, kind, detail) VALUES (?, ?, ?, ?)");
        saveState = connection.prepareStatement(upsert("meter_state", "meter_id", "total_mwh", "level_mwh", "level_ts",
                "last_seq", "pending_ts", "pending_energy_mwh", "pending_seq", "first_ts", "last_ts", "last_energy_mwh",
                "last_power_w", "last_heard_ms", "readings", "resets", "glitches", "conflicts", "trimmed_before_ms",
                "exported_total_mwh", "last_exported_mwh", "log_rowid"));
        stateRows = new Batch(saveState);
        billing = new BillingSql(connection);
        alerts = new AlertSql(connection);
        users = new UserSql(connection, this::mergeReadings);
    }

    /**
     * {@code INSERT ... ON CONFLICT (key) DO UPDATE} of every column: an existing row is updated in
     * place (INSERT OR REPLACE would delete it and insert it again). The first column is the key.
     */
    static String upsert(String table, String... columns) {
        String names = String.join(", ", columns);
        String marks = String.join(", ", java.util.Collections.nCopies(columns.length, "?"));
        StringBuilder sets = new StringBuilder();
        for (int i = 1; i < columns.length; i++) {
            sets.append(i > 1 ? ", " : "").append(columns[i]).append(" = excluded.").append(columns[i]);
        }
        return "INSERT INTO " + table + " (" + names + ") VALUES (" + marks + ") ON CONFLICT (" + columns[0]
                + ") DO UPDATE SET " + sets;
    }

    /** Rollups, billing state, invoices and tariffs, on the write connection. */
    public BillingSql billing() {
        return billing;
    }

    /** Users, on the write connection. */
    public UserSql users() {
        return users;
    }

    /** Alerts, on the write connection. */
    public AlertSql alerts() {
        return alerts;
    }

    static final String READING_FIELDS = "ts, energy_mwh, power_w, seq, exported_mwh, delta_mwh, kind, from_ts";
    static final String READING_COLUMNS = "SELECT " + READING_FIELDS + " FROM readings";
    /**
     * Opens (creating if needed) the SQLite database in {@code dataDir} and brings its schema up to
     * date, with the default pacing: for tools and tests that fill a store without a server.
     */
    public static SqlStore open(Path dataDir) throws IOException, SQLException {
        var tuning = org.gridmeter.server.ServerConfig.Tuning.DEFAULTS;
        return open(SqliteDatabase.open(dataDir, 2), tuning.mergeAfter(), tuning.mergeChunk(), tuning.mergeAt(),
                System::nanoTime);
    }

    /**
     * The writer's store on {@code database} (which it then owns and closes), with the reading log's
     * pacing: committed readings wait {@code mergeAfter} (as {@code nanoTime}, the monotonic ticker,
     * tells), or until {@code mergeAt} of them wait, before a merge, which inserts {@code mergeChunk}
     * of them a step.
     */
    public static SqlStore open(Database database, java.time.Duration mergeAfter, int mergeChunk, int mergeAt,
            java.util.function.LongSupplier nanoTime) throws SQLException {
        return open(database, mergeAfter, mergeChunk, mergeAt, 0, nanoTime);
    }

    /** As above, for the reading log of {@code writer}: 0 for a lone server, the node's incarnation in a cluster. */
    public static SqlStore open(Database database, java.time.Duration mergeAfter, int mergeChunk, int mergeAt,
            long writer, java.util.function.LongSupplier nanoTime) throws SQLException {
        try {
            return new SqlStore(database, mergeAfter.toNanos(), mergeChunk, mergeAt, writer, nanoTime);
        } catch (SQLException | RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /** The database this store writes to; readers take their connections from it. */
    public Database database() {
        return database;
    }

    /**
     * Writes the open transaction's new readings to the reading log, so that the states saved next
     * name the log row they include; {@link #commit} does it too if not done.
     */
    public void logReadings() throws SQLException {
        readingLog.logOpen();
    }

    public void commit() throws SQLException {
        readingLog.beforeCommit();
        connection.commit();
        readingLog.afterCommit();
    }

    /**
     * Rolls the open transaction back, then does what {@link #recoverLog} does: the caller replays
     * the rows returned and commits a checkpoint.
     */
    public List<LogItem> rollback() throws SQLException {
        connection.rollback();
        database.rolledBack(connection);
        return recoverLog();
    }

    /**
     * Puts every reading in the log into the readings table, in the open transaction, and returns
     * the log rows after the last checkpoint in log order: the changes the saved states lack. The
     * caller replays them and then commits a {@link #checkpoint}; see {@link ReadingLog}.
     */
    public List<LogItem> recoverLog() throws SQLException {
        return readingLog.recover();
    }

    /**
     * Takes meters over from another writer's log, in the open transaction (a cluster node taking a
     * partition over; docs/scaling.md): returns what the caller replays on top of their saved states.
     */
    public List<LogItem> adopt(long fromWriter, java.util.function.LongPredicate meters) throws SQLException {
        return readingLog.adopt(fromWriter, meters);
    }

    /** Deletes the logs of other writers that nothing needs any more, in the open transaction. */
    public void dropLogsOf(List<Long> writers) throws SQLException {
        readingLog.dropLogsOf(writers);
    }

    /** Work on the write connection, in the open transaction (the writer thread only). */
    public interface ConnectionWork<T> {
        T run(java.sql.Connection connection) throws SQLException;
    }

    /** Runs {@code work} on the write connection, in the open transaction: the cluster's lease checks. */
    public <T> T onWriteConnection(ConnectionWork<T> work) throws SQLException {
        return work.run(connection);
    }

    /**
     * Makes the open transaction a checkpoint: the caller saves every changed state in it, and at
     * commit the checkpoint moves past the last logged reading.
     */
    public void checkpoint() {
        readingLog.checkpoint();
    }

    /**
     * Whether the open transaction wrote readings the log does not hold (a query on the write
     * connection merged the log): then it must be a {@link #checkpoint}.
     */
    public boolean readingsDirect() {
        return readingLog.direct();
    }

    /** Whether a merge step of the reading log is due; see {@link ReadingLog}. */
    public boolean mergeDue(long nowNanos) {
        return readingLog.mergeDue(nowNanos);
    }

    /** Runs one merge step in the open transaction; {@code true} if it finished a merge. */
    public boolean mergeStep() throws SQLException {
        return readingLog.mergeStep();
    }

    /** Readings held in memory until they are merged into the readings table. */
    public int readingsWaiting() {
        return readingLog.waiting();
    }

    /** Buffers the row; see {@link ReadingLog} for how it reaches the readings table. */
    @Override
    public void insert(long meterId, StoredReading r) {
        run(() -> readingLog.add(meterId, r));
    }

    /**
     * Puts every waiting reading into the readings table now, in the open transaction, which must
     * then be a {@link #checkpoint}: before any query or change of readings on the write
     * connection, and for tools that fill a store directly, without the writer.
     */
    public void mergeReadings() {
        run(readingLog::mergeAll);
    }

    @Override
    public void reclassify(long meterId, ConsumptionChain.Decision d) {
        StoredReading current = readingLog.direct() ? null : find(meterId, d.timestampMillis());
        run(() -> {
            if (current != null && readingLog.reclassify(meterId, current, d)) {
                return;
            }
            reclassify.setLong(1, d.deltaMwh());
            reclassify.setInt(2, d.kind().code());
            reclassify.setLong(3, d.fromMillis());
            reclassify.setLong(4, meterId);
            reclassify.setLong(5, d.timestampMillis());
            reclassify.executeUpdate();
        });
    }

    // The writer's reads below look at the meter's unmerged readings (the reading log's index) and at
    // the table, never merging the log. Where both hold a reading (a merge under way), they agree. The
    // table is not asked when the answer lies after the newest reading it holds of the meter (a late
    // reading within the last seconds, the common case).

    @Override
    public StoredReading find(long meterId, long timestampMillis) {
        StoredReading unmerged = readingLog.unmergedAt(meterId, timestampMillis);
        if (unmerged != null) {
            return unmerged;
        }
        return query(() -> {
            if (timestampMillis > readingLog.tableNewest(meterId)) {
                return null;
            }
            findReading.setLong(1, meterId);
            findReading.setLong(2, timestampMillis);
            return first(findReading);
        });
    }

    @Override
    public StoredReading lastNormalBefore(long meterId, long timestampMillis) {
        return latestBefore(meterId, timestampMillis, true, lastNormalBefore);
    }

    @Override
    public StoredReading before(long meterId, long timestampMillis) {
        return latestBefore(meterId, timestampMillis, false, readingBefore);
    }

    /**
     * The latest reading (normal ones only, if so) before the time, unmerged or in the table. A table
     * row with a newer, unmerged version is that version (it may no longer be normal: then look
     * further back).
     */
    private StoredReading latestBefore(long meterId, long timestampMillis, boolean normal, PreparedStatement inTable) {
        StoredReading unmerged = readingLog.latestUnmergedBefore(meterId, timestampMillis, normal);
        return query(() -> {
            long bound = timestampMillis;
            while (true) {
                if (unmerged != null && unmerged.timestampMillis() > readingLog.tableNewest(meterId)) {
                    return unmerged; // the table has nothing between it and the time
                }
                inTable.setLong(1, meterId);
                inTable.setLong(2, bound);
                StoredReading fromTable = first(inTable);
                if (fromTable == null || unmerged != null && unmerged.timestampMillis() >= fromTable.timestampMillis()) {
                    return unmerged;
                }
                StoredReading current = readingLog.unmergedAt(meterId, fromTable.timestampMillis());
                if (current == null) {
                    return fromTable;
                }
                if (!normal || current.kind() == ReadingKind.NORMAL) {
                    return current;
                }
                bound = fromTable.timestampMillis();
            }
        });
    }

    @Override
    public List<StoredReading> after(long meterId, long timestampMillis, int limit) {
        java.util.TreeMap<Long, StoredReading> rows = new java.util.TreeMap<>();
        for (StoredReading r : query(() -> {
            if (timestampMillis >= readingLog.tableNewest(meterId)) {
                return List.<StoredReading>of();
            }
            readingsAfter.setLong(1, meterId);
            readingsAfter.setLong(2, timestampMillis);
            readingsAfter.setInt(3, limit);
            return readings(readingsAfter);
        })) {
            rows.put(r.timestampMillis(), r);
        }
        for (StoredReading r : readingLog.unmergedAfter(meterId, timestampMillis)) {
            rows.put(r.timestampMillis(), r);
        }
        List<StoredReading> list = new ArrayList<>(rows.values());
        return list.size() > limit ? list.subList(0, limit) : list;
    }

    @Override
    public int position() {
        return readingLog.openPosition();
    }

    @Override
    public void unreplayable(long meterId, int firstPosition, long[] consumed, int count, MeterState.Saved after) {
        readingLog.unreplayable(meterId, firstPosition, consumed, count, after);
    }

    @Override
    public void event(long meterId, long timestampMillis, String kind, String detail) {
        run(() -> {
            insertEvent.setLong(1, meterId);
            insertEvent.setLong(2, timestampMillis);
            insertEvent.setString(3, kind);
            insertEvent.setString(4, detail);
            insertEvent.executeUpdate();
        });
    }

    @Override
    public int deleteBefore(long meterId, long timestampMillis) {
        mergeReadings();
        return query(() -> {
            try (PreparedStatement ps = connection.prepareStatement("DELETE FROM readings WHERE meter_id = ? AND ts < ?")) {
                ps.setLong(1, meterId);
                ps.setLong(2, timestampMillis);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public int dropBefore(long timestampMillis) {
        mergeReadings();
        return query(() -> database.dropReadingsBefore(connection, timestampMillis));
    }

    /**
     * Saves meters' running state, in the current transaction, each naming the last log row it
     * includes: call {@link #logReadings} first.
     */
    @Override
    public void saveStates(List<MeterState.Saved> states) {
        try {
            List<MeterState.Saved> sorted = new ArrayList<>(states);
            sorted.sort(java.util.Comparator.comparingLong(MeterState.Saved::meterId));
            for (MeterState.Saved s : sorted) {
                int i = 1;
                saveState.setLong(i++, s.meterId());
                saveState.setLong(i++, s.totalMwh());
                saveState.setLong(i++, s.levelMwh());
                saveState.setLong(i++, s.levelTimestampMillis());
                saveState.setLong(i++, s.lastSequence());
                saveState.setLong(i++, s.pendingTimestampMillis());
                saveState.setLong(i++, s.pendingEnergyMwh());
                saveState.setLong(i++, s.pendingSequence());
                saveState.setLong(i++, s.firstTimestampMillis());
                saveState.setLong(i++, s.lastTimestampMillis());
                saveState.setLong(i++, s.lastEnergyMwh());
                setNullable(saveState, i++, s.lastPowerW());
                saveState.setLong(i++, s.lastHeardMillis());
                saveState.setLong(i++, s.readings());
                saveState.setLong(i++, s.resets());
                saveState.setLong(i++, s.glitches());
                saveState.setLong(i++, s.conflicts());
                saveState.setLong(i++, s.trimmedBeforeMillis());
                saveState.setLong(i++, s.exportedTotalMwh());
                saveState.setLong(i++, s.lastExportedMwh());
                saveState.setLong(i, readingLog.lastLogId());
                stateRows.add();
            }
            stateRows.flush();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** Every meter's saved running state: what a restart resumes from (one row per meter). */
    @Override
    public List<MeterState.Saved> loadStates() {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT meter_id, total_mwh, "
                + "level_mwh, level_ts, last_seq, pending_ts, pending_energy_mwh, pending_seq, first_ts, last_ts, "
                + "last_energy_mwh, last_power_w, last_heard_ms, readings, resets, glitches, conflicts, trimmed_before_ms, "
                + "exported_total_mwh, last_exported_mwh FROM meter_state")) {
            List<MeterState.Saved> states = new ArrayList<>();
            while (rs.next()) {
                int i = 1;
                states.add(new MeterState.Saved(rs.getLong(i++), rs.getLong(i++), rs.getLong(i++), rs.getLong(i++),
                        rs.getLong(i++), rs.getLong(i++), rs.getLong(i++), rs.getLong(i++), rs.getLong(i++),
                        rs.getLong(i++), rs.getLong(i++), nullableInt(rs, i++), rs.getLong(i++), rs.getLong(i++),
                        rs.getLong(i++), rs.getLong(i++), rs.getLong(i++), rs.getLong(i++), rs.getLong(i++),
                        rs.getLong(i)));
            }
            return states;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    @Override
    public void close() throws SQLException {
        try {
            connection.rollback();
        } finally {
            try {
                connection.close();
            } finally {
                database.close();
            }
        }
    }

    static StoredReading reading(ResultSet rs) throws SQLException {
        return reading(rs, 1);
    }

    /** The reading whose {@link #READING_FIELDS} start at column {@code c}. */
    static StoredReading reading(ResultSet rs, int c) throws SQLException {
        long seq = rs.getLong(c + 3);
        if (rs.wasNull()) {
            seq = Reading.NO_SEQUENCE;
        }
        long exported = rs.getLong(c + 4);
        if (rs.wasNull()) {
            exported = Reading.NO_EXPORT;
        }
        long from = rs.getLong(c + 7);
        if (rs.wasNull()) {
            from = rs.getLong(c);
        }
        return new StoredReading(rs.getLong(c), rs.getLong(c + 1), nullableInt(rs, c + 2), seq, exported,
                rs.getLong(c + 5), ReadingKind.ofCode(rs.getInt(c + 6)), from);
    }

    private static StoredReading first(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? reading(rs) : null;
        }
    }

    static List<StoredReading> readings(PreparedStatement ps) throws SQLException {
        List<StoredReading> list = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                list.add(reading(rs));
            }
        }
        return list;
    }

    static Integer nullableInt(ResultSet rs, int column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? null : value;
    }

    static void setNullable(PreparedStatement ps, int index, Number value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.INTEGER);
        } else {
            ps.setLong(index, value.longValue());
        }
    }

    @FunctionalInterface
    private interface SqlAction {
        void run() throws SQLException;
    }

    @FunctionalInterface
    private interface SqlQuery<T> {
        T get() throws SQLException;
    }

    private static void run(SqlAction action) {
        try {
            action.run();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    private static <T> T query(SqlQuery<T> query) {
        try {
            return query.get();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }
}
