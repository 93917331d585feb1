package org.gridmeter.server.usage;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;
import org.gridmeter.protocol.Reading;
import org.gridmeter.server.usage.RecordOutcome.Fate;

/**
 * Applies the reading rules (docs/api.md, "How readings count") to incoming readings: duplicates change nothing, late readings land
 * where they belong, resets and glitches are told apart ({@link ConsumptionChain}), and readings of
 * unregistered meters are kept up to a bound. Single-threaded: only the writer thread calls it.
 */
public final class UsageRecorder {

    /** Readings fetched at a time when a late reading makes the ones after it be decided again. */
    private static final int REFEED_CHUNK = 64;

    private final ReadingRepository repository;
    private final ConsumptionListener listener;
    private final LiveMeters live;
    private final LongPredicate registered;
    private final Clock clock;
    private final int orphanLimit;
    /** Readings older than this before now are refused ({@code --retention}). */
    private final long retentionMillis;
    private final Map<Long, MeterState> states = new HashMap<>();
    private final List<MeterState> dirty = new ArrayList<>();
    /** Meters changed in the open transaction; published to readers after it commits. */
    private final List<MeterState> unpublished = new ArrayList<>();
    /** Whether the datagram being recorded did what a replay could not redo (late, re-decided, conflict). */
    private boolean datagramUnreplayable;
    /** The changes of consumption the datagram being recorded made, as (from, to, mWh) triples. */
    private long[] datagramChanges = new long[3 * 8];
    private int datagramChangeCount;
    /** Meters forgotten in the open transaction; removed from readers' view after it commits. */
    private final List<Long> forgotten = new ArrayList<>();
    private int orphanMeters;
    /** Replaying logged readings after a restart: they are stored already, and so are their events. */
    private boolean replaying;

    /**
     * @param registered tells whether a meter id belongs to a registered user
     * @param clock      the server clock, for when a meter was last heard and what is too old
     * @param retention  readings older than this are refused as too old
     */
    public UsageRecorder(ReadingRepository repository, ConsumptionListener listener, LiveMeters live,
            LongPredicate registered, Clock clock, int orphanLimit, Duration retention, Collection<MeterState> restored) {
        this.repository = repository;
        this.listener = listener;
        this.live = live;
        this.registered = registered;
        this.clock = clock;
        this.orphanLimit = orphanLimit;
        this.retentionMillis = retention.toMillis();
        restore(restored);
    }

    /** Replaces every meter's state with {@code restored} (at start, or after a rolled-back transaction). */
    public void restore(Collection<MeterState> restored) {
        states.clear();
        dirty.clear();
        unpublished.clear();
        forgotten.clear();
        orphanMeters = 0;
        adopt(restored);
    }

    /**
     * Adds the states of meters taken over from another cluster node (docs/scaling.md) to those held;
     * readers see them at once (they are what that node committed).
     */
    public void adopt(Collection<MeterState> restored) {
        for (MeterState state : restored) {
            forgotten.remove(state.meterId);
            states.put(state.meterId, state);
            live.publish(state.snapshot());
            if (!registered.test(state.meterId)) {
                orphanMeters++;
            }
        }
    }

    /**
     * Records the readings of one datagram of {@code meterId}, each in the datagram's order; the
     * outcome tells what became of each one (so the writer acknowledges exactly what is stored).
     */
    public RecordOutcome record(long meterId, List<Reading> readings) {
        MeterState state = stateOf(meterId);
        if (state == null) {
            return RecordOutcome.all(readings.size(), Fate.ORPHAN_DROPPED);
        }
        long now = clock.millis();
        long oldestKept = Math.max(state.trimmedBeforeMillis, now - Math.min(now, retentionMillis));
        int firstPosition = repository.position();
        datagramUnreplayable = false;
        datagramChangeCount = 0;
        Fate[] fates = new Fate[readings.size()];
        for (int i = 0; i < fates.length; i++) {
            Reading reading = readings.get(i);
            long ts = reading.timestampMillis();
            if (ts < oldestKept) {
                fates[i] = Fate.TOO_OLD;
            } else if (state.lastTimestampMillis < 0 || ts > state.lastTimestampMillis) {
                append(state, reading);
                fates[i] = Fate.STORED;
            } else {
                fates[i] = recordOlder(state, reading);
            }
        }
        state.heard(now);
        markDirty(state);
        if (datagramUnreplayable) {
            repository.unreplayable(meterId, firstPosition, datagramChanges, datagramChangeCount, state.saved());
        }
        return new RecordOutcome(fates);
    }

