package org.gridmeter.server.ingest;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * {@code --max-rate}: a token bucket per meter id, so one meter flooding (a stuck loop, a student's
 * experiment, an attack) cannot take the writer from the others. Each meter may send
 * {@code perSecond} datagrams a second on average and a burst of as many at once (a meter that was
 * offline sends its backlog in batches, and a batch counts once). Buckets of meters quiet for a
 * second are full again, so they are dropped when the map grows: the memory stays bounded whatever
 * ids arrive. Thread-safe (one lock, uncontended on the single UDP event loop).
 */
final class MeterRateLimit {

    private static final long SECOND = 1_000_000_000L;
    /** Past this many buckets, the full ones are swept out (checked at most once a second). */
    private static final int SWEEP_AT = 50_000;

    private final long nanosPerToken;
    private final long burstNanos;
    private final LongSupplier nanoTime;
    /** Per meter: the time at which its bucket is empty again ("virtual scheduling"; GCRA). */
    private final Map<Long, long[]> emptyAt = new HashMap<>();
    private long nextSweep;

    /**
     * @param perSecond datagrams a second, and the burst allowed
     * @param nanoTime  the monotonic ticker
     */
    MeterRateLimit(int perSecond, LongSupplier nanoTime) {
        this.nanosPerToken = SECOND / perSecond;
        this.burstNanos = SECOND;
        this.nanoTime = nanoTime;
    }

    /** Takes one datagram's token; {@code false} if the meter is over its rate (the datagram is dropped). */
    synchronized boolean allow(long meterId) {
        long now = nanoTime.getAsLong();
        long[] tat = emptyAt.get(meterId);
        if (tat == null) {
            sweep(now);
            emptyAt.put(meterId, new long[] {now + nanosPerToken});
            return true;
        }
        long next = Math.max(tat[0], now) + nanosPerToken;
        if (next - now > burstNanos) {
            return false;
        }
        tat[0] = next;
        return true;
    }

    private void sweep(long now) {
        if (emptyAt.size() < SWEEP_AT || now - nextSweep < 0) {
            return;
        }
        nextSweep = now + SECOND;
        for (Iterator<long[]> it = emptyAt.values().iterator(); it.hasNext();) {
            if (it.next()[0] - now <= 0) {
                it.remove(); // a full bucket: a new one is the same
            }
        }
    }
}
