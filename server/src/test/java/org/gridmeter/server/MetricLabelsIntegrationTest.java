package org.gridmeter.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Metric labels never come from what a client sent: invented methods and paths cannot flood /metrics. */
class MetricLabelsIntegrationTest {

    @TempDir
    Path dir;

    @Test
    void inventedMethodsAndUnknownPathsShareOneLabelEach() throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            for (int i = 0; i < 50; i++) {
                try (RawHttp client = new RawHttp(server.server.httpAddress())) {
                    client.write("BREW" + i + " /cafe-" + i + " HTTP/1.1\r\nHost: x\r\n\r\n").read();
                }
                server.get("/nao-existe-" + i);
            }
            String metrics = server.get("/metrics").body();
            assertThat(metrics).doesNotContain("BREW", "cafe-", "nao-existe-");
            assertThat(metrics).contains("method=\"other\"").contains("route=\"(none)\"");
            long series = metrics.lines().filter(l -> l.startsWith("gridmeter_http_requests_seconds_count")).count();
            assertThat(series).as("a handful of series, not one per request").isLessThan(10);
        }
    }
}