    /** A reading not newer than the meter's latest: a duplicate, a conflict, or a late reading to insert. */
    private Fate recordOlder(MeterState state, Reading reading) {
        long ts = reading.timestampMillis();
        StoredReading existing = ts == state.lastTimestampMillis
                ? new StoredReading(ts, state.lastEnergyMwh, null, 0, 0, 0, ReadingKind.NORMAL, ts)
                : repository.find(state.meterId, ts);
        if (existing == null) {
            insertLate(state, reading);
            markUnreplayable(state);
            return Fate.LATE;
        }
        if (existing.energyMwh() == reading.energyMwh()) {
            return Fate.DUPLICATE;
        }
        state.conflicts++;
        markUnreplayable(state);
        repository.event(state.meterId, ts, "conflict", "kept " + existing.energyMwh() + " mWh, ignored "
                + reading.energyMwh() + " mWh");
        return Fate.CONFLICT;
    }

    /** The meter's state, new if needed; {@code null} for a new orphan past the limit. */
    private MeterState stateOf(long meterId) {
        MeterState state = states.get(meterId);
        if (state == null) {
            boolean orphan = !registered.test(meterId);
            if (orphan && orphanMeters >= orphanLimit) {
                return null;
            }
            state = new MeterState(meterId);
            states.put(meterId, state);
            if (orphan) {
                orphanMeters++;
            }
        }
        return state;
    }

    /**
     * Applies a reading from the reading log again after a restart (see the store's reading log):
     * it was appended after the meter's latest reading when first recorded, so it takes the same
     * path again from the same saved state and makes the same decision. Nothing is written: the
     * reading and its events are stored already.
     *
     * @return {@code false} if the reading is not newer than the meter's latest (nothing done)
     */
    public boolean replay(long meterId, StoredReading row) {
        MeterState state = stateOf(meterId);
        if (state == null || state.lastTimestampMillis >= 0 && row.timestampMillis() <= state.lastTimestampMillis) {
            return false;
        }
        replaying = true;
        try {
            append(state, new Reading(row.sequence(), row.timestampMillis(), row.energyMwh(),
                    row.powerW() == null ? Reading.NO_POWER : row.powerW(), row.exportedMwh()));
        } finally {
            replaying = false;
        }
        markDirty(state);
        return true;
    }

    /** A reading newer than any stored for the meter: the common case, no reads needed. */
    private void append(MeterState state, Reading reading) {
        long ts = reading.timestampMillis();
        Integer power = reading.hasPower() ? reading.powerW() : null;
        for (ConsumptionChain.Decision d : state.chain.feed(ts, reading.energyMwh(), reading.sequence(),
                reading.powerW())) {
            if (d.timestampMillis() == ts) {
                power = power != null ? power : d.derivedPowerW();
                if (!replaying) {
                    repository.insert(state.meterId, new StoredReading(ts, reading.energyMwh(), power,
                            reading.sequence(), reading.exportedMwh(), d.deltaMwh(), d.kind(), d.fromMillis()));
                }
            } else if (!replaying) {
                repository.reclassify(state.meterId, d); // a pending reading settled: its consumption was 0
                markUnreplayable(state);
            }
            count(state, d);
            consumed(state, d, d.deltaMwh());
        }
        if (state.firstTimestampMillis < 0) {
            state.firstTimestampMillis = ts;
        }
        state.lastTimestampMillis = ts;
        state.lastEnergyMwh = reading.energyMwh();
        state.lastPowerW = power;
        state.readings++;
        if (reading.hasExport()) {
            state.exportedTotalMwh += exported(state.lastExportedMwh, reading.exportedMwh());
            state.lastExportedMwh = reading.exportedMwh();
        }
    }

