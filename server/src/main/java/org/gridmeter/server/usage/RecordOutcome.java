package org.gridmeter.server.usage;

/**
 * What became of the readings of one datagram.
 *
 * @param stored       newly stored
 * @param duplicates   already stored with the same value (changed nothing)
 * @param conflicts    already stored with another value (the first stays)
 * @param late         stored although older than the meter's latest reading
 * @param orphanDropped dropped because too many unregistered meters are kept already
 * @param tooOld        dropped because older than what retention kept of the meter (nothing to decide them from)
 */
public record RecordOutcome(int stored, int duplicates, int conflicts, int late, int orphanDropped, int tooOld) {

    /** Whether every reading is now in the store (so the datagram may be acknowledged). */
    public boolean allKept() {
        return orphanDropped == 0 && tooOld == 0;
    }
}
