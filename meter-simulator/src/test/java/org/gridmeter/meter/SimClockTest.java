package org.gridmeter.meter;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SimClockTest {

    private final Clock wall = Clock.fixed(Instant.parse("2026-11-23T12:00:00Z"), ZoneOffset.UTC);

    @Test
    void startsWhereToldAndNeverRunsPastTheWallClock() {
        SimClock past = new SimClock(wall, wall.instant().minus(Duration.ofDays(90)), 1e12);

        assertThat(past.startMillis()).isEqualTo(wall.millis() - Duration.ofDays(90).toMillis());
        assertThat(past.millis()).isEqualTo(wall.millis());
        assertThat(past.realTime()).isTrue();
    }

    @Test
    void aStartInTheFutureStartsNow() {
        SimClock future = new SimClock(wall, wall.instant().plusSeconds(3600), 1);

        assertThat(future.startMillis()).isEqualTo(wall.millis());
    }

    @Test
    void waitsLessWallTimeTheFasterItRuns() {
        SimClock fast = new SimClock(wall, wall.instant().minus(Duration.ofDays(1)), 3600);

        long nanos = fast.nanosUntil(fast.startMillis() + 3_600_000);
        assertThat(nanos).isBetween(900_000_000L, 1_000_000_000L); // an hour of simulated time in about a second
    }
}
