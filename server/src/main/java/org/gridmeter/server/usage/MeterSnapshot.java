package org.gridmeter.server.usage;

/**
 * What is known of one meter right now, as published for readers (HTTP threads). Immutable.
 *
 * @param lastTimestampMillis the latest reading's time, or {@code -1} if none is stored
 * @param lastPowerW          the latest reading's power, or {@code null}
 * @param exportedTotalMwh    exported energy (solar) counted so far, 0 for meters without the register
 * @param lastExportedMwh     the exported register as last sent, or {@link org.gridmeter.protocol.Reading#NO_EXPORT}
 * @param lastHeardMillis     server clock when the meter was last heard
 * @param usualIntervalMillis the median time between its recent datagrams, or -1 if not known yet
 */
public record MeterSnapshot(long meterId, long totalMwh, long lastTimestampMillis, long lastEnergyMwh,
        Integer lastPowerW, long exportedTotalMwh, long lastExportedMwh, long lastHeardMillis, long usualIntervalMillis,
        long readings,
        long resets, long glitches, long conflicts) {

    public boolean hasReading() {
        return lastTimestampMillis >= 0;
    }
}
