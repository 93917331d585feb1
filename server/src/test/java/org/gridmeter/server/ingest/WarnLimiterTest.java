package org.gridmeter.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.gridmeter.server.TestClock;
import org.junit.jupiter.api.Test;

class WarnLimiterTest {

    private final List<String> lines = new ArrayList<>();
    private final TestClock clock = TestClock.at(Instant.parse("2026-12-01T00:00:00Z"));
    private final WarnLimiter limiter = new WarnLimiter(
            (reason, source, detail, suppressed) -> lines.add(reason + " " + source + " " + detail + " " + suppressed),
            clock);

    @Test
    void theFirstRejectionOfAReasonIsLoggedAtOnceWithItsSender() {
        limiter.warn("bad_crc", "crc32c: 0x1 (expected: 0x2)", "/127.0.0.1:5000");

        assertThat(lines).containsExactly("bad_crc /127.0.0.1:5000 crc32c: 0x1 (expected: 0x2) 0");
    }

    @Test
    void thenAtMostOneLineASecondSayingHowManyWereSuppressed() {
        limiter.warn("bad_crc", "first", "a");
        limiter.warn("bad_crc", "second", "a");
        clock.advance(Duration.ofMillis(999));
        limiter.warn("bad_crc", "third", "a");
        assertThat(lines).hasSize(1);

        clock.advance(Duration.ofMillis(1));
        limiter.warn("bad_crc", "fourth", "b");

        assertThat(lines).containsExactly("bad_crc a first 0", "bad_crc b fourth 2");
    }

    @Test
    void eachReasonHasItsOwnAllowance() {
        limiter.warn("bad_crc", "x", "a");
        limiter.warn("too_short", "y", "a");
        limiter.warn("bad_crc", "z", "a");

        assertThat(lines).containsExactly("bad_crc a x 0", "too_short a y 0");
    }

    @Test
    void aClockAtTheEpochStillLogs() {
        clock.set(0);
        limiter.warn("bad_magic", "m", "a");

        assertThat(lines).hasSize(1);
    }
}
