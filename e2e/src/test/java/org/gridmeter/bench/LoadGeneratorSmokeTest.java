package org.gridmeter.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.gridmeter.e2e.ServerProcessAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark tool, at a low rate, against the real server jar: it must offer what it says and
 * read back counters that account for every datagram (benchmarks themselves are not part of
 * {@code mvn verify}: {@code bench/run.sh} runs them).
 */
class LoadGeneratorSmokeTest {

    @TempDir
    Path dir;

    @Test
    void lowRateRunIsFullyReceivedStoredAndReported() throws Exception {
        try (var server = ServerProcessAccess.start(dir)) {
            LoadGenerator.Options o = LoadGenerator.Options.parse(new String[] {"--port",
                    Integer.toString(server.udpPort()), "--http", Integer.toString(server.httpPort()), "--rate", "2000",
                    "--seconds", "2", "--meters", "100", "--batch", "5"});

            LoadGenerator.Result r = LoadGenerator.server(o);

            assertThat(r.offeredDatagrams()).isBetween(3_500L, 4_100L);
            assertThat(r.offeredReadings()).isEqualTo(5 * r.offeredDatagrams());
            assertThat(r.received()).isEqualTo(r.offeredDatagrams());
            assertThat(r.stored()).isEqualTo(r.offeredReadings());
            assertThat(r.rejected()).isZero();
            assertThat(r.kernelDropped()).isZero();
            assertThat(LoadGenerator.format(o, r)).contains("lost 0 (0 of them counted by the server as kernel drops)");

            LoadGenerator.Result raw = LoadGenerator.raw(LoadGenerator.Options.parse(new String[] {"--raw", "--rate",
                    "5000", "--seconds", "1"}));
            assertThat(raw.received()).isEqualTo(raw.offeredDatagrams());
        }
    }
}
