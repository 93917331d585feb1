package org.gridmeter.server.usage;

import java.util.Arrays;
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

    /** A meter's changed buckets since the last flush: a few, so kept in two small arrays. */
    private static final class Buckets {
        long[] starts = new long[2];
        long[] mwh = new long[2];
        int size;

        void add(long start, long part) {
            for (int i = size - 1; i >= 0; i--) {
                if (starts[i] == start) {
                    mwh[i] += part;
                    return;
                }
            }
            if (size == starts.length) {
                starts = Arrays.copyOf(starts, size * 2);
                mwh = Arrays.copyOf(mwh, size * 2);
            }
            starts[size] = start;
            mwh[size++] = part;
        }
    }

    private Map<Long, Buckets> pending = new HashMap<>();

    @Override
    public void consumed(long meterId, long fromMillis, long toMillis, long deltaMwh) {
        Buckets buckets = pending.computeIfAbsent(meterId, id -> new Buckets());
        long first = Math.floorDiv(Math.min(fromMillis, toMillis), BUCKET_MILLIS);
        long last = Math.floorDiv(toMillis, BUCKET_MILLIS);
        for (long b = first; b <= last; b++) {
            long part = Spread.portion(deltaMwh, fromMillis, toMillis, b * BUCKET_MILLIS, (b + 1) * BUCKET_MILLIS);
            if (part != 0) {
                buckets.add(b * BUCKET_MILLIS, part);
            }
        }
    }

    /** Hands the changes since the last flush to the store. */
    public void flush(Repository repository) {
        if (pending.isEmpty()) {
            return;
        }
        Map<Long, Map<Long, Long>> changes = new HashMap<>(pending.size() * 2);
        for (Map.Entry<Long, Buckets> meter : pending.entrySet()) {
            Buckets b = meter.getValue();
            Map<Long, Long> byBucket = new HashMap<>(b.size * 2);
            for (int i = 0; i < b.size; i++) {
                byBucket.merge(b.starts[i], b.mwh[i], Long::sum);
            }
            changes.put(meter.getKey(), byBucket);
        }
        repository.addRollups(changes);
        pending = new HashMap<>();
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
