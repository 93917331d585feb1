package org.gridmeter.server.store;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.gridmeter.protocol.Reading;
import org.gridmeter.server.usage.ReadingKind;
import org.gridmeter.server.usage.StoredReading;

/**
 * How new readings reach the {@code readings} table without costing a page per meter per commit.
 *
 * <p>{@code readings} is keyed by (meter, time), so a transaction holding one new reading of each of
 * 10,000 meters changes 10,000 leaf pages, and SQLite writes every changed page to the WAL at each
 * commit: about 1.5 KB of WAL per reading. Instead, each commit appends one row to
 * {@code reading_log} holding all of the transaction's readings, packed (see {@link #encode}); every
 * two seconds the readings gathered since are inserted into {@code readings} in key order, many
 * rows per page. The merge runs in chunks between a transaction's readings, so it never holds a
 * commit back by more than one chunk.
 *
 * <p>The log is also what a restart replays: meters' running state, billing state and rollups are
 * saved at checkpoints (every second, and with any transaction whose changes a replay could not
 * redo), and the {@code checkpoint} row names the last log row they include. Log rows after it are
 * replayed through the usage rules on start; so a log row is deleted only once it is both merged
 * and covered by a committed checkpoint.
 *
 * <p>Invariants after every commit: {@code readings} plus {@code reading_log} hold every stored
 * reading (a reading may be in both: it is the same reading); the saved states plus the log rows
 * after the checkpoint, replayed in log order, give the states in memory. Anything that reads or
 * changes {@code readings} on the write connection first calls {@link #mergeAll}; after that, the
 * rest of the transaction writes {@code readings} directly, and that transaction must be a
 * checkpoint. Writer thread only.
 */
final class ReadingLog {

    static final String COLUMNS = "meter_id, ts, energy_mwh, power_w, seq, exported_mwh, delta_mwh, kind, from_ts";
    /** Bytes of one packed reading: meter, ts, energy, power, seq, exported, delta, from (8 each but power: 4), kind (1). */
    static final int PACKED_BYTES = 7 * 8 + 4 + 1;
    private static final int NO_POWER = Integer.MIN_VALUE;

    /** Hard cap on readings waiting for a merge (memory: about 100 bytes each); also the sort key's room. */
    static final int MAX_UNMERGED = 1 << 20;

    private final Connection connection;
    private final PreparedStatement insertReading;
    private final PreparedStatement appendLog;
    private final long mergeAfterNanos;
    private final int chunk;

    /** Readings of the open transaction. */
    private final List<LoggedReading> unlogged = new ArrayList<>();
    /** Readings committed to the log and not yet part of a merge. */
    private final List<LoggedReading> unmerged = new ArrayList<>();
    private long oldestUnmergedNanos;
    /** A merge under way: its readings in key order, the next one to insert, and the last log row it covers. */
    private LoggedReading[] merging;
    private int mergeNext;
    private long mergeLastLogId;
    /** Whether the open transaction writes {@code readings} directly (after {@link #mergeAll}). */
    private boolean direct;
    /** Whether the open transaction is a checkpoint: at commit, the checkpoint row moves to the last log row. */
    private boolean checkpoint;
    private volatile int waiting;

