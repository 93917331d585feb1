package org.gridmeter.server.usage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The 15-minute consumption rollups: every decision is spread over the buckets its consumption
 * spans, so the buckets of any period add up to that period's consumption interpolated at its
 * ends (an invoice, to the mWh). A decision that spans more than {@value #SPAN_BUCKETS} buckets (a
 * meter silent for over a day, a reading decades late) is kept whole as a {@link Span} instead, so
 * that what one reading costs is bounded by the readings it touches, not by the time it covers;
 * readers add a span's exact portion of each period. Changes gather in memory and go to the store
 * when the meter's state is saved. Writer thread only.
 */
public final class Rollups implements ConsumptionListener {

    public static final long BUCKET_MILLIS = 15 * 60_000L;
    /** Decisions spanning more buckets than this (a day) are kept as spans. */
    public static final int SPAN_BUCKETS = 96;

    /** {@code mwh} consumed evenly over {@code (fromMillis, toMillis]}. */
    public record Span(long fromMillis, long toMillis, long mwh) {

        /** Its part of {@code [windowStart, windowEnd)}. */
        public long portion(long windowStart, long windowEnd) {
            return Spread.portion(mwh, fromMillis, toMillis, windowStart, windowEnd);
        }
    }

    /** Where rollups are added; writer thread, in its open transaction. */
    public interface Repository {
        /**
         * Adds {@code mwh} (possibly negative) to each meter's bucket, and each span (a span with the
         * same ends adds up; one that comes to zero is gone).
         */
        void addRollups(Map<Long, Map<Long, Long>> bucketsByMeter, Map<Long, List<Span>> spansByMeter);
    }

    /** A meter's changed buckets and spans since the last flush: a few, so kept in small arrays. */
    private static final class Pending {
        long[] starts = new long[2];
        long[] mwh = new long[2];
        int size;
        List<Span> spans;

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

        void add(Span span) {
            if (spans == null) {
                spans = new ArrayList<>(2);
            }
            spans.add(span);
        }

        Map<Long, Long> byStart() {
            Map<Long, Long> byBucket = new HashMap<>(size * 2);
            for (int i = 0; i < size; i++) {
                byBucket.merge(starts[i], mwh[i], Long::sum);
            }
            return byBucket;
        }
    }

    private Map<Long, Pending> pending = new HashMap<>();

    @Override
    public void consumed(long meterId, long fromMillis, long toMillis, long deltaMwh) {
        Pending p = pending.computeIfAbsent(meterId, id -> new Pending());
        if (isSpan(fromMillis, toMillis)) {
            p.add(new Span(fromMillis, toMillis, deltaMwh));
        } else {
            spread(deltaMwh, fromMillis, toMillis, p::add);
        }
    }

    /** Whether a decision over {@code (fromMillis, toMillis]} is kept as a span rather than in buckets. */
    public static boolean isSpan(long fromMillis, long toMillis) {
        return fromMillis < toMillis && Math.floorDiv(toMillis, BUCKET_MILLIS)
                - Math.floorDiv(fromMillis, BUCKET_MILLIS) > SPAN_BUCKETS;
    }

    /** Where {@link #spread} puts each bucket's part. */
    @FunctionalInterface
    interface BucketSink {
        void add(long bucketStartMillis, long mwh);
    }

    /** Spreads {@code deltaMwh}, consumed evenly over {@code (fromMillis, toMillis]}, over the buckets it touches. */
    private static void spread(long deltaMwh, long fromMillis, long toMillis, BucketSink sink) {
        long first = Math.floorDiv(Math.min(fromMillis, toMillis), BUCKET_MILLIS);
        long last = Math.floorDiv(toMillis, BUCKET_MILLIS);
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
        Map<Long, Map<Long, Long>> buckets = new HashMap<>(pending.size() * 2);
        Map<Long, List<Span>> spans = new HashMap<>();
        for (Map.Entry<Long, Pending> meter : pending.entrySet()) {
            buckets.put(meter.getKey(), meter.getValue().byStart());
            if (meter.getValue().spans != null) {
                spans.put(meter.getKey(), meter.getValue().spans);
            }
        }
        repository.addRollups(buckets, spans);
        pending = new HashMap<>();
    }

    /** Hands these meters' changes since their last flush to the store (a commit that saves them alone). */
    public void flush(Repository repository, java.util.Collection<Long> meterIds) {
        Map<Long, Map<Long, Long>> buckets = new HashMap<>(meterIds.size() * 2);
        Map<Long, List<Span>> spans = new HashMap<>();
        for (long meterId : meterIds) {
            Pending p = pending.remove(meterId);
            if (p != null) {
                buckets.put(meterId, p.byStart());
                if (p.spans != null) {
                    spans.put(meterId, p.spans);
                }
            }
        }
        if (!buckets.isEmpty()) {
            repository.addRollups(buckets, spans);
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
