package org.gridmeter.meter;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SimClockTest {

    private final Clock wall = Clock.fixed(Instant.parse("2026-11-23T12:00:00Z"), ZoneOffset.UTC);
    /** The monotonic ticker, moved by the test. */
    private final AtomicLong nanos = new AtomicLong(5_000_000_000L);

    @Test
    void startsWhereToldAndNeverRunsPastTheWallClock() {
        SimClock past = new SimClock(wall, nanos::get, wall.instant().minus(Duration.ofDays(90)), 1e12);

        assertThat(past.startMillis()).isEqualTo(wall.millis() - Duration.ofDays(90).toMillis());
        nanos.addAndGet(1_000_000);
        assertThat(past.millis()).as("a millisecond at 1e12x is far past now: held at now").isEqualTo(wall.millis());
        assertThat(past.realTime()).isTrue();
    }

    @Test
    void aStartInTheFutureStartsNow() {
        SimClock future = new SimClock(wall, nanos::get, wall.instant().plusSeconds(3600), 1);

        assertThat(future.startMillis()).isEqualTo(wall.millis());
    }

    @Test
    void runsSpeedTimesFasterThanTheTicker() {
        SimClock fast = new SimClock(wall, nanos::get, wall.instant().minus(Duration.ofDays(1)), 3600);

        assertThat(fast.nanosUntil(fast.startMillis() + 3_600_000)).as("an hour at 3600x is a second")
                .isEqualTo(1_000_000_000L);
        nanos.addAndGet(250_000_000L);
        assertThat(fast.millis()).isEqualTo(fast.startMillis() + 900_000);
        assertThat(fast.realTime()).isFalse();
    }
}
