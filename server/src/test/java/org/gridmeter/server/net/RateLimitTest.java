package org.gridmeter.server.net;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code --max-rate} and {@code --http-rate}: a burst of one second's worth, then the rate, per key. */
class RateLimitTest {

    private long now = 1_000_000_000_000L;
    private final RateLimit<Long> limit = new RateLimit<>(50, () -> now);

    @Test
    void saysHowLongUntilTheNextToken() {
        assertThat(allowed(9, 50)).isEqualTo(50);
        assertThat(limit.take(9L)).isEqualTo(20_000_000L); // one token every 20 ms
        now += 15_000_000L;
        assertThat(limit.take(9L)).isEqualTo(5_000_000L);
    }

    private int allowed(long meter, int datagrams) {
        int n = 0;
        for (int i = 0; i < datagrams; i++) {
            n += limit.allow(meter) ? 1 : 0;
        }
        return n;
    }

    @Test
    void aFloodGetsABurstThenTheRate() {
        assertThat(allowed(1, 2000)).isEqualTo(50);
        now += 100_000_000L; // 0.1 s: 5 more
        assertThat(allowed(1, 2000)).isEqualTo(5);
        now += 10_000_000_000L; // quiet for 10 s: a full burst again, not 500
        assertThat(allowed(1, 2000)).isEqualTo(50);
    }

    @Test
    void oneMetersFloodTakesNothingFromAnother() {
        assertThat(allowed(1, 5000)).isEqualTo(50);
        assertThat(allowed(2, 50)).isEqualTo(50);
    }

    @Test
    void aMeterAtItsRateIsNeverRefused() {
        for (int i = 0; i < 10_000; i++) {
            assertThat(limit.allow(3L)).isTrue();
            now += 20_000_000L; // 50 a second exactly
        }
    }
}