    /**
     * The export counted between two readings' exported registers: their difference, or, when the
     * register went down (the meter was reset), the new value; {@code previous} may be
     * {@link Reading#NO_EXPORT} (nothing before: counted from zero).
     */
    static long exported(long previous, long current) {
        return previous == Reading.NO_EXPORT || current < previous ? current : current - previous;
    }

    /**
     * A late reading with an exported register between its neighbours {@code p} and {@code n}: the
     * total changes by {@code d(p, x) + d(x, n) - d(p, n)}, so it equals what in-order arrival counts.
     */
    private void exportedLate(MeterState state, Reading reading) {
        StoredReading before = repository.before(state.meterId, reading.timestampMillis());
        List<StoredReading> after = repository.after(state.meterId, reading.timestampMillis(), 1);
        long p = before == null ? Reading.NO_EXPORT : before.exportedMwh();
        long x = reading.exportedMwh();
        if (after.isEmpty() || after.get(0).exportedMwh() == Reading.NO_EXPORT) {
            state.exportedTotalMwh += exported(p, x);
            return;
        }
        long n = after.get(0).exportedMwh();
        state.exportedTotalMwh += exported(p, x) + exported(x, n) - exported(p, n);
    }

    /**
     * A reading older than the meter's latest: insert it and decide again every reading from the last
     * normal one before it (a reset or glitch before it may have been decided by a reading that came
     * early, so it is decided again too) up to the first reading after it that sets the level both
     * before and after: from there on, the chain's state and so every later decision are unchanged.
     */
    private void insertLate(MeterState state, Reading reading) {
        if (reading.hasExport()) {
            exportedLate(state, reading); // before the reading is inserted: its neighbours are then adjacent
        }
        long ts = reading.timestampMillis();
        StoredReading anchor = repository.lastNormalBefore(state.meterId, ts);
        ConsumptionChain chain = anchor == null ? new ConsumptionChain()
                : new ConsumptionChain(anchor.point(), null, anchor.sequence());
        long cursor = anchor == null ? Long.MIN_VALUE : anchor.timestampMillis();
        Map<Long, StoredReading> window = new HashMap<>();
        boolean inserted = false;
        boolean converged = false;
        List<StoredReading> chunk = repository.after(state.meterId, cursor, REFEED_CHUNK);
        while (!converged) {
            for (StoredReading row : chunk) {
                if (!inserted && row.timestampMillis() > ts) {
                    feedNew(state, chain, reading, window);
                    inserted = true;
                }
                window.put(row.timestampMillis(), row);
                ReadingKind ownKind = refeed(state, chain, row, window);
                if (inserted && ownKind.setsLevel() && row.kind().setsLevel()) {
                    converged = true;
                    break;
                }
                cursor = row.timestampMillis();
            }
            if (!converged && chunk.size() < REFEED_CHUNK) {
                break;
            }
            if (!converged) {
                chunk = repository.after(state.meterId, cursor, REFEED_CHUNK);
            }
        }
        if (!inserted) {
            feedNew(state, chain, reading, window);
        }
        if (!converged) {
            state.chain = chain; // decided again up to the newest reading: the tail state is the new chain's
        }
        state.readings++;
        if (ts < state.firstTimestampMillis) {
            state.firstTimestampMillis = ts;
        }
    }

    private void feedNew(MeterState state, ConsumptionChain chain, Reading reading, Map<Long, StoredReading> window) {
        long ts = reading.timestampMillis();
        List<ConsumptionChain.Decision> decisions = chain.feed(ts, reading.energyMwh(), reading.sequence(),
                reading.powerW());
        for (ConsumptionChain.Decision d : decisions) {
            if (d.timestampMillis() == ts) {
                Integer power = reading.hasPower() ? Integer.valueOf(reading.powerW()) : d.derivedPowerW();
                StoredReading row = new StoredReading(ts, reading.energyMwh(), power, reading.sequence(),
                        reading.exportedMwh(), d.deltaMwh(), d.kind(), d.fromMillis());
                repository.insert(state.meterId, row);
                window.put(ts, row);
                consumed(state, d, d.deltaMwh());
                count(state, d);
            } else {
                apply(state, window, d);
            }
        }
    }

