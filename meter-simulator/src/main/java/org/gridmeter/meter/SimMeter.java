package org.gridmeter.meter;

import java.util.ArrayDeque;
import java.util.Random;
import org.gridmeter.protocol.Ack;
import org.gridmeter.protocol.Reading;
import org.gridmeter.protocol.Refusal;

/** One simulated meter's state. Used by the fleet's single thread only (the status line reads a few fields). */
final class SimMeter {

    /** A reading not yet acknowledged, and when it was last sent (wall clock). */
    record Unacked(Reading reading, long lastSentNanos) {
    }

    /** Readings kept for resending; beyond this the oldest are given up (and counted). */
    static final int MAX_UNACKED = 10_000;

    final long id;
    final Random random;
    long nextSequence;
    long energyMwh;
    long nextDueMillis;
    /** When the last reading was taken (simulated time), or {@code Long.MIN_VALUE} before the first. */
    long lastMillis = Long.MIN_VALUE;
    long generated;
    long acked;
    /** Readings the server refused for good (a conflicting value, too old): never resent. */
    long refused;
    long givenUp;
    volatile double watts;
    final ArrayDeque<Unacked> unacked = new ArrayDeque<>();
    /** While catching up: readings made but not sent yet, gathered into one datagram (a backlog batch). */
    final java.util.List<Reading> held = new java.util.ArrayList<>();
    /** When the first of {@link #held} was made (monotonic). */
    long heldSinceNanos;
    /** How long unacknowledged readings wait before a resend: doubles (up to 8 s) while ACKs do not come, back to 1 s when they do. */
    long resendAfterNanos = MIN_RESEND_NANOS;

    static final long MIN_RESEND_NANOS = 1_000_000_000L;
    static final long MAX_RESEND_NANOS = 8_000_000_000L;

    SimMeter(long id, long seed, long firstDueMillis) {
        this.id = id;
        this.random = new Random(seed);
        this.nextDueMillis = firstDueMillis;
    }

    void keep(Reading reading, long nowNanos) {
        unacked.addLast(new Unacked(reading, nowNanos));
        while (unacked.size() > MAX_UNACKED) {
            unacked.removeFirst();
            givenUp++;
        }
    }

    /** Drops the readings the server refused for good; returns how many. */
    int refused(Refusal refusal) {
        int before = unacked.size();
        unacked.removeIf(u -> refusal.covers(u.reading().sequence()));
        int removed = before - unacked.size();
        refused += removed;
        return removed;
    }

    /** Drops the readings the ACK covers; returns how many it acknowledged. */
    int acknowledge(Ack ack) {
        int before = unacked.size();
        unacked.removeIf(u -> ack.covers(u.reading().sequence()));
        int removed = before - unacked.size();
        acked += removed;
        if (removed > 0) {
            resendAfterNanos = MIN_RESEND_NANOS;
        }
        return removed;
    }
}
