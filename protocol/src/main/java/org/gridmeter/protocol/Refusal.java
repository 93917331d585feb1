package org.gridmeter.protocol;

import java.util.List;

/**
 * The server will never store these readings of meter {@code meterId}, for {@code reason}: the meter
 * stops resending them (PROTOCOL.md 1.6). Readings that may be stored later (a full queue, too many
 * unregistered meters) are neither acknowledged nor refused.
 */
public record Refusal(long meterId, RefusalReason reason, List<SequenceRange> ranges) {

    public Refusal {
        MeterIds.check(meterId);
        if (reason == null) {
            throw new IllegalArgumentException("reason: null");
        }
        ranges = List.copyOf(ranges);
        if (ranges.isEmpty() || ranges.size() > Wire.MAX_RANGES) {
            throw new IllegalArgumentException("ranges: " + ranges.size() + " (expected: 1.." + Wire.MAX_RANGES + ")");
        }
    }

    /** Whether this refusal covers the given sequence number. */
    public boolean covers(long sequence) {
        for (SequenceRange r : ranges) {
            if (r.covers(sequence)) {
                return true;
            }
        }
        return false;
    }
}