    ReadingLog(Connection connection, long mergeAfterNanos, int chunk) throws SQLException {
        this.connection = connection;
        this.mergeAfterNanos = mergeAfterNanos;
        this.chunk = chunk;
        insertReading = connection.prepareStatement("INSERT OR IGNORE INTO readings (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
        appendLog = connection.prepareStatement("INSERT INTO reading_log (readings, payload) VALUES (?, ?)");
    }

    void add(long meterId, StoredReading reading) {
        unlogged.add(new LoggedReading(meterId, reading));
    }

    /** Whether the open transaction writes {@code readings} directly, so it must be a checkpoint. */
    boolean direct() {
        return direct;
    }

    /** Makes the open transaction a checkpoint: the caller saves every state in it. */
    void checkpoint() {
        checkpoint = true;
    }

    /** Writes the open transaction's readings (to the log, or straight to {@code readings}); before COMMIT. */
    void beforeCommit() throws SQLException {
        if (direct) {
            insert(unlogged);
            unlogged.clear();
        } else if (!unlogged.isEmpty()) {
            appendLog.setInt(1, unlogged.size());
            appendLog.setBytes(2, encode(unlogged));
            appendLog.executeUpdate();
        }
        if (checkpoint) {
            try (Statement st = connection.createStatement()) {
                st.executeUpdate("UPDATE checkpoint SET log_rowid = (SELECT coalesce(max(id), 0) FROM reading_log)");
                if (direct) {
                    st.executeUpdate("DELETE FROM reading_log"); // mergeAll put every logged reading in readings
                }
            }
        }
    }

    /** The transaction committed. */
    void afterCommit() {
        if (!unlogged.isEmpty()) {
            if (unmerged.isEmpty()) {
                oldestUnmergedNanos = System.nanoTime();
            }
            unmerged.addAll(unlogged);
            unlogged.clear();
        }
        direct = false;
        checkpoint = false;
        countWaiting();
    }

    /** Whether a merge step is due: one is under way, or readings have waited long enough, or too many wait. */
    boolean mergeDue(long nowNanos) {
        return merging != null || !unmerged.isEmpty()
                && (nowNanos - oldestUnmergedNanos >= mergeAfterNanos || unmerged.size() >= MAX_UNMERGED / 2);
    }

    /**
     * Inserts the next chunk of the merge under way into {@code readings} (starting a merge of every
     * committed log row if none is under way), in the open transaction. The open transaction's own
     * readings are not part of it: they reach the log at commit, after the rows the merge covers.
     *
     * @return {@code true} if this step finished a merge: the log rows it covered (and the
     *     checkpoint covers) are deleted in the same transaction
     */
    boolean mergeStep() throws SQLException {
        if (merging == null) {
            merging = inKeyOrder(unmerged);
            unmerged.clear();
            mergeNext = 0;
            mergeLastLogId = maxLogId();
        }
        int end = Math.min(merging.length, mergeNext + chunk);
        insertSorted(Arrays.asList(merging).subList(mergeNext, end));
        mergeNext = end;
        countWaiting();
        if (mergeNext < merging.length) {
            return false;
        }
        deleteMerged(mergeLastLogId);
        merging = null;
        countWaiting();
        return true;
    }

    /**
     * Puts every waiting reading into {@code readings}, in the open transaction, so that the write
     * connection's queries see all readings; the rest of the transaction writes {@code readings}
     * directly.
     */
    void mergeAll() throws SQLException {
        if (direct) {
            insert(unlogged);
            unlogged.clear();
            return;
        }
        List<LoggedReading> all = new ArrayList<>(unmerged.size() + unlogged.size()
                + (merging == null ? 0 : merging.length - mergeNext));
        if (merging != null) {
            all.addAll(Arrays.asList(merging).subList(mergeNext, merging.length));
        }
        all.addAll(unmerged);
        all.addAll(unlogged);
        insert(all);
        deleteMerged(Long.MAX_VALUE);
        merging = null;
        unmerged.clear();
        unlogged.clear();
        direct = true;
        countWaiting();
    }

    /**
     * Forgets what is held in memory, puts every logged reading into {@code readings}, in the open
     * transaction (at start, and after a rolled-back transaction), and returns the readings of the
     * log rows after the checkpoint, in log order: the caller replays them, then commits a
     * checkpoint (which empties the log).
     */
    List<LoggedReading> recover() throws SQLException {
        unlogged.clear();
        unmerged.clear();
        merging = null;
        checkpoint = false;
        List<LoggedReading> all = new ArrayList<>();
        List<LoggedReading> replay = new ArrayList<>();
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("SELECT id > (SELECT log_rowid FROM checkpoint), payload "
                        + "FROM reading_log ORDER BY id")) {
            while (rs.next()) {
                List<LoggedReading> readings = decode(rs.getBytes(2));
                all.addAll(readings);
                if (rs.getBoolean(1)) {
                    replay.addAll(readings);
                }
            }
        }
        insert(all);
        direct = true;
        countWaiting();
        return replay;
    }

    /** Committed readings not yet merged, as of the last commit or merge step; any thread. */
    int waiting() {
        return waiting;
    }

    private void countWaiting() {
        waiting = unmerged.size() + (merging == null ? 0 : merging.length - mergeNext);
    }

