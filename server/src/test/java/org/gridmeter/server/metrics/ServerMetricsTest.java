package org.gridmeter.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ServerMetricsTest {

    @Test
    void aCounterKeptElsewhereIsStillReadAfterACollection() {
        ServerMetrics metrics = new ServerMetrics(List.of());
        long[] kernel = {42};
        metrics.counter("test.kept.elsewhere", "a count only a supplier knows", () -> kernel[0]);

        for (int i = 0; i < 3; i++) {
            System.gc(); // Micrometer holds a function counter's object weakly: it must not be the only holder
        }
        kernel[0] = 43;

        assertThat(metrics.scrape()).contains("test_kept_elsewhere_total 43.0");
    }
}
