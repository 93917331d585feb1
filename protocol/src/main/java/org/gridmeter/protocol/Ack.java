package org.gridmeter.protocol;

/**
 * An acknowledgement: the readings of meter {@code meterId} with sequence numbers
 * {@code firstSequence..lastSequence} (inclusive, unsigned 32-bit) are stored.
 */
public record Ack(long meterId, long firstSequence, long lastSequence) {

    public Ack {
        if (meterId < 1 || meterId > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("meterId: " + meterId + " (expected: 1..4294967295)");
        }
        if (firstSequence < 0 || lastSequence > 0xFFFF_FFFFL || firstSequence > lastSequence) {
            throw new IllegalArgumentException("sequence range: " + firstSequence + ".." + lastSequence
                    + " (expected: 0 <= first <= last <= 4294967295)");
        }
    }

    /** Whether this ACK covers the given sequence number. */
    public boolean covers(long sequence) {
        return sequence >= firstSequence && sequence <= lastSequence;
    }
}
