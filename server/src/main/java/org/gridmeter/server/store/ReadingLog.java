package org.gridmeter.server.store;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.gridmeter.protocol.Reading;
import org.gridmeter.server.usage.ConsumptionChain;
import org.gridmeter.server.usage.ReadingKind;
import org.gridmeter.server.usage.StoredReading;

/**
 * How new readings reach the {@code readings} table without costing a page per meter per commit.
 *
 * <p>{@code readings} is keyed by (meter, time), so a transaction holding one new reading of each of
 * 10,000 meters changes 10,000 leaf pages, and SQLite writes every changed page to the WAL at each
 * commit: about 1.5 KB of WAL per reading. Instead, each commit appends one row to
 * {@code reading_log} holding all of the transaction's new readings, packed (see {@link #encode});
 * every two seconds the readings gathered since are inserted into {@code readings} in key order, many
 * rows per page. The merge runs in chunks between a transaction's readings, so it never holds a
 * commit back by more than one chunk.
 *
 * <p>The writer decides duplicates and late readings without merging: {@link #unmerged} gives a
 * meter's readings that are not in the table yet (an index of handles into the open transaction and
 * the committed payloads), and the store looks in the table for the rest. A reading decided again
 * while unmerged is changed in memory and, once its log row is committed, written to the table with
 * its new decision ({@link #reclassify}): readers, merges and recovery all let the table's copy win.
 *
 * <p>The log is also what a restart replays: meters' running state, billing state and rollups are
 * saved at checkpoints (every second, and with any transaction whose changes a replay could not
 * redo), and the {@code checkpoint} row names the last log row they include. A commit may also save
 * a few meters alone (those whose changes a replay could not redo: a late reading, a decision
 * changed, a conflict); each saved meter state names in {@code meter_state.log_rowid} the last log
 * row it includes, so that readers know which logged readings its saved rollups lack. On start, the
 * readings of log rows after the checkpoint are replayed through the usage rules (those a meter's
 * saved state includes are not newer than its latest: skipped); so a log row is deleted only once it
 * is both merged and covered by a committed checkpoint.
 *
 * <p>Invariants after every commit: {@code readings} plus {@code reading_log} hold every stored
 * reading (a reading may be in both: where they differ, the table's copy is the newer); the saved
 * states plus the log readings after the checkpoint, replayed in log order, give the states in
 * memory, and the readings after each meter's {@code log_rowid} were each the newest of its meter
 * when logged. Anything that
 * reads or changes the whole of a meter's readings on the write connection (deletions) first calls
 * {@link #mergeAll}; after that the rest of the transaction writes {@code readings} directly, and
 * that transaction must be a checkpoint. Writer thread only.
 */
final class ReadingLog {

    static final String COLUMNS = "meter_id, ts, energy_mwh, power_w, seq, exported_mwh, delta_mwh, kind, from_ts";
    /** Where each field of a packed reading starts, in the order {@link #encode} writes them. */
    private static final int AT_METER = 0;
    private static final int AT_TS = 8;
    private static final int AT_ENERGY = 16;
    private static final int AT_POWER = 24;
    private static final int AT_SEQ = 28;
    private static final int AT_EXPORTED = 36;
    private static final int AT_DELTA = 44;
    private static final int AT_KIND = 52;
    private static final int AT_FROM = 53;
    /** Bytes of one packed reading. */
    static final int PACKED_BYTES = AT_FROM + 8;
    private static final int NO_POWER = Integer.MIN_VALUE;

    /** A merge starts once this many committed readings wait, however young (~30 MB packed). */
    static final int MERGE_AT = 1 << 19;

    /** A committed log row's readings, kept until a merge has put them in the table. */
    private record Payload(long seq, long logId, long committedNanos, byte[] bytes) {
        int count() {
            return bytes.length / PACKED_BYTES;
        }
    }

    private final Connection connection;
    private final PreparedStatement insertReading;
    private final PreparedStatement upsertReading;
    private final PreparedStatement appendLog;
    private final long mergeAfterNanos;
    private final int chunk;

