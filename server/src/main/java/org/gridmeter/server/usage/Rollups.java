package org.gridmeter.server.usage;

import java.util.HashMap;
import java.util.Map;

/**
 * The 15-minute consumption rollups: every decision is spread over the buckets its consumption
 * spans, so the buckets of any period add up to that period's consumption interpolated at its
 * ends (an invoice, to the mWh). Changes gather in memory and go to the store at each checkpoint.
 * Writer thread only.
 */
public final class Rollups implements ConsumptionListener {

    public static final long BUCKET_MILLIS = 15 * 60_000L;

    /** Where rollups are added; writer thread, in its open transaction. */
    public interface Repository {
        /** Adds {@code mwh} (possibly negative) to each meter's bucket. */
        void addRollups(Map<Long, Map<Long, Long>> changesByMeterAndBucket);
    }

    private Map<Long, Map<Long, Long>> pending = new HashMap<>();

    @Override
    public void consumed(long meterId, long fromMillis, long toMillis, long deltaMwh) {
        Map<Long, Long> buckets = pending.computeIfAbsent(meterId, id -> new HashMap<>());
        long first = Math.floorDiv(Math.min(fromMillis, toMillis), BUCKET_MILLIS);
        long last = Math.floorDiv(toMillis, BUCKET_MILLIS);
        for (long b = first; b <= last; b++) {
            long part = Spread.portion(deltaMwh, fromMillis, toMillis, b * BUCKET_MILLIS, (b + 1) * BUCKET_MILLIS);
            if (part != 0) {
                buckets.merge(b * BUCKET_MILLIS, part, Long::sum);
            }
        }
    }

    /** Hands the changes since the last flush to the store. */
    public void flush(Repository repository) {
        if (!pending.isEmpty()) {
            repository.addRollups(pending);
            pending = new HashMap<>();
        }
    }

    /** Forgets the meter's unflushed changes (its user was deleted). */
    public void forget(long meterId) {
        pending.remove(meterId);
    }

    /** Forgets unflushed changes (after a rolled-back transaction). */
    public void discard() {
        pending = new HashMap<>();
    }
}
