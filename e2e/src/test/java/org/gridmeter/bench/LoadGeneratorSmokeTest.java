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
                    "--seconds", "2", "--meters", "100", "--batch", "5", "--register", "--token", server.adminToken(),
                    "--raw-limit", "100000"});

            LoadGenerator.Result r = LoadGenerator.server(o);

            assertThat(r.sent().datagrams()).isBetween(3_500L, 4_100L);
            assertThat(r.sent().readings()).isEqualTo(5 * r.sent().datagrams());
            assertThat(r.received()).isEqualTo(r.sent().datagrams());
            assertThat(r.stored()).isEqualTo(r.sent().readings());
            assertThat(r.rejected()).isZero();
            assertThat(r.kernelDropped()).isZero();
            assertThat(r.commits()).isPositive();
            assertThat(LoadGenerator.format(o, r)).contains("meters=100 registered", "lost 0 (0 of them counted by "
                    + "the server as kernel drops)", "µs per stored reading", "of the raw limit");

            LoadGenerator.Result raw = LoadGenerator.raw(LoadGenerator.Options.parse(new String[] {"--raw", "--rate",
                    "5000", "--seconds", "1"}));
            assertThat(raw.received()).isEqualTo(raw.sent().datagrams());
        }
    }

    @Test
    void withFaultsEveryReadingSentIsStoredOnceAndEveryRepeatAbsorbed() throws Exception {
        try (var server = ServerProcessAccess.start(dir)) {
            LoadGenerator.Options o = LoadGenerator.Options.parse(new String[] {"--port",
                    Integer.toString(server.udpPort()), "--http", Integer.toString(server.httpPort()), "--rate", "2000",
                    "--seconds", "2", "--meters", "100", "--register", "--token", server.adminToken(),
                    "--loss", "0.1", "--duplicate", "0.1", "--reorder", "0.1"});

            LoadGenerator.Result r = LoadGenerator.server(o);

            LoadGenerator.Sent sent = r.sent();
            assertThat(sent.dropped()).isPositive();
            assertThat(sent.reordered()).isPositive();
            assertThat(sent.datagrams()).isEqualTo(sent.readings() + sent.duplicated());
            assertThat(r.received()).isEqualTo(sent.datagrams());
            assertThat(r.stored()).as("each reading that went out, late ones included, stored once")
                    .isEqualTo(sent.readings());
            assertThat(r.duplicates()).isEqualTo(sent.duplicated());
            assertThat(LoadGenerator.format(o, r)).contains("held back (late)", "not checkpoints");
        }
    }
}
