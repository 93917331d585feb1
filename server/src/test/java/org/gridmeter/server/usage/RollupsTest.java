package org.gridmeter.server.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RollupsTest {

    private static final long B = Rollups.BUCKET_MILLIS;

    /** What a store would hold after the flushes. */
    private final TreeMap<Long, Long> buckets = new TreeMap<>();
    private final List<Rollups.Span> spans = new ArrayList<>();
    private final Rollups.Repository store = (byMeter, spansByMeter) -> {
        byMeter.getOrDefault(1L, Map.of()).forEach((start, mwh) -> buckets.merge(start, mwh, Long::sum));
        spans.addAll(spansByMeter.getOrDefault(1L, List.of()));
    };

    @Test
    void aDecisionOverADayOrLessIsSpreadIntoBuckets() {
        Rollups rollups = new Rollups();
        rollups.consumed(1, 0, Rollups.SPAN_BUCKETS * B, 9_600);
        rollups.flush(store);

        assertThat(buckets).hasSize(Rollups.SPAN_BUCKETS);
        assertThat(spans).isEmpty();
        assertThat(new Consumption(buckets, spans).between(0, 4 * B)).isEqualTo(400);
    }

    @Test
    void aDecisionOverDecadesIsOneSpanWhoseShareOfAnyPeriodIsExact() {
        long sixtyYears = 60L * 365 * 86_400_000;
        Rollups rollups = new Rollups();
        rollups.consumed(1, 0, sixtyYears, 2_000_000);
        rollups.flush(store);

        assertThat(buckets).as("not two million buckets").isEmpty();
        assertThat(spans).containsExactly(new Rollups.Span(0, sixtyYears, 2_000_000));
        Consumption c = new Consumption(buckets, spans);
        long half = sixtyYears / 2 / B * B;
        assertThat(c.between(0, half) + c.between(half, sixtyYears + B)).isEqualTo(2_000_000);
        assertThat(c.between(0, half)).isBetween(999_999L, 1_000_001L);
    }

    @Test
    void takingADecisionBackCancelsItExactly() {
        Rollups rollups = new Rollups();
        rollups.consumed(1, 7, 400 * B + 3, 123_457);
        rollups.consumed(1, 7, 400 * B + 3, -123_457);
        rollups.consumed(1, 0, 30 * B, 3_000);
        rollups.consumed(1, 0, 30 * B, -3_000);
        rollups.flush(store);

        Consumption c = new Consumption(buckets, spans);
        assertThat(c.between(0, 500 * B)).isZero();
    }
}