    /** Feeds a stored reading again; applies changed decisions; returns the reading's own new kind. */
    private ReadingKind refeed(MeterState state, ConsumptionChain chain, StoredReading row,
            Map<Long, StoredReading> window) {
        ReadingKind own = row.kind();
        for (ConsumptionChain.Decision d : chain.feed(row.timestampMillis(), row.energyMwh(), row.sequence(),
                row.powerW() == null ? Reading.NO_POWER : row.powerW())) {
            apply(state, window, d);
            if (d.timestampMillis() == row.timestampMillis()) {
                own = d.kind();
            }
        }
        return own;
    }

    private void apply(MeterState state, Map<Long, StoredReading> window, ConsumptionChain.Decision d) {
        StoredReading old = window.get(d.timestampMillis());
        if (old == null) {
            old = repository.find(state.meterId, d.timestampMillis());
        }
        if (old.differsFrom(d)) {
            repository.reclassify(state.meterId, d);
            markUnreplayable(state);
            window.put(d.timestampMillis(), old.reclassified(d));
            if (old.deltaMwh() != 0) {
                changed(state.meterId, old.fromMillis(), old.timestampMillis(), -old.deltaMwh());
                state.totalMwh -= old.deltaMwh();
            }
            consumed(state, d, d.deltaMwh());
            if (old.kind() != d.kind()) {
                count(state, d);
            }
        }
    }

    private void consumed(MeterState state, ConsumptionChain.Decision d, long deltaMwh) {
        if (deltaMwh != 0) {
            state.totalMwh += deltaMwh;
            changed(state.meterId, d.fromMillis(), d.timestampMillis(), deltaMwh);
        }
    }

    /** Tells the listeners a change of consumption, and keeps it in case the datagram's effects must be logged. */
    private void changed(long meterId, long fromMillis, long toMillis, long deltaMwh) {
        listener.consumed(meterId, fromMillis, toMillis, deltaMwh);
        if (replaying) {
            return;
        }
        if (3 * datagramChangeCount + 3 > datagramChanges.length) {
            datagramChanges = java.util.Arrays.copyOf(datagramChanges, datagramChanges.length * 2);
        }
        datagramChanges[3 * datagramChangeCount] = fromMillis;
        datagramChanges[3 * datagramChangeCount + 1] = toMillis;
        datagramChanges[3 * datagramChangeCount + 2] = deltaMwh;
        datagramChangeCount++;
    }

    private void count(MeterState state, ConsumptionChain.Decision d) {
        if (d.kind() == ReadingKind.RESET) {
            state.resets++;
            if (!replaying) {
                repository.event(state.meterId, d.timestampMillis(), "reset",
                        "counter restarted from zero; consumption since restart " + d.deltaMwh() + " mWh");
            }
        } else if (d.kind() == ReadingKind.GLITCH) {
            state.glitches++;
            if (!replaying) {
                repository.event(state.meterId, d.timestampMillis(), "glitch", "transient drop ignored");
            }
        }
    }

    private void markDirty(MeterState state) {
        if (!state.dirty) {
            state.dirty = true;
            dirty.add(state);
        }
        if (!state.unpublished) {
            state.unpublished = true;
            unpublished.add(state);
        }
    }

    /** The datagram being recorded did what a replay of its readings could not redo: its effects are logged. */
    private void markUnreplayable(MeterState state) {
        datagramUnreplayable = true;
    }

    /**
     * Applies a change of consumption logged as an effect of a datagram a replay could not redo
     * (see the store's reading log): the listeners follow it; the meter's state comes with
     * {@link #replayState}.
     */
    public void replayChange(long meterId, long fromMillis, long toMillis, long deltaMwh) {
        listener.consumed(meterId, fromMillis, toMillis, deltaMwh);
    }

    /** Puts back a meter's state as logged after a datagram a replay could not redo. */
    public void replayState(MeterState.Saved saved) {
        MeterState state = MeterState.restore(saved);
        if (states.put(state.meterId, state) == null && !registered.test(state.meterId)) {
            orphanMeters++;
        }
        markDirty(state);
    }