    /** Readings of the open transaction, in the order added: a handle's position. */
    private final List<LoggedReading> unlogged = new ArrayList<>();
    /** Committed payloads not merged yet, those of the merge under way included, oldest first. */
    private final ArrayDeque<Payload> payloads = new ArrayDeque<>();
    /** Every meter's readings held by {@link #unlogged} and {@link #payloads}. */
    private final UnmergedIndex index = new UnmergedIndex();
    /** The sequence number the open transaction's payload gets when it commits. */
    private long openSeq = 1;
    /** Readings of committed payloads that no merge has taken yet. */
    private int unmergedCount;
    /** A merge under way: its readings in key order, the next one to insert, the last payload it covers. */
    private Columns merging;
    private int mergeNext;
    private long mergeLastSeq;
    private long mergeLastLogId;
    /** Whether the open transaction writes {@code readings} directly (after {@link #mergeAll}). */
    private boolean direct;
    /** Whether the open transaction is a checkpoint: at commit, the checkpoint row moves to the last log row. */
    private boolean checkpoint;
    /** What {@link #logOpen} appended for the commit under way, and whether it ran. */
    private byte[] loggedPayload;
    private boolean logged;
    /** The id of the last {@code reading_log} row, the open transaction's once logged. */
    private long lastLogId;
    private volatile int waiting;

