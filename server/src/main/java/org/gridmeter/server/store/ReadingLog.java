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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    private static final int NO_POWER = ReadingRows.NO_POWER;
    /** In the kind byte: the reading's datagram logged its effects (see {@link LoggedEffects}); not replayed. */
    private static final int NOT_REPLAYABLE = 0x80;
    private static final int KIND_MASK = 0x7F;

    /** A merge starts once this many committed readings wait, however young (Tuning.mergeAt: ~30 MB packed). */
    private final int mergeAt;

    /** A committed log row's readings, kept until a merge has put them in the table. */
    private record Payload(long seq, long logId, long committedNanos, byte[] bytes) {
        int count() {
            return bytes.length / PACKED_BYTES;
        }
    }

    private final Connection connection;
    private final Database database;
    private final ReadingRows insertRows;
    private final PreparedStatement appendLog;
    private final long mergeAfterNanos;
    private final int chunk;
    private final java.util.function.LongSupplier nanoTime;

    /** Readings of the open transaction, in the order added: a handle's position. */
    private final List<LoggedReading> unlogged = new ArrayList<>();
    /** The open transaction's effects a replay of its readings could not redo. */
    private final LoggedEffects effects = new LoggedEffects();
    /** Committed payloads not merged yet, those of the merge under way included, oldest first. */
    private final ArrayDeque<Payload> payloads = new ArrayDeque<>();
    private final Map<Long, Payload> payloadsBySeq = new HashMap<>();
    /** Every meter's readings held by {@link #unlogged} and {@link #payloads}. */
    private final UnmergedIndex index = new UnmergedIndex();
    /**
     * The newest timestamp of each meter's readings in the {@code readings} table, where known (an
     * over-estimate after deletions, which is safe): a late reading newer than it is decided from
     * the unmerged readings alone, without asking the table.
     */
    private final Map<Long, Long> tableNewest = new HashMap<>();
    private final PreparedStatement newestInTable;
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
    /** Whose log rows this writer appends, recovers and deletes: 0 for a lone server, a node's incarnation in a cluster. */
    private final long writer;

    /**
     * @param writer   the writer whose log this is (see {@link #writer})
     * @param nanoTime the monotonic ticker that tells how long committed readings waited */
    ReadingLog(Connection connection, Database database, long mergeAfterNanos, int chunk, int mergeAt,
            long writer, java.util.function.LongSupplier nanoTime) throws SQLException {
        this.writer = writer;
        this.database = database;
        this.mergeAt = mergeAt;
        this.connection = connection;
        this.nanoTime = nanoTime;
        this.mergeAfterNanos = mergeAfterNanos;
        this.chunk = chunk;
        // a reading logged again with a new decision is a newer version of itself: the last one wins
        insertRows = database.readingRows(connection);
        appendLog = connection.prepareStatement("INSERT INTO reading_log (readings, payload, effects, writer) VALUES (?, ?, ?, "
                + writer + ")");
        try (Statement st = connection.createStatement()) {
            st.executeUpdate("INSERT INTO checkpoint (writer, log_rowid) VALUES (" + writer + ", 0) ON CONFLICT DO NOTHING");
        }
        newestInTable = connection.prepareStatement("SELECT coalesce(max(ts), " + Long.MIN_VALUE
                + ") FROM readings WHERE meter_id = ?");
        lastLogId = maxLogId();
    }

    /** Adds a newly decided reading to the open transaction (straight to the table after {@link #mergeAll}). */
    void add(long meterId, StoredReading reading) throws SQLException {
        if (direct) {
            insert(List.of(new LoggedReading(meterId, reading)));
            inTable(meterId, reading.timestampMillis());
            return;
        }
        index.add(meterId, reading.timestampMillis(), UnmergedIndex.handle(openSeq, unlogged.size()));
        unlogged.add(new LoggedReading(meterId, reading));
    }

    /** How many readings the open transaction holds so far: where the next one goes. */
    int openPosition() {
        return unlogged.size();
    }

    /**
     * The readings the open transaction added from {@code firstPosition} on (all of meter
     * {@code meterId}, of one datagram) have effects a replay of them could not redo: they are marked
     * so, and the effects are logged with them instead, as they happened: each change of consumption,
     * then the meter's state after the datagram. Nothing to do after {@link #mergeAll} (the
     * transaction is a checkpoint).
     *
     * @param consumed {@code count} changes as (from, to, mWh) triples
     */
    void unreplayable(long meterId, int firstPosition, long[] consumed, int count,
            org.gridmeter.server.usage.MeterState.Saved after) {
        if (direct) {
            return;
        }
        for (int i = firstPosition; i < unlogged.size(); i++) {
            unlogged.set(i, unlogged.get(i).notReplayable());
        }
        int position = unlogged.size();
        for (int i = 0; i < count; i++) {
            effects.consumed(position, meterId, consumed[3 * i], consumed[3 * i + 1], consumed[3 * i + 2]);
        }
        effects.state(position, after);
    }

    /** The meter's unmerged reading at exactly {@code ts} (the open transaction's or a committed one), or {@code null}. */
    StoredReading unmergedAt(long meterId, long ts) {
        UnmergedIndex.Entries entries = index.of(meterId);
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.timestamp(i) == ts) {
                return read(entries.handle(i));
            }
        }
        return null;
    }

    /**
     * The meter's latest unmerged reading before {@code ts} (only {@link ReadingKind#NORMAL} ones if
     * {@code normalOnly}), or {@code null}; only it is decoded.
     */
    StoredReading latestUnmergedBefore(long meterId, long ts, boolean normalOnly) {
        UnmergedIndex.Entries entries = index.of(meterId);
        int best = -1;
        for (int i = 0; i < entries.size(); i++) {
            long t = entries.timestamp(i);
            if (t < ts && (best < 0 || t > entries.timestamp(best))
                    && (!normalOnly || kindOf(entries.handle(i)) == ReadingKind.NORMAL.code())) {
                best = i;
            }
        }
        return best < 0 ? null : read(entries.handle(best));
    }

    /** The meter's unmerged readings after {@code ts}, in time order; empty after {@link #mergeAll}. */
    List<StoredReading> unmergedAfter(long meterId, long ts) {
        UnmergedIndex.Entries entries = index.of(meterId);
        List<StoredReading> readings = new ArrayList<>(2);
        for (int i = 0; i < entries.size(); i++) {
            if (entries.timestamp(i) > ts) {
                readings.add(read(entries.handle(i)));
            }
        }
        readings.sort(Comparator.comparingLong(StoredReading::timestampMillis));
        return readings;
    }

    private int kindOf(long handle) {
        long seq = UnmergedIndex.seq(handle);
        int position = UnmergedIndex.position(handle);
        if (seq == openSeq) {
            return unlogged.get(position).reading().kind().code();
        }
        return payload(seq).bytes()[position * PACKED_BYTES + AT_KIND] & KIND_MASK;
    }

    /**
     * The newest timestamp among the meter's readings in the table ({@code Long.MIN_VALUE} if none):
     * the table holds nothing of the meter after it. Asked of the table once per meter, then kept.
     */
    long tableNewest(long meterId) throws SQLException {
        Long known = tableNewest.get(meterId);
        if (known != null) {
            return known;
        }
        newestInTable.setLong(1, meterId);
        long newest;
        try (ResultSet rs = newestInTable.executeQuery()) {
            rs.next();
            newest = rs.getLong(1);
        }
        tableNewest.put(meterId, newest);
        return newest;
    }

    /** The table now holds a reading of the meter at {@code ts}. */
    private void inTable(long meterId, long ts) {
        tableNewest.computeIfPresent(meterId, (id, newest) -> Math.max(newest, ts));
    }

    /**
     * Gives a reading of the meter a new decision: one of the open transaction is changed where it
     * is; any other is logged again, with the new decision, as a newer version of itself (readers,
     * merges and recovery let the last version win), so that changing it costs no random write
     * into the table. In direct mode (after {@link #mergeAll}) the caller changes the table.
     *
     * @param current the reading as it stands (unmerged or in the table)
     * @return {@code false} in direct mode: the caller changes the table
     */
    boolean reclassify(long meterId, StoredReading current, ConsumptionChain.Decision d) {
        if (direct) {
            return false;
        }
        UnmergedIndex.Entries entries = index.of(meterId);
        long newest = UnmergedIndex.handle(openSeq, unlogged.size());
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.timestamp(i) != d.timestampMillis()) {
                continue;
            }
            long handle = entries.handle(i);
            if (UnmergedIndex.seq(handle) == openSeq) {
                int position = UnmergedIndex.position(handle);
                LoggedReading open = unlogged.get(position);
                unlogged.set(position, new LoggedReading(meterId, open.reading().reclassified(d), open.replayable()));
                return true;
            }
            entries.replace(i, newest); // its newest version is the one logged now
            unlogged.add(new LoggedReading(meterId, current.reclassified(d)));
            return true;
        }
        index.add(meterId, d.timestampMillis(), newest);
        unlogged.add(new LoggedReading(meterId, current.reclassified(d)));
        return true;
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
        Payload p = payloadsBySeq.get(seq);
        if (p == null) {
            throw new IllegalStateException("no unmerged payload " + seq + " (index out of step with the log)");
        }
        return p;
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
        if (!direct && (!unlogged.isEmpty() || !effects.isEmpty())) {
            loggedPayload = encode(unlogged);
            appendLog.setInt(1, unlogged.size());
            appendLog.setBytes(2, loggedPayload);
            appendLog.setBytes(3, effects.bytes());
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
                st.executeUpdate("UPDATE checkpoint SET log_rowid = " + lastLogId + " WHERE writer = " + writer);
                if (direct) {
                    st.executeUpdate("DELETE FROM reading_log WHERE writer = " + writer); // mergeAll put every logged reading in readings
                }
            }
        }
    }

    /** The transaction committed. */
    void afterCommit() {
        if (loggedPayload != null) {
            Payload payload = new Payload(openSeq, lastLogId, nanoTime.getAsLong(), loggedPayload);
            payloads.add(payload);
            payloadsBySeq.put(payload.seq(), payload);
            unmergedCount += unlogged.size();
            openSeq++;
            loggedPayload = null;
        }
        unlogged.clear();
        effects.clear();
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
        return oldest != null && (nowNanos - oldest.committedNanos() >= mergeAfterNanos || unmergedCount >= mergeAt);
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
        for (int k = mergeNext; k < end; k++) {
            inTable(merging.meter[merging.order[k]], merging.ts[merging.order[k]]);
        }
        mergeNext = end;
        countWaiting();
        if (mergeNext < merging.size) {
            return false;
        }
        deleteMerged(mergeLastLogId);
        while (!payloads.isEmpty() && payloads.peekFirst().seq() <= mergeLastSeq) {
            payloadsBySeq.remove(payloads.pollFirst().seq());
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
        effects.clear();
        payloads.clear();
        payloadsBySeq.clear();
        index.clear();
        tableNewest.clear(); // whole logs go to the table now: learnt again when needed
        merging = null;
        mergeLastSeq = openSeq - 1;
        unmergedCount = 0;
    }

    /**
     * Forgets what is held in memory, puts every logged reading into {@code readings}, in the open
     * transaction (at start, and after a rolled-back transaction), and returns what the log rows
     * after the checkpoint hold, in log order: the replayable readings (a reading a meter's saved
     * state already includes is not newer than its latest, so a replay skips it) and the effects
     * logged beside the others. The caller replays them, then commits a checkpoint (which empties
     * the log).
     */
    List<LogItem> recover() throws SQLException {
        forgetMemory();
        checkpoint = false;
        logged = false;
        loggedPayload = null;
        lastLogId = maxLogId();
        List<byte[]> all = new ArrayList<>();
        List<LogItem> replay = new ArrayList<>();
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery(logRowsOf(writer))) {
            while (rs.next()) {
                byte[] payload = rs.getBytes(2);
                all.add(payload);
                if (rs.getBoolean(1)) {
                    replayItems(decode(payload), LoggedEffects.decode(rs.getBytes(3)), replay);
                }
            }
        }
        Columns columns = Columns.decode(all).sortByKey();
        insert(columns, 0, columns.size);
        direct = true;
        countWaiting();
        return replay;
    }

    /** A writer's log rows, in log order, each with whether it is after that writer's checkpoint. */
    private static String logRowsOf(long writer) {
        return "SELECT id > (SELECT log_rowid FROM checkpoint WHERE writer = " + writer + "), payload, effects "
                + "FROM reading_log WHERE writer = " + writer + " ORDER BY id";
    }

    /**
     * Takes over meters from another writer (a cluster node's earlier owner, docs/scaling.md), in the
     * open transaction: puts that writer's logged readings of the meters {@code taken} selects into
     * {@code readings}, and returns what its log rows after its checkpoint hold for them, in log
     * order: what their saved states lack, for the caller to replay (as {@link #recover} does at a
     * restart). This writer's own memory stays; what it knew of those meters' table rows is dropped.
     */
    List<LogItem> adopt(long from, java.util.function.LongPredicate taken) throws SQLException {
        List<byte[]> merge = new ArrayList<>();
        List<LogItem> replay = new ArrayList<>();
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(logRowsOf(from))) {
            while (rs.next()) {
                List<LoggedReading> readings = new ArrayList<>();
                for (LoggedReading r : decode(rs.getBytes(2))) {
                    if (taken.test(r.meterId())) {
                        readings.add(r);
                    }
                }
                merge.add(encode(readings));
                if (rs.getBoolean(1)) {
                    List<LogItem> items = new ArrayList<>();
                    replayItems(readings, LoggedEffects.decode(rs.getBytes(3)), items);
                    for (LogItem item : items) {
                        if (taken.test(item.meterId())) {
                            replay.add(item);
                        }
                    }
                }
            }
        }
        Columns columns = Columns.decode(merge).sortByKey();
        insert(columns, 0, columns.size);
        tableNewest.keySet().removeIf(taken::test);
        return replay;
    }


    /**
     * Deletes the log and checkpoint of writers other than this one that {@code gone} names (cluster
     * incarnations no lease needs any more); their readings were merged by {@link #adopt}.
     */
    void dropLogsOf(List<Long> gone) throws SQLException {
        try (Statement st = connection.createStatement()) {
            for (long w : gone) {
                if (w != writer) {
                    st.executeUpdate("DELETE FROM reading_log WHERE writer = " + w);
                    st.executeUpdate("DELETE FROM checkpoint WHERE writer = " + w);
                }
            }
        }
    }

    /** One row's replayable readings and effects, interleaved as they were logged. */
    private static void replayItems(List<LoggedReading> readings, List<LoggedEffects.Positioned> effects,
            List<LogItem> into) {
        int next = 0;
        for (int p = 0; p <= readings.size(); p++) {
            while (next < effects.size() && effects.get(next).position() <= p) {
                into.add(effects.get(next++).item());
            }
            if (p < readings.size() && readings.get(p).replayable()) {
                into.add(new LogItem.Reading(readings.get(p)));
            }
        }
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
                "DELETE FROM reading_log WHERE writer = " + writer + " AND id <= "
                        + database.least("?", "(SELECT log_rowid FROM checkpoint WHERE writer = " + writer + ")"))) {
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
            if (k + 1 < to && c.meter[c.order[k + 1]] == c.meter[i] && c.ts[c.order[k + 1]] == c.ts[i]) {
                continue; // a later version of the reading follows: it wins (one statement may not upsert a key twice)
            }
            database.coverReading(connection, c.ts[i]);
            insertRows.add(c.meter[i], c.ts[i], c.energy[i], c.power[i], c.seq[i], c.exported[i], c.delta[i], c.kind[i],
                    c.from[i]);
        }
        insertRows.flush();
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
                    c.kind[i] = (byte) (b.get(at + AT_KIND) & KIND_MASK);
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
     * sequence (-1 for none), exported energy (-1 for none), consumption (mWh), kind code (1 byte;
     * bit 7 set when the reading is not replayable), consumption start.
     */
    static byte[] encode(List<LoggedReading> readings) {
        ByteBuffer b = ByteBuffer.allocate(readings.size() * PACKED_BYTES);
        for (LoggedReading row : readings) {
            StoredReading r = row.reading();
            b.putLong(row.meterId()).putLong(r.timestampMillis()).putLong(r.energyMwh())
                    .putInt(r.powerW() == null ? NO_POWER : r.powerW()).putLong(r.sequence())
                    .putLong(r.exportedMwh()).putLong(r.deltaMwh())
                    .put((byte) (r.kind().code() | (row.replayable() ? 0 : NOT_REPLAYABLE)))
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
        byte kind = b.get(at + AT_KIND);
        return new LoggedReading(b.getLong(at + AT_METER), new StoredReading(b.getLong(at + AT_TS),
                b.getLong(at + AT_ENERGY), power == NO_POWER ? null : power, b.getLong(at + AT_SEQ),
                b.getLong(at + AT_EXPORTED), b.getLong(at + AT_DELTA), ReadingKind.ofCode(kind & KIND_MASK),
                b.getLong(at + AT_FROM)), (kind & NOT_REPLAYABLE) == 0);
    }
}
