package org.gridmeter.server.net;

import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A rate limit per key (a meter id, a client address): each key may do {@code perSecond} things a
 * second on average, and a burst of as many at once. One number per key — the time at which its
 * allowance is used up (the generic cell rate algorithm, a token bucket without a refill step) —
 * updated by compare-and-set, so any number of threads may ask at once without a lock. Keys quiet
 * long enough to have their whole burst back are swept out when the map grows: memory stays bounded
 * whatever keys arrive.
 *
 * @param <K> what is limited
 */
public final class RateLimit<K> {

    private static final long SECOND = 1_000_000_000L;
    /** Past this many keys, those with their burst back are swept out (at most once a second). */
    private static final int SWEEP_AT = 50_000;

    private final long nanosPerToken;
    private final long burstNanos;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<K, AtomicLong> usedUpAt = new ConcurrentHashMap<>();
    private final AtomicLong nextSweep = new AtomicLong(Long.MIN_VALUE);

    /**
     * @param perSecond things a second, and the burst allowed
     * @param nanoTime  the monotonic ticker
     */
    public RateLimit(int perSecond, LongSupplier nanoTime) {
        if (perSecond < 1) {
            throw new IllegalArgumentException("perSecond: " + perSecond + " (expected: at least 1)");
        }
        this.nanosPerToken = Math.max(1, SECOND / perSecond);
        this.burstNanos = SECOND;
        this.nanoTime = nanoTime;
    }

    /**
     * Takes one token of {@code key}: 0 if it was there, else how many nanoseconds until the next one
     * is (the thing is refused).
     */
    public long take(K key) {
        long now = nanoTime.getAsLong();
        AtomicLong tat = usedUpAt.get(key);
        if (tat == null) {
            sweep(now);
            tat = usedUpAt.computeIfAbsent(key, k -> new AtomicLong(now));
        }
        while (true) {
            long current = tat.get();
            long next = Math.max(current, now) + nanosPerToken;
            long over = next - now - burstNanos;
            if (over > 0) {
                return over;
            }
            if (tat.compareAndSet(current, next)) {
                return 0;
            }
        }
    }

    /** Whether {@code key} may do one more thing now (and it is counted if so). */
    public boolean allow(K key) {
        return take(key) == 0;
    }

    private void sweep(long now) {
        long due = nextSweep.get();
        if (usedUpAt.size() < SWEEP_AT || now - due < 0 || !nextSweep.compareAndSet(due, now + SECOND)) {
            return;
        }
        for (Iterator<AtomicLong> it = usedUpAt.values().iterator(); it.hasNext();) {
            if (it.next().get() - now <= 0) {
                it.remove(); // its whole burst is back: a new entry is the same
            }
        }
    }
}
