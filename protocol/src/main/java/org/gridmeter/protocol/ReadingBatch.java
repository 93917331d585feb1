package org.gridmeter.protocol;

import java.util.List;

/**
 * The readings of one datagram: one meter, 1..N readings.
 *
 * @param meterId     the meter (= user) id, unsigned 32-bit, at least 1
 * @param readings    in the order they were sent
 * @param integrity   how the datagram was (or is to be) protected
 * @param ackRequested whether the meter asked for an ACK
 * @param previousKey  whether its HMAC tag was made with the meter's previous key, still accepted while
 *                     the key is being changed (the ACK is then signed with that key too)
 */
public record ReadingBatch(long meterId, List<Reading> readings, Integrity integrity, boolean ackRequested,
        boolean previousKey) {

    /** A batch not authenticated with a previous key. */
    public ReadingBatch(long meterId, List<Reading> readings, Integrity integrity, boolean ackRequested) {
        this(meterId, readings, integrity, ackRequested, false);
    }

    public ReadingBatch {
        MeterIds.check(meterId);
        readings = List.copyOf(readings);
        if (readings.isEmpty()) {
            throw new IllegalArgumentException("readings: empty (expected: at least one)");
        }
    }

    /** Whether any reading carries the exported-energy register (then every one is encoded with it). */
    public boolean hasExport() {
        for (Reading r : readings) {
            if (r.hasExport()) {
                return true;
            }
        }
        return false;
    }
}
