package org.gridmeter.server.store;

import org.gridmeter.server.usage.StoredReading;

/**
 * A stored reading and its meter, as the reading log holds it.
 *
 * @param replayable whether a replay redoes its effects by feeding it to the usage rules again (a
 *                   reading that was the newest of its meter); otherwise its datagram's effects are
 *                   logged beside it ({@link LogItem})
 */
public record LoggedReading(long meterId, StoredReading reading, boolean replayable) {

    public LoggedReading(long meterId, StoredReading reading) {
        this(meterId, reading, true);
    }

    LoggedReading notReplayable() {
        return replayable ? new LoggedReading(meterId, reading, false) : this;
    }
}