    /** Makes what the last commit made durable visible to readers; call right after it committed. */
    public void publishCommitted() {
        for (MeterState state : unpublished) {
            state.unpublished = false;
            if (states.get(state.meterId) == state) {
                live.publish(state.snapshot());
            }
        }
        unpublished.clear();
        for (long meterId : forgotten) {
            if (!states.containsKey(meterId)) {
                live.remove(meterId);
            }
        }
        forgotten.clear();
    }

    /** The meter's latest reading's time as the writer knows it (uncommitted included), or -1. */
    public long lastTimestamp(long meterId) {
        MeterState state = states.get(meterId);
        return state == null ? -1 : state.lastTimestampMillis;
    }

    /** When the meter was last heard (server clock) as the writer knows it, or {@code Long.MIN_VALUE}. */
    public long lastHeard(long meterId) {
        MeterState state = states.get(meterId);
        return state == null ? Long.MIN_VALUE : state.lastHeardMillis;
    }

    /** The meter's usual interval between datagrams (ms) as the writer knows it, or -1. */
    public long usualInterval(long meterId) {
        MeterState state = states.get(meterId);
        return state == null ? -1 : state.usualIntervalMillis();
    }

    /** How many meters changed since the last {@link #drainDirty}. */
    public int dirtyCount() {
        return dirty.size();
    }

    /** The states changed since the last call, for the writer to save in a checkpoint. */
    public List<MeterState.Saved> drainDirty() {
        List<MeterState.Saved> saved = new ArrayList<>(dirty.size());
        for (MeterState state : dirty) {
            state.dirty = false;
            if (states.get(state.meterId) == state) {
                saved.add(state.saved());
            }
        }
        dirty.clear();
        return saved;
    }

    /**
     * Deletes raw readings older than {@code cutoffMillis} ({@code --retention}), keeping for each
     * meter its last normal reading before the cutoff: the anchor a late reading after the cutoff
     * is decided from. Totals, rollups and invoices are unaffected; readings older than the anchor
     * are refused from then on (nothing is left to decide them from). Returns how many were deleted.
     */
    public long retain(long cutoffMillis) {
        // first where each meter's kept readings will start, so that whole parts of the table older than
        // every meter's first kept reading go at once; then each meter's older rows
        Map<MeterState, Long> trims = new HashMap<>();
        long oldestKept = cutoffMillis;
        for (MeterState state : states.values()) {
            if (state.firstTimestampMillis < 0 || state.firstTimestampMillis >= cutoffMillis) {
                continue;
            }
            StoredReading anchor = repository.lastNormalBefore(state.meterId, cutoffMillis);
            if (anchor != null && anchor.timestampMillis() > state.firstTimestampMillis) {
                trims.put(state, anchor.timestampMillis());
                oldestKept = Math.min(oldestKept, anchor.timestampMillis());
            } else {
                oldestKept = Math.min(oldestKept, state.firstTimestampMillis);
            }
        }
        if (trims.isEmpty()) {
            return 0;
        }
        repository.dropBefore(oldestKept);
        long deleted = 0;
        for (Map.Entry<MeterState, Long> trim : trims.entrySet()) {
            MeterState state = trim.getKey();
            deleted += repository.deleteBefore(state.meterId, trim.getValue());
            state.firstTimestampMillis = trim.getValue();
            state.trimmedBeforeMillis = trim.getValue();
            markDirty(state);
        }
        return deleted;
    }

    /** A user registered with this id: its meter, if already heard, is no longer an orphan. */
    public void registered(long meterId) {
        if (states.containsKey(meterId)) {
            orphanMeters = Math.max(0, orphanMeters - 1);
        }
    }

    /** The meters whose state is held (registered or not), a copy. */
    public List<Long> meterIds() {
        return new ArrayList<>(states.keySet());
    }

    /** The meter's readings were deleted (with its user, or as orphans a keyed user refused): forget it. */
    public void forget(long meterId) {
        if (states.remove(meterId) != null && !registered.test(meterId)) {
            orphanMeters = Math.max(0, orphanMeters - 1);
        }
        forgotten.add(meterId);
    }

    public int orphanMeters() {
        return orphanMeters;
    }
}
