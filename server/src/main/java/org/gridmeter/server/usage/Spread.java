package org.gridmeter.server.usage;

import java.math.BigInteger;

/**
 * Consumption measured between two readings is spread evenly over the time between them (linear
 * interpolation of the cumulative value). The portion that falls in a window is computed from a
 * cumulative floor, so the portions of adjacent windows always add up to the whole, to the mWh.
 */
public final class Spread {

    private Spread() {
    }

    /**
     * The part of {@code deltaMwh}, consumed evenly over {@code (from, to]}, that falls in
     * {@code [windowStart, windowEnd)}. With {@code from >= to} (a reading with nothing before it)
     * the whole amount sits at {@code to}.
     */
    public static long portion(long deltaMwh, long from, long to, long windowStart, long windowEnd) {
        return cumulative(deltaMwh, from, to, windowEnd) - cumulative(deltaMwh, from, to, windowStart);
    }

    /** The part of {@code deltaMwh} consumed before instant {@code t}. */
    static long cumulative(long deltaMwh, long from, long to, long t) {
        if (deltaMwh < 0) {
            return -cumulative(-deltaMwh, from, to, t); // so that taking back a spread undoes it exactly
        }
        if (from >= to) {
            return t > to ? deltaMwh : 0;
        }
        if (t <= from) {
            return 0;
        }
        if (t > to) {
            return deltaMwh;
        }
        long elapsed = t - from;
        long span = to - from;
        long high = Math.multiplyHigh(deltaMwh, elapsed);
        long low = deltaMwh * elapsed;
        if ((high == 0 && low >= 0) || (high == -1 && low < 0)) {
            return Math.floorDiv(low, span);
        }
        return BigInteger.valueOf(deltaMwh).multiply(BigInteger.valueOf(elapsed))
                .divide(BigInteger.valueOf(span)).longValueExact();
    }
}
