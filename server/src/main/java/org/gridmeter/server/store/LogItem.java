package org.gridmeter.server.store;

import org.gridmeter.server.usage.MeterState;

/**
 * What a restart replays from the reading log after the last checkpoint, in log order: readings to
 * feed to the usage rules again, and, for datagrams whose effects a replay could not redo (a late
 * reading, a reading decided again, a conflict), those effects as they happened: each change of
 * consumption, then the meter's state after the datagram.
 */
public sealed interface LogItem {

    /** The meter the item is about. */
    long meterId();

    /** A reading that was the newest of its meter: the rules decide it again, the same way. */
    record Reading(LoggedReading reading) implements LogItem {
        @Override
        public long meterId() {
            return reading.meterId();
        }
    }

    /** {@code deltaMwh} of the meter's consumption over {@code (fromMillis, toMillis]} (negative: taken back). */
    record Consumed(long meterId, long fromMillis, long toMillis, long deltaMwh) implements LogItem {
    }

    /** The meter's whole running state after a datagram whose effects are logged. */
    record State(MeterState.Saved state) implements LogItem {
        @Override
        public long meterId() {
            return state.meterId();
        }
    }
}
