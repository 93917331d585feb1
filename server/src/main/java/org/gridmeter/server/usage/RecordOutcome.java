package org.gridmeter.server.usage;

import java.util.Arrays;
import java.util.List;

/**
 * What became of each reading of one datagram, in the datagram's order. The writer acknowledges the
 * readings that are in the store ({@link #inStore}), refuses for good the ones it will never store
 * ({@link Fate#CONFLICT}, {@link Fate#TOO_OLD}), and says nothing of the rest (a meter resends them).
 */
public final class RecordOutcome {

    /** One reading's fate. */
    public enum Fate {
        /** Newly stored, newer than the meter's latest reading. */
        STORED,
        /** Newly stored, older than the meter's latest reading (decided where it belongs). */
        LATE,
        /** Already stored with the same value: changed nothing, and it is in the store. */
        DUPLICATE,
        /** Already stored with another value: the first stays, this one was thrown away. */
        CONFLICT,
        /** Older than the retention window, or than what retention kept of the meter: never stored. */
        TOO_OLD,
        /** An unregistered meter while {@code --orphan-limit} meters are kept already: may be stored later. */
        ORPHAN_DROPPED
    }

    private final Fate[] fates;

    RecordOutcome(Fate[] fates) {
        this.fates = fates;
    }

    /** The outcome of a datagram whose readings met these fates, in order (tests, and replays of them). */
    public static RecordOutcome of(Fate... fates) {
        return new RecordOutcome(fates.clone());
    }

    /** Every reading of the datagram with the same fate. */
    static RecordOutcome all(int readings, Fate fate) {
        Fate[] fates = new Fate[readings];
        Arrays.fill(fates, fate);
        return new RecordOutcome(fates);
    }

    public int size() {
        return fates.length;
    }

    public Fate fate(int reading) {
        return fates[reading];
    }

    public List<Fate> fates() {
        return List.of(fates);
    }

    /** Whether reading {@code i} is now durably in the store (once committed): stored, or a duplicate of a stored one. */
    public boolean inStore(int i) {
        return fates[i] == Fate.STORED || fates[i] == Fate.LATE || fates[i] == Fate.DUPLICATE;
    }

    /** Newly stored readings, late ones included. */
    public int stored() {
        return count(Fate.STORED) + count(Fate.LATE);
    }

    public int late() {
        return count(Fate.LATE);
    }

    public int duplicates() {
        return count(Fate.DUPLICATE);
    }

    public int conflicts() {
        return count(Fate.CONFLICT);
    }

    public int tooOld() {
        return count(Fate.TOO_OLD);
    }

    public int orphanDropped() {
        return count(Fate.ORPHAN_DROPPED);
    }

    private int count(Fate fate) {
        int n = 0;
        for (Fate f : fates) {
            if (f == fate) {
                n++;
            }
        }
        return n;
    }

    @Override
    public String toString() {
        return "RecordOutcome" + Arrays.toString(fates);
    }
}
