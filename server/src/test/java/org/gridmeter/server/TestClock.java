package org.gridmeter.server;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The server's wall clock as a test drives it: it stands still at the instant the test set, and
 * moves only when the test says ({@link #advance}, {@link #set}). Thread-safe.
 */
public final class TestClock extends Clock {

    private volatile long millis;

    private TestClock(long millis) {
        this.millis = millis;
    }

    public static TestClock at(long epochMillis) {
        return new TestClock(epochMillis);
    }

    public static TestClock at(Instant instant) {
        return new TestClock(instant.toEpochMilli());
    }

    public void set(long epochMillis) {
        millis = epochMillis;
    }

    public synchronized void advance(Duration by) {
        millis += by.toMillis();
    }

    @Override
    public long millis() {
        return millis;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the server reads UTC instants; zones come from --zone");
    }
}
