package org.gridmeter.server.usage;

import java.util.List;

/**
 * The storage operations the usage rules need, called only from the writer thread inside its
 * open transaction (so reads see the writes not yet committed).
 */
public interface ReadingRepository {

    void insert(long meterId, StoredReading reading);

    /** Changes the consumption decision of a stored reading. */
    void reclassify(long meterId, ConsumptionChain.Decision decision);

    /** The stored reading at exactly this time, or {@code null}. */
    StoredReading find(long meterId, long timestampMillis);

    /**
     * The latest {@link ReadingKind#NORMAL} reading strictly before {@code timestampMillis}, or
     * {@code null}: the last decision no later reading can change.
     */
    StoredReading lastNormalBefore(long meterId, long timestampMillis);

    /** The latest reading (of any kind) strictly before {@code timestampMillis}, or {@code null}. */
    StoredReading before(long meterId, long timestampMillis);

    /** Up to {@code limit} readings strictly after {@code timestampMillis}, oldest first. */
    List<StoredReading> after(long meterId, long timestampMillis, int limit);

    /** How many readings the open transaction holds so far (where the next one is inserted). */
    int position();

    /**
     * The handling of one datagram of the meter did what a replay of its readings could not redo (a
     * late reading, a reading decided again, a conflict): its readings inserted from
     * {@code firstPosition} on are not to be replayed, and what it did is kept instead: each change
     * of consumption, in order, and the meter's state after it.
     *
     * @param consumed {@code count} changes as (from, to, mWh) triples
     */
    void unreplayable(long meterId, int firstPosition, long[] consumed, int count, MeterState.Saved after);

    /** Records a notable event of a meter (reset, glitch, conflict), for people to inspect. */
    void event(long meterId, long timestampMillis, String kind, String detail);

    /**
     * Drops, at once, the readings of every meter older than {@code timestampMillis} where the store
     * keeps them apart by time (PostgreSQL's monthly partitions); returns how many parts it dropped.
     * Every meter's own oldest kept reading is at or after the time.
     */
    default int dropBefore(long timestampMillis) {
        return 0;
    }

    /** Deletes the meter's readings older than {@code timestampMillis}; returns how many. */
    default int deleteBefore(long meterId, long timestampMillis) {
        return 0;
    }
}
