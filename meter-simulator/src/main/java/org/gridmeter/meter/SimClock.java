package org.gridmeter.meter;

import java.time.Clock;
import java.time.Instant;

/**
 * The meters' clock: starts at {@code start} and runs {@code speed} times faster than the wall
 * clock, but never past the wall clock; once it catches up it runs in real time. So a class can
 * start meters three months back at 3600x and watch invoices close within a minute. Thread-safe.
 */
final class SimClock {

    private final Clock wall;
    private final java.util.function.LongSupplier nanoTime;
    private final long startMillis;
    private final long wallStartNanos;
    private final double speed;

    /**
     * @param wall     the wall clock: simulated time never passes it
     * @param nanoTime the monotonic ticker simulated time runs by
     * @param start    where simulated time starts, or {@code null} for now
     */
    SimClock(Clock wall, java.util.function.LongSupplier nanoTime, Instant start, double speed) {
        this.wall = wall;
        this.nanoTime = nanoTime;
        this.startMillis = start == null ? wall.millis() : Math.min(start.toEpochMilli(), wall.millis());
        this.wallStartNanos = nanoTime.getAsLong();
        this.speed = speed;
    }

    /** Where simulated time started. */
    long startMillis() {
        return startMillis;
    }

    /** Simulated epoch milliseconds now. */
    long millis() {
        double elapsed = (nanoTime.getAsLong() - wallStartNanos) / 1e6 * speed;
        return Math.min(wall.millis(), startMillis + (long) elapsed);
    }

    /** The wall clock's epoch milliseconds now. */
    long wallMillis() {
        return wall.millis();
    }

    /** Whether simulated time has caught up with the wall clock. */
    boolean realTime() {
        return millis() >= wall.millis() - 1;
    }

    /** Wall nanoseconds until simulated time reaches {@code simMillis} (0 if reached). */
    long nanosUntil(long simMillis) {
        long behind = simMillis - millis();
        if (behind <= 0) {
            return 0;
        }
        return realTime() ? behind * 1_000_000 : (long) (behind * 1_000_000 / speed);
    }
}