    ReadingLog(Connection connection, long mergeAfterNanos, int chunk) throws SQLException {
        this.connection = connection;
        this.mergeAfterNanos = mergeAfterNanos;
        this.chunk = chunk;
        insertReading = connection.prepareStatement("INSERT OR IGNORE INTO readings (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
        upsertReading = connection.prepareStatement("INSERT INTO readings (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (meter_id, ts) DO UPDATE SET "
                + "delta_mwh = excluded.delta_mwh, kind = excluded.kind, from_ts = excluded.from_ts");
        appendLog = connection.prepareStatement("INSERT INTO reading_log (readings, payload) VALUES (?, ?)");
        lastLogId = maxLogId();
    }

    /** Adds a newly decided reading to the open transaction (straight to the table after {@link #mergeAll}). */
    void add(long meterId, StoredReading reading) throws SQLException {
        if (direct) {
            insert(List.of(new LoggedReading(meterId, reading)));
            return;
        }
        index.add(meterId, UnmergedIndex.handle(openSeq, unlogged.size()));
        unlogged.add(new LoggedReading(meterId, reading));
    }

    /**
     * The meter's readings that may not be in the table yet (the open transaction's and the committed,
     * unmerged ones), in the order they were added; empty after {@link #mergeAll}.
     */
    List<StoredReading> unmerged(long meterId) {
        long[] handles = index.handles(meterId);
        List<StoredReading> readings = new ArrayList<>(handles.length);
        for (long handle : handles) {
            readings.add(read(handle));
        }
        return readings;
    }

    /**
     * Gives an unmerged reading of the meter a new decision: in memory, and, if its log row is
     * committed already, in the table too (where it takes precedence over the log's copy).
     *
     * @return {@code false} if the reading is not unmerged: the caller changes it in the table
     */
    boolean reclassify(long meterId, ConsumptionChain.Decision d) throws SQLException {
        for (long handle : index.handles(meterId)) {
            StoredReading r = read(handle);
            if (r.timestampMillis() != d.timestampMillis()) {
                continue;
            }
            StoredReading changed = r.reclassified(d);
            long seq = UnmergedIndex.seq(handle);
            int position = UnmergedIndex.position(handle);
            if (seq == openSeq) {
                unlogged.set(position, new LoggedReading(meterId, changed));
            } else {
                ByteBuffer b = ByteBuffer.wrap(payload(seq).bytes());
                int at = position * PACKED_BYTES;
                b.putLong(at + AT_DELTA, d.deltaMwh()).put(at + AT_KIND, (byte) d.kind().code())
                        .putLong(at + AT_FROM, d.fromMillis());
                bind(upsertReading, meterId, changed);
                upsertReading.executeUpdate();
            }
            return true;
        }
        return false;
    }

    private StoredReading read(long handle) {
        long seq = UnmergedIndex.seq(handle);
        int position = UnmergedIndex.position(handle);
        if (seq == openSeq) {
            return unlogged.get(position).reading();
        }
        return decodeAt(payload(seq).bytes(), position * PACKED_BYTES).reading();
    }

    private Payload payload(long seq) {
        for (Payload p : payloads) {
            if (p.seq() == seq) {
                return p;
            }
        }
        throw new IllegalStateException("no unmerged payload " + seq + " (index out of step with the log)");
    }

    /** Whether the open transaction writes {@code readings} directly, so it must be a checkpoint. */
    boolean direct() {
        return direct;
    }

    /** Makes the open transaction a checkpoint: the caller saves every state in it. */
    void checkpoint() {
        checkpoint = true;
    }

    /**
     * Appends the open transaction's readings as one log row (before the states are saved, so they
     * can name it); idempotent within a transaction.
     */
    void logOpen() throws SQLException {
        if (logged) {
            return;
        }
        logged = true;
        if (!direct && !unlogged.isEmpty()) {
            loggedPayload = encode(unlogged);
            appendLog.setInt(1, unlogged.size());
            appendLog.setBytes(2, loggedPayload);
            appendLog.executeUpdate();
            lastLogId = maxLogId();
        }
    }

    /** The id of the last log row, the open transaction's once {@link #logOpen} appended it: what saved states include. */
    long lastLogId() {
        return lastLogId;
    }

    /** Logs the open transaction if not done, and moves the checkpoint if it is one; before COMMIT. */
    void beforeCommit() throws SQLException {
        logOpen();
        if (checkpoint) {
            try (Statement st = connection.createStatement()) {
                st.executeUpdate("UPDATE checkpoint SET log_rowid = " + lastLogId);
                if (direct) {
                    st.executeUpdate("DELETE FROM reading_log"); // mergeAll put every logged reading in readings
                }
            }
        }
    }

    /** The transaction committed. */
    void afterCommit() {
        if (loggedPayload != null) {
            payloads.add(new Payload(openSeq, lastLogId, System.nanoTime(), loggedPayload));
            unmergedCount += unlogged.size();
            openSeq++;
            loggedPayload = null;
        }
        unlogged.clear();
        logged = false;
        direct = false;
        checkpoint = false;
        countWaiting();
    }

    /** Whether a merge step is due: one is under way, or readings have waited long enough, or too many wait. */
    boolean mergeDue(long nowNanos) {
        if (merging != null) {
            return true;
        }
        Payload oldest = oldestUnmerged();
        return oldest != null && (nowNanos - oldest.committedNanos() >= mergeAfterNanos || unmergedCount >= MERGE_AT);
    }

    /** The oldest committed payload no merge has taken, or {@code null}. */
    private Payload oldestUnmerged() {
        for (Payload p : payloads) {
            if (p.seq() > mergeLastSeq) {
                return p;
            }
        }
        return null;
    }

    /**
     * Inserts the next chunk of the merge under way into {@code readings} (starting a merge of every
     * committed payload if none is under way), in the open transaction. The open transaction's own
     * readings are not part of it: they reach the log at commit, after the rows the merge covers.
     *
     * @return {@code true} if this step finished a merge: the log rows it covered (and the
     *     checkpoint covers) are deleted in the same transaction
     */
    boolean mergeStep() throws SQLException {
        if (merging == null) {
            List<byte[]> taken = new ArrayList<>();
            for (Payload p : payloads) {
                if (p.seq() > mergeLastSeq) {
                    taken.add(p.bytes());
                    mergeLastSeq = p.seq();
                    mergeLastLogId = p.logId();
                }
            }
            merging = Columns.decode(taken).sortByKey();
            unmergedCount = 0;
            mergeNext = 0;
        }
        int end = Math.min(merging.size, mergeNext + chunk);
        insert(merging, mergeNext, end);
        mergeNext = end;
        countWaiting();
        if (mergeNext < merging.size) {
            return false;
        }
        deleteMerged(mergeLastLogId);
        while (!payloads.isEmpty() && payloads.peekFirst().seq() <= mergeLastSeq) {
            payloads.pollFirst();
        }
        index.dropUpTo(mergeLastSeq);
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
            return;
        }
        if (merging != null) {
            insert(merging, mergeNext, merging.size);
        }
        List<byte[]> rest = new ArrayList<>();
        for (Payload p : payloads) {
            if (p.seq() > mergeLastSeq) {
                rest.add(p.bytes());
            }
        }
        if (!unlogged.isEmpty()) {
            rest.add(encode(unlogged));
        }
        Columns columns = Columns.decode(rest).sortByKey();
        insert(columns, 0, columns.size);
        deleteMerged(Long.MAX_VALUE);
        forgetMemory();
        direct = true;
        countWaiting();
    }

    private void forgetMemory() {
        unlogged.clear();
        payloads.clear();
        index.clear();
        merging = null;
        mergeLastSeq = openSeq - 1;
        unmergedCount = 0;
    }

