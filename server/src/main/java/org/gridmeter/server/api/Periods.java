package org.gridmeter.server.api;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import org.gridmeter.server.store.ReadingQueries;
import org.gridmeter.server.usage.Consumption;
import org.gridmeter.server.usage.Rollups;
import org.gridmeter.server.usage.Spread;
import org.gridmeter.server.usage.StoredReading;

/**
 * A meter's consumption over any period, exact as an invoice's: the whole 15-minute buckets inside
 * come from the rollups, and the parts of a bucket at either end from the readings on either side of
 * the boundary (consumption between two readings is spread evenly between them). Where retention has
 * deleted the raw readings, the part of a bucket counts in proportion to its time. Blocking: reads.
 */
final class Periods {

    private final ReadingQueries queries;
    private final Clock clock;
    private final long retentionMillis;

    Periods(ReadingQueries queries, Clock clock, Duration retention) {
        this.queries = queries;
        this.clock = clock;
        this.retentionMillis = retention.toMillis();
    }

    /** The meter's rollups over {@code [fromMillis, toMillis)}, read once, to ask about periods inside it. */
    Meter of(long meterId, long fromMillis, long toMillis) throws SQLException {
        return new Meter(meterId, queries.consumption(meterId, floor(fromMillis), ceil(toMillis)));
    }

    /** One meter's consumption over the range it was read for. */
    final class Meter {
        private final long meterId;
        private final Consumption rollups;

        private Meter(long meterId, Consumption rollups) {
            this.meterId = meterId;
            this.rollups = rollups;
        }

        /** What was consumed over {@code [a, b)}, to the mWh. */
        long between(long a, long b) throws SQLException {
            if (b <= a) {
                return 0;
            }
            long wholeFrom = ceil(a);
            long wholeTo = floor(b);
            if (wholeFrom >= wholeTo) {
                return part(a, b);
            }
            return part(a, wholeFrom) + rollups.between(wholeFrom, wholeTo) + part(wholeTo, b);
        }

        /** {@code [x, y)}, less than a bucket wide or so: from the readings around it. */
        private long part(long x, long y) throws SQLException {
            if (y <= x) {
                return 0;
            }
            if (x < clock.millis() - Math.min(clock.millis(), retentionMillis)) {
                return rollups.prorated(x, y); // the raw readings may be gone
            }
            long sum = 0;
            for (StoredReading r : queries.overlapping(meterId, x, y)) {
                sum += Spread.portion(r.deltaMwh(), r.fromMillis(), r.timestampMillis(), x, y);
            }
            return sum;
        }
    }

    private static long floor(long millis) {
        return Math.floorDiv(millis, Rollups.BUCKET_MILLIS) * Rollups.BUCKET_MILLIS;
    }

    private static long ceil(long millis) {
        return -Math.floorDiv(-millis, Rollups.BUCKET_MILLIS) * Rollups.BUCKET_MILLIS;
    }
}
