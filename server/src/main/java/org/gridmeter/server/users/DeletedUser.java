package org.gridmeter.server.users;

/**
 * What a deletion removed: the user and a summary of its readings.
 *
 * @param firstTimestampMillis the oldest reading's time, or {@code -1} if none
 * @param lastTimestampMillis  the newest reading's time, or {@code -1} if none
 */
public record DeletedUser(User user, long readings, long firstTimestampMillis, long lastTimestampMillis,
        long totalMwh) {
}
