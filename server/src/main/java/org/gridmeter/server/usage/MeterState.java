package org.gridmeter.server.usage;

import org.gridmeter.protocol.Reading;

/**
 * One meter's running state. Owned by the single writer thread: not thread-safe. Readers see
 * {@link #snapshot()} copies instead.
 */
public final class MeterState {

    final long meterId;
    ConsumptionChain chain;
    long totalMwh;
    long firstTimestampMillis = -1;
    long lastTimestampMillis = -1;
    long lastEnergyMwh;
    Integer lastPowerW;
    long lastHeardMillis;
    long readings;
    long resets;
    long glitches;
    long conflicts;
    /** Readings before this were deleted by retention (the anchor at it kept), or -1. */
    long trimmedBeforeMillis = -1;
    /** Exported energy (solar) counted so far, resets folded in as for consumption. */
    long exportedTotalMwh;
    /** The exported register of the latest reading that had one, or {@link Reading#NO_EXPORT}. */
    long lastExportedMwh = Reading.NO_EXPORT;
    /** The last few gaps between datagrams (server clock, ms), for the usual interval; not saved. */
    private final int[] heardGaps = new int[8];
    private int gapCount;

    /** Changed since the last checkpoint that saved it. */
    boolean dirty;
    /** Changed in the open transaction: readers see the change once it commits. */
    boolean unpublished;
    /** Changed in the open transaction in a way a replay of the log could not redo: saved with that commit. */
    boolean unreplayable;

    MeterState(long meterId) {
        this.meterId = meterId;
        this.chain = new ConsumptionChain();
    }

    /** Rebuilds a state saved by {@link #saved()}. */
    public static MeterState restore(Saved saved) {
        MeterState state = new MeterState(saved.meterId());
        ConsumptionChain.Point level = saved.levelTimestampMillis() == Long.MIN_VALUE ? null
                : new ConsumptionChain.Point(saved.levelTimestampMillis(), saved.levelMwh(), Reading.NO_SEQUENCE);
        ConsumptionChain.Point pending = saved.pendingTimestampMillis() < 0 ? null
                : new ConsumptionChain.Point(saved.pendingTimestampMillis(), saved.pendingEnergyMwh(),
                        saved.pendingSequence());
        state.chain = new ConsumptionChain(level, pending, saved.lastSequence());
        state.totalMwh = saved.totalMwh();
        state.firstTimestampMillis = saved.firstTimestampMillis();
        state.lastTimestampMillis = saved.lastTimestampMillis();
        state.lastEnergyMwh = saved.lastEnergyMwh();
        state.lastPowerW = saved.lastPowerW();
        state.lastHeardMillis = saved.lastHeardMillis();
        state.readings = saved.readings();
        state.resets = saved.resets();
        state.glitches = saved.glitches();
        state.conflicts = saved.conflicts();
        state.trimmedBeforeMillis = saved.trimmedBeforeMillis();
        state.exportedTotalMwh = saved.exportedTotalMwh();
        state.lastExportedMwh = saved.lastExportedMwh();
        return state;
    }

    /** The row the store keeps for this meter so a restart resumes exactly here. */
    public Saved saved() {
        ConsumptionChain.Point pending = chain.pending();
        return new Saved(meterId, totalMwh, chain.levelMwh(), chain.levelTimestamp(), chain.lastSequence(),
                pending == null ? -1 : pending.timestampMillis(), pending == null ? 0 : pending.energyMwh(),
                pending == null ? Reading.NO_SEQUENCE : pending.sequence(), firstTimestampMillis,
                lastTimestampMillis, lastEnergyMwh, lastPowerW, lastHeardMillis, readings, resets, glitches, conflicts,
                trimmedBeforeMillis, exportedTotalMwh, lastExportedMwh);
    }

    /** A datagram was heard at {@code now} (server clock). */
    void heard(long now) {
        if (lastHeardMillis > 0 && now > lastHeardMillis) {
            heardGaps[gapCount++ % heardGaps.length] = (int) Math.min(Integer.MAX_VALUE, now - lastHeardMillis);
        }
        lastHeardMillis = now;
    }

    /** The median of the recent gaps between datagrams, or -1 with fewer than three. */
    long usualIntervalMillis() {
        int n = Math.min(gapCount, heardGaps.length);
        if (n < 3) {
            return -1;
        }
        int[] gaps = java.util.Arrays.copyOf(heardGaps, n);
        java.util.Arrays.sort(gaps);
        return gaps[n / 2];
    }

    public MeterSnapshot snapshot() {
        return new MeterSnapshot(meterId, totalMwh, lastTimestampMillis, lastEnergyMwh, lastPowerW, exportedTotalMwh,
                lastExportedMwh, lastHeardMillis, usualIntervalMillis(), readings, resets, glitches, conflicts);
    }

    public long meterId() {
        return meterId;
    }

    /** The persistent form of a meter's state (table {@code meter_state}). */
    public record Saved(long meterId, long totalMwh, long levelMwh, long levelTimestampMillis, long lastSequence,
            long pendingTimestampMillis, long pendingEnergyMwh, long pendingSequence, long firstTimestampMillis,
            long lastTimestampMillis, long lastEnergyMwh, Integer lastPowerW, long lastHeardMillis, long readings,
            long resets, long glitches, long conflicts, long trimmedBeforeMillis, long exportedTotalMwh,
            long lastExportedMwh) {
    }
}