    /** Deletes log rows up to {@code lastId} that the committed checkpoint covers (their readings are merged). */
    private void deleteMerged(long lastId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "DELETE FROM reading_log WHERE id <= min(?, (SELECT log_rowid FROM checkpoint))")) {
            ps.setLong(1, lastId);
            ps.executeUpdate();
        }
    }

    private long maxLogId() throws SQLException {
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("SELECT coalesce(max(id), 0) FROM reading_log")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * The readings sorted by (meter, time). Sorts primitive keys (meter id, 32 bits, above the
     * reading's position, 24 bits) rather than objects, and sorts by time only within a meter, where logged
     * readings are nearly always in time order already (each was newer than its meter's latest).
     */
    static LoggedReading[] inKeyOrder(List<LoggedReading> readings) {
        int n = readings.size();
        if (n >= 1 << 24 || readings.stream().anyMatch(r -> r.meterId() >>> 32 != 0)) {
            LoggedReading[] sorted = readings.toArray(new LoggedReading[0]);
            Arrays.sort(sorted, java.util.Comparator.comparingLong(LoggedReading::meterId)
                    .thenComparingLong(r -> r.reading().timestampMillis()));
            return sorted;
        }
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = readings.get(i).meterId() << 24 | i;
        }
        Arrays.sort(keys);
        LoggedReading[] sorted = new LoggedReading[n];
        for (int i = 0; i < n; i++) {
            sorted[i] = readings.get((int) (keys[i] & 0xFF_FFFF));
        }
        int start = 0;
        for (int i = 1; i <= n; i++) {
            if (i == n || sorted[i].meterId() != sorted[start].meterId()) {
                sortByTime(sorted, start, i);
                start = i;
            }
        }
        return sorted;
    }

    private static void sortByTime(LoggedReading[] a, int from, int to) {
        for (int i = from + 1; i < to; i++) {
            if (a[i].reading().timestampMillis() < a[i - 1].reading().timestampMillis()) {
                Arrays.sort(a, from, to, (x, y) -> Long.compare(x.reading().timestampMillis(),
                        y.reading().timestampMillis()));
                return;
            }
        }
    }

    private void insert(List<LoggedReading> readings) throws SQLException {
        if (!readings.isEmpty()) {
            insertSorted(Arrays.asList(inKeyOrder(readings)));
        }
    }

    private void insertSorted(List<LoggedReading> sorted) throws SQLException {
        for (LoggedReading row : sorted) {
            StoredReading r = row.reading();
            insertReading.setLong(1, row.meterId());
            insertReading.setLong(2, r.timestampMillis());
            insertReading.setLong(3, r.energyMwh());
            SqliteStore.setNullable(insertReading, 4, r.powerW());
            SqliteStore.setNullable(insertReading, 5, r.sequence() == Reading.NO_SEQUENCE ? null : r.sequence());
            SqliteStore.setNullable(insertReading, 6, r.exportedMwh() == Reading.NO_EXPORT ? null : r.exportedMwh());
            insertReading.setLong(7, r.deltaMwh());
            insertReading.setInt(8, r.kind().code());
            insertReading.setLong(9, r.fromMillis());
            insertReading.addBatch();
        }
        insertReading.executeBatch();
    }

    /**
     * Packs readings into one log row's payload: {@value #PACKED_BYTES} bytes each, big-endian:
     * meter id, timestamp, energy (mWh), power (W, int; {@code Integer.MIN_VALUE} for none),
     * sequence (-1 for none), exported energy (-1 for none), consumption (mWh), kind code (1 byte),
     * consumption start.
     */
    static byte[] encode(List<LoggedReading> readings) {
        ByteBuffer b = ByteBuffer.allocate(readings.size() * PACKED_BYTES);
        for (LoggedReading row : readings) {
            StoredReading r = row.reading();
            b.putLong(row.meterId()).putLong(r.timestampMillis()).putLong(r.energyMwh())
                    .putInt(r.powerW() == null ? NO_POWER : r.powerW()).putLong(r.sequence())
                    .putLong(r.exportedMwh()).putLong(r.deltaMwh()).put((byte) r.kind().code())
                    .putLong(r.fromMillis());
        }
        return b.array();
    }

    /** The readings of one log row's payload, in the order they were logged. */
    static List<LoggedReading> decode(byte[] payload) {
        ByteBuffer b = ByteBuffer.wrap(payload);
        List<LoggedReading> readings = new ArrayList<>(payload.length / PACKED_BYTES);
        while (b.remaining() >= PACKED_BYTES) {
            long meterId = b.getLong();
            long ts = b.getLong();
            long energy = b.getLong();
            int power = b.getInt();
            long seq = b.getLong();
            long exported = b.getLong();
            long delta = b.getLong();
            ReadingKind kind = ReadingKind.ofCode(b.get());
            long from = b.getLong();
            readings.add(new LoggedReading(meterId, new StoredReading(ts, energy, power == NO_POWER ? null : power,
                    seq, exported, delta, kind, from)));
        }
        return readings;
    }
}
