package org.gridmeter.server.usage;

import org.gridmeter.protocol.Reading;

/**
 * A reading as stored: the meter's values plus the consumption the rules assigned to it.
 *
 * @param powerW      watts as sent, or derived from consumption for meters that send none; {@code null} if unknown
 * @param sequence    {@link Reading#NO_SEQUENCE} for legacy meters
 * @param exportedMwh {@link Reading#NO_EXPORT} for meters without the export register
 * @param deltaMwh    consumption since the previous reading (0 for glitches and pending readings)
 */
public record StoredReading(long timestampMillis, long energyMwh, Integer powerW, long sequence, long exportedMwh,
        long deltaMwh, ReadingKind kind) {

    /** This reading with another consumption decision. */
    public StoredReading reclassified(long newDeltaMwh, ReadingKind newKind) {
        return new StoredReading(timestampMillis, energyMwh, powerW, sequence, exportedMwh, newDeltaMwh, newKind);
    }

    public ConsumptionChain.Point point() {
        return new ConsumptionChain.Point(timestampMillis, energyMwh, sequence);
    }
}
