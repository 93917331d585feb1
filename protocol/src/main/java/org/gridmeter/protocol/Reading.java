package org.gridmeter.protocol;

/**
 * One meter reading as carried on the wire.
 *
 * @param sequence        per-meter counter, unsigned 32-bit (0..4294967295), +1 per reading, 0 after a
 *                        meter restart; {@link #NO_SEQUENCE} for legacy datagrams, which have none
 * @param timestampMillis when the reading was taken, epoch milliseconds (0..{@link Wire#MAX_TIMESTAMP_MILLIS})
 * @param energyMwh       cumulative imported energy in milliwatt-hours, never negative
 * @param powerW          average power over the last interval in watts; {@link #NO_POWER} if unknown (legacy)
 * @param exportedMwh     cumulative exported energy in mWh, or {@link #NO_EXPORT} if the meter has none
 */
public record Reading(long sequence, long timestampMillis, long energyMwh, int powerW, long exportedMwh) {

    public static final long NO_SEQUENCE = -1;
    public static final int NO_POWER = Integer.MIN_VALUE;
    public static final long NO_EXPORT = -1;

    public Reading {
        if (sequence != NO_SEQUENCE && (sequence < 0 || sequence > 0xFFFF_FFFFL)) {
            throw new IllegalArgumentException("sequence: " + sequence + " (expected: 0..4294967295)");
        }
        if (timestampMillis < 0 || timestampMillis > Wire.MAX_TIMESTAMP_MILLIS) {
            throw new IllegalArgumentException("timestampMillis: " + timestampMillis
                    + " (expected: 0.." + Wire.MAX_TIMESTAMP_MILLIS + ")");
        }
        if (energyMwh < 0) {
            throw new IllegalArgumentException("energyMwh: " + energyMwh + " (expected: >= 0)");
        }
        if (exportedMwh < 0 && exportedMwh != NO_EXPORT) {
            throw new IllegalArgumentException("exportedMwh: " + exportedMwh + " (expected: >= 0)");
        }
    }

    /** A reading without the exported-energy register. */
    public Reading(long sequence, long timestampMillis, long energyMwh, int powerW) {
        this(sequence, timestampMillis, energyMwh, powerW, NO_EXPORT);
    }

    public boolean hasExport() {
        return exportedMwh != NO_EXPORT;
    }

    public boolean hasPower() {
        return powerW != NO_POWER;
    }
}
