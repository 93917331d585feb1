package org.gridmeter.server.usage;

import org.gridmeter.protocol.Reading;

/**
 * A reading as stored: the meter's values plus the consumption the rules assigned to it.
 *
 * @param powerW      watts as sent, or derived from consumption for meters that send none; {@code null} if unknown
 * @param sequence    {@link Reading#NO_SEQUENCE} for legacy meters
 * @param exportedMwh {@link Reading#NO_EXPORT} for meters without the export register
 * @param deltaMwh    consumption since the previous reading (0 for glitches and pending readings)
 * @param fromMillis  when that consumption started: it is spread over {@code (fromMillis, timestampMillis]}
 */
public record StoredReading(long timestampMillis, long energyMwh, Integer powerW, long sequence, long exportedMwh,
        long deltaMwh, ReadingKind kind, long fromMillis) {

    /** This reading with another consumption decision. */
    public StoredReading reclassified(ConsumptionChain.Decision d) {
        return new StoredReading(timestampMillis, energyMwh, powerW, sequence, exportedMwh, d.deltaMwh(), d.kind(),
                d.fromMillis());
    }

    /** Whether {@code d} decides this reading differently from how it is stored. */
    public boolean differsFrom(ConsumptionChain.Decision d) {
        return deltaMwh != d.deltaMwh() || kind != d.kind() || (deltaMwh != 0 && fromMillis != d.fromMillis());
    }

    public ConsumptionChain.Point point() {
        return new ConsumptionChain.Point(timestampMillis, energyMwh, sequence);
    }
}