    /**
     * Forgets what is held in memory, puts every logged reading into {@code readings}, in the open
     * transaction (at start, and after a rolled-back transaction), and returns the readings of the
     * log rows after the checkpoint, in log order: the caller replays them (a reading a meter's saved
     * state already includes is not newer than its latest, so a replay skips it), then commits a
     * checkpoint (which empties the log).
     */
    List<LoggedReading> recover() throws SQLException {
        forgetMemory();
        checkpoint = false;
        logged = false;
        loggedPayload = null;
        lastLogId = maxLogId();
        List<byte[]> all = new ArrayList<>();
        List<LoggedReading> replay = new ArrayList<>();
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("SELECT id > (SELECT log_rowid FROM checkpoint), payload "
                        + "FROM reading_log ORDER BY id")) {
            while (rs.next()) {
                byte[] payload = rs.getBytes(2);
                all.add(payload);
                if (rs.getBoolean(1)) {
                    replay.addAll(decode(payload));
                }
            }
        }
        Columns columns = Columns.decode(all).sortByKey();
        insert(columns, 0, columns.size);
        direct = true;
        countWaiting();
        return replay;
    }

    /** Committed readings not yet merged, as of the last commit or merge step; any thread. */
    int waiting() {
        return waiting;
    }

    private void countWaiting() {
        waiting = unmergedCount + (merging == null ? 0 : merging.size - mergeNext);
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

    private void insert(List<LoggedReading> readings) throws SQLException {
        if (!readings.isEmpty()) {
            Columns columns = Columns.decode(List.of(encode(readings))).sortByKey();
            insert(columns, 0, columns.size);
        }
    }

    /** Inserts the readings at positions {@code from..to} of the columns' order. */
    private void insert(Columns c, int from, int to) throws SQLException {
        for (int k = from; k < to; k++) {
            int i = c.order[k];
            insertReading.setLong(1, c.meter[i]);
            insertReading.setLong(2, c.ts[i]);
            insertReading.setLong(3, c.energy[i]);
            SqliteStore.setNullable(insertReading, 4, c.power[i] == NO_POWER ? null : c.power[i]);
            SqliteStore.setNullable(insertReading, 5, c.seq[i] == Reading.NO_SEQUENCE ? null : c.seq[i]);
            SqliteStore.setNullable(insertReading, 6, c.exported[i] == Reading.NO_EXPORT ? null : c.exported[i]);
            insertReading.setLong(7, c.delta[i]);
            insertReading.setInt(8, c.kind[i]);
            insertReading.setLong(9, c.from[i]);
            insertReading.addBatch();
        }
        if (to > from) {
            insertReading.executeBatch();
        }
    }

    private static void bind(PreparedStatement ps, long meterId, StoredReading r) throws SQLException {
        ps.setLong(1, meterId);
        ps.setLong(2, r.timestampMillis());
        ps.setLong(3, r.energyMwh());
        SqliteStore.setNullable(ps, 4, r.powerW());
        SqliteStore.setNullable(ps, 5, r.sequence() == Reading.NO_SEQUENCE ? null : r.sequence());
        SqliteStore.setNullable(ps, 6, r.exportedMwh() == Reading.NO_EXPORT ? null : r.exportedMwh());
        ps.setLong(7, r.deltaMwh());
        ps.setInt(8, r.kind().code());
        ps.setLong(9, r.fromMillis());
    }

    /** Packed readings decoded into one array per field, with an order over them. */
    static final class Columns {
        final long[] meter;
        final long[] ts;
        final long[] energy;
        final int[] power;
        final long[] seq;
        final long[] exported;
        final long[] delta;
        final byte[] kind;
        final long[] from;
        final int size;
        /** Positions in insertion order until {@link #sortByKey}. */
        final int[] order;

        private Columns(int size) {
            this.size = size;
            meter = new long[size];
            ts = new long[size];
            energy = new long[size];
            power = new int[size];
            seq = new long[size];
            exported = new long[size];
            delta = new long[size];
            kind = new byte[size];
            from = new long[size];
            order = new int[size];
        }

        /** The readings of the payloads, in the order they were logged. */
        static Columns decode(List<byte[]> payloads) {
            int n = 0;
            for (byte[] p : payloads) {
                n += p.length / PACKED_BYTES;
            }
            Columns c = new Columns(n);
            int i = 0;
            for (byte[] p : payloads) {
                ByteBuffer b = ByteBuffer.wrap(p);
                for (int at = 0; at + PACKED_BYTES <= p.length; at += PACKED_BYTES, i++) {
                    c.meter[i] = b.getLong(at + AT_METER);
                    c.ts[i] = b.getLong(at + AT_TS);
                    c.energy[i] = b.getLong(at + AT_ENERGY);
                    c.power[i] = b.getInt(at + AT_POWER);
                    c.seq[i] = b.getLong(at + AT_SEQ);
                    c.exported[i] = b.getLong(at + AT_EXPORTED);
                    c.delta[i] = b.getLong(at + AT_DELTA);
                    c.kind[i] = b.get(at + AT_KIND);
                    c.from[i] = b.getLong(at + AT_FROM);
                    c.order[i] = i;
                }
            }
            return c;
        }

        /**
         * Orders the readings by (meter, time). Sorts primitive keys (meter id, 32 bits, above the
         * position, 24 bits), then by time only within a meter, where logged readings are nearly
         * always in time order already (each was newer than its meter's latest).
         */
        Columns sortByKey() {
            boolean packable = size < 1 << 24;
            for (int i = 0; packable && i < size; i++) {
                packable = meter[i] >>> 32 == 0;
            }
            if (packable) {
                long[] keys = new long[size];
                for (int i = 0; i < size; i++) {
                    keys[i] = meter[i] << 24 | i;
                }
                Arrays.sort(keys);
                for (int k = 0; k < size; k++) {
                    order[k] = (int) (keys[k] & 0xFF_FFFF);
                }
            } else {
                sortRange(0, size, Comparator.comparingLong(i -> meter[i]));
            }
            int start = 0;
            for (int k = 1; k <= size; k++) {
                if (k == size || meter[order[k]] != meter[order[start]]) {
                    for (int j = start + 1; j < k; j++) {
                        if (ts[order[j]] < ts[order[j - 1]]) {
                            sortRange(start, k, Comparator.comparingLong(i -> ts[i]));
                            break;
                        }
                    }
                    start = k;
                }
            }
            return this;
        }

        private void sortRange(int from, int to, Comparator<Integer> by) {
            Integer[] range = new Integer[to - from];
            for (int k = from; k < to; k++) {
                range[k - from] = order[k];
            }
            Arrays.sort(range, by); // stable: equal keys keep their order
            for (int k = from; k < to; k++) {
                order[k] = range[k - from];
            }
        }

        /** The reading at position {@code k} of the order. */
        LoggedReading get(int k) {
            int i = order[k];
            return new LoggedReading(meter[i], new StoredReading(ts[i], energy[i], power[i] == NO_POWER ? null
                    : power[i], seq[i], exported[i], delta[i], ReadingKind.ofCode(kind[i]), from[i]));
        }
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
        return decode(payload, -1, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /**
     * The readings of one log row's payload of meter {@code meterId} (any meter if negative) with
     * {@code fromMillis <= ts < toMillis}, in the order they were logged; others are skipped
     * without being decoded.
     */
    static List<LoggedReading> decode(byte[] payload, long meterId, long fromMillis, long toMillis) {
        ByteBuffer b = ByteBuffer.wrap(payload);
        List<LoggedReading> readings = new ArrayList<>(meterId < 0 ? payload.length / PACKED_BYTES : 4);
        for (int at = 0; at + PACKED_BYTES <= payload.length; at += PACKED_BYTES) {
            long meter = b.getLong(at + AT_METER);
            long ts = b.getLong(at + AT_TS);
            if (meterId >= 0 && meter != meterId || ts < fromMillis || ts >= toMillis) {
                continue;
            }
            readings.add(decodeAt(payload, at));
        }
        return readings;
    }

    /** The packed reading at byte {@code at} of a payload. */
    static LoggedReading decodeAt(byte[] payload, int at) {
        ByteBuffer b = ByteBuffer.wrap(payload);
        int power = b.getInt(at + AT_POWER);
        return new LoggedReading(b.getLong(at + AT_METER), new StoredReading(b.getLong(at + AT_TS),
                b.getLong(at + AT_ENERGY), power == NO_POWER ? null : power, b.getLong(at + AT_SEQ),
                b.getLong(at + AT_EXPORTED), b.getLong(at + AT_DELTA), ReadingKind.ofCode(b.get(at + AT_KIND)),
                b.getLong(at + AT_FROM)));
    }
}
