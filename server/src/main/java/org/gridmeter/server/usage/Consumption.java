package org.gridmeter.server.usage;

import java.util.List;
import java.util.NavigableMap;

/**
 * A meter's consumption over a range, as the rollups hold it: 15-minute buckets and the spans kept
 * whole (see {@link Rollups}). Immutable; what one read of the store saw.
 *
 * @param buckets bucket start to mWh, for the buckets whose start is in the range read
 * @param spans   every span that overlaps the range read
 */
public record Consumption(NavigableMap<Long, Long> buckets, List<Rollups.Span> spans) {

    /**
     * What was consumed over {@code [fromMillis, toMillis)}, both on 15-minute boundaries and within
     * the range read: exact, as an invoice's boundaries are.
     */
    public long between(long fromMillis, long toMillis) {
        long sum = 0;
        for (long mwh : buckets.subMap(fromMillis, true, toMillis, false).values()) {
            sum += mwh;
        }
        for (Rollups.Span span : spans) {
            sum += span.portion(fromMillis, toMillis);
        }
        return sum;
    }

    /**
     * As {@link #between}, for ends anywhere: a bucket cut by an end counts in proportion to the
     * part inside (consumption taken as even within a bucket); spans count exactly.
     */
    public long prorated(long fromMillis, long toMillis) {
        long sum = 0;
        for (var bucket : buckets.subMap(Math.floorDiv(fromMillis, Rollups.BUCKET_MILLIS) * Rollups.BUCKET_MILLIS,
                true, toMillis, false).entrySet()) {
            long start = bucket.getKey();
            long overlap = Math.min(toMillis, start + Rollups.BUCKET_MILLIS) - Math.max(fromMillis, start);
            sum += overlap >= Rollups.BUCKET_MILLIS ? bucket.getValue()
                    : Math.round((double) bucket.getValue() * overlap / Rollups.BUCKET_MILLIS);
        }
        for (Rollups.Span span : spans) {
            sum += span.portion(fromMillis, toMillis);
        }
        return sum;
    }
}
