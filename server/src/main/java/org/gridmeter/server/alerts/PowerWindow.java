package org.gridmeter.server.alerts;

import org.gridmeter.server.usage.Spread;

/**
 * The last 70 minutes of one meter's consumption in 5-minute slots, for the real-time rules (15
 * minutes against a limit, 5 minutes against the hour before). Consumption is spread over time as
 * everywhere else. 14 longs per meter. Writer thread only.
 */
final class PowerWindow {

    static final long SLOT_MILLIS = 5 * 60_000L;
    private static final int SLOTS = 14;

    private final long[] slots = new long[SLOTS];
    private long newestSlot = Long.MIN_VALUE;
    private long firstMillis = Long.MAX_VALUE;

    void add(long fromMillis, long toMillis, long deltaMwh) {
        long slotOfTo = Math.floorDiv(toMillis, SLOT_MILLIS);
        if (newestSlot == Long.MIN_VALUE || slotOfTo > newestSlot) {
            advanceTo(slotOfTo);
        }
        firstMillis = Math.min(firstMillis, fromMillis);
        long oldest = newestSlot - SLOTS + 1;
        for (long s = Math.max(oldest, Math.floorDiv(fromMillis, SLOT_MILLIS)); s <= slotOfTo; s++) {
            slots[(int) Math.floorMod(s, SLOTS)] += Spread.portion(deltaMwh, fromMillis, toMillis, s * SLOT_MILLIS,
                    (s + 1) * SLOT_MILLIS);
        }
    }

    private void advanceTo(long slot) {
        long from = newestSlot == Long.MIN_VALUE ? slot - SLOTS + 1 : Math.max(newestSlot + 1, slot - SLOTS + 1);
        for (long s = from; s <= slot; s++) {
            slots[(int) Math.floorMod(s, SLOTS)] = 0;
        }
        newestSlot = slot;
    }

    /** Whether consumption is known since at least {@code sinceMillis}. */
    boolean covers(long sinceMillis) {
        return firstMillis <= sinceMillis;
    }

    /**
     * Average power in watts over {@code [fromMillis, toMillis)}, assuming consumption is even
     * within each slot; {@code null} if the window reaches outside what is kept.
     */
    Double averageWatts(long fromMillis, long toMillis) {
        long first = Math.floorDiv(fromMillis, SLOT_MILLIS);
        long last = Math.floorDiv(toMillis - 1, SLOT_MILLIS);
        if (newestSlot == Long.MIN_VALUE || first < newestSlot - SLOTS + 1 || toMillis <= fromMillis) {
            return null;
        }
        double mwh = 0;
        for (long s = first; s <= last && s <= newestSlot; s++) {
            long overlap = Math.min(toMillis, (s + 1) * SLOT_MILLIS) - Math.max(fromMillis, s * SLOT_MILLIS);
            mwh += slots[(int) Math.floorMod(s, SLOTS)] * (double) overlap / SLOT_MILLIS;
        }
        return mwh * 3600 / (toMillis - fromMillis);
    }
}
