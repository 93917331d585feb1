package org.gridmeter.protocol;

import java.util.List;

/**
 * An acknowledgement: the readings of meter {@code meterId} with sequence numbers in {@code ranges}
 * are durably stored (PROTOCOL.md 1.5 says exactly which readings that covers).
 */
public record Ack(long meterId, List<SequenceRange> ranges) {

    public Ack {
        MeterIds.check(meterId);
        ranges = List.copyOf(ranges);
        if (ranges.isEmpty() || ranges.size() > Wire.MAX_RANGES) {
            throw new IllegalArgumentException("ranges: " + ranges.size() + " (expected: 1.." + Wire.MAX_RANGES + ")");
        }
    }

    /** An ACK of the single range {@code first..last}. */
    public Ack(long meterId, long first, long last) {
        this(meterId, List.of(new SequenceRange(first, last)));
    }

    /** Whether this ACK covers the given sequence number. */
    public boolean covers(long sequence) {
        for (SequenceRange r : ranges) {
            if (r.covers(sequence)) {
                return true;
            }
        }
        return false;
    }
}
