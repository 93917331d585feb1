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

        Map<Long, Long> byStart() {
            Map<Long, Long> byBucket = new HashMap<>(size * 2);
            for (int i = 0; i < size; i++) {
                byBucket.merge(starts[i], mwh[i], Long::sum);
            }
            return byBucket;
        }
    }

    private Map<Long, Buckets> pending = new HashMap<>();

    @Override
    public void consumed(long meterId, long fromMillis, long toMillis, long deltaMwh) {
        Buckets buckets = pending.computeIfAbsent(meterId, id -> new Buckets());
        spread(deltaMwh, fromMillis, toMillis, Long.MIN_VALUE, Long.MAX_VALUE, buckets::add);
    }

    /** Where {@link #spread} puts each bucket's part. */
    @FunctionalInterface
    public interface BucketSink {
        void add(long bucketStartMillis, long mwh);
    }

    /**
     * Spreads {@code deltaMwh}, consumed evenly over {@code (fromMillis, toMillis]}, over the
     * 15-minute buckets it touches whose start is in {@code [windowFrom, windowTo)}: the parts the
     * rollups hold for it.
     */
    public static void spread(long deltaMwh, long fromMillis, long toMillis, long windowFrom, long windowTo,
            BucketSink sink) {
        long first = Math.max(Math.floorDiv(Math.min(fromMillis, toMillis), BUCKET_MILLIS),
                windowFrom == Long.MIN_VALUE ? Long.MIN_VALUE : Math.floorDiv(windowFrom + BUCKET_MILLIS - 1, BUCKET_MILLIS));
        long last = Math.min(Math.floorDiv(toMillis, BUCKET_MILLIS),
                windowTo == Long.MAX_VALUE ? Long.MAX_VALUE : Math.floorDiv(windowTo - 1, BUCKET_MILLIS));
        for (long b = first; b <= last; b++) {
            long part = Spread.portion(deltaMwh, fromMillis, toMillis, b * BUCKET_MILLIS, (b + 1) * BUCKET_MILLIS);
            if (part != 0) {
                sink.add(b * BUCKET_MILLIS, part);
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
            changes.put(meter.getKey(), meter.getValue().byStart());
        }
        repository.addRollups(changes);
        pending = new HashMap<>();
    }

    /** Hands the meter's changes since its last flush to the store (a commit that saves this meter alone). */
    public void flush(Repository repository, long meterId) {
        Buckets buckets = pending.remove(meterId);
        if (buckets != null) {
            repository.addRollups(Map.of(meterId, buckets.byStart()));
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
