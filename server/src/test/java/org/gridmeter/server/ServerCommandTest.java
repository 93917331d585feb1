package org.gridmeter.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServerCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private Main.Parsed parse(Map<String, String> env, String... args) {
        return Main.parse(args, env, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void defaultsAreTheContracts() {
        ServerConfig config = parse(Map.of()).config();

        assertThat(config.udpPort()).isEqualTo(18000);
        assertThat(config.httpPort()).isEqualTo(15000);
        assertThat(config.bind()).isEqualTo("0.0.0.0");
        assertThat(config.dataDir()).isEqualTo(Path.of("./data"));
        assertThat(config.zone()).isEqualTo(ZoneId.systemDefault());
        assertThat(config.closingDay()).isEqualTo(10);
        assertThat(config.legacyDatagrams()).isTrue();
        assertThat(config.maxFutureSkew()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.orphanLimit()).isEqualTo(10_000);
        assertThat(config.commitInterval()).isEqualTo(Duration.ofMillis(200));
        assertThat(config.closeGrace()).isEqualTo(Duration.ofHours(24));
        assertThat(config.excessKwh()).isEqualByComparingTo("150");
        assertThat(config.excessKw()).isEqualByComparingTo("5");
        assertThat(config.variationKwh()).isEqualByComparingTo("100");
        assertThat(config.offlineAfter()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.adminToken()).isNull();
        assertThat(config.readAuth()).isFalse();
        assertThat(config.maxRate()).isEqualTo(50);
        assertThat(config.retention()).isEqualTo(Duration.ofDays(400));
        assertThat(config).isEqualTo(ServerConfig.defaults(Path.of("./data"), 18000, 15000)
                .withStore("sqlite"));
    }

    @Test
    void everyFlagHasAnEnvironmentVariable() {
        Map<String, String> env = Map.ofEntries(
                Map.entry("GRIDMETER_UDP_PORT", "1"), Map.entry("GRIDMETER_HTTP_PORT", "2"),
                Map.entry("GRIDMETER_BIND", "127.0.0.1"), Map.entry("GRIDMETER_DATA_DIR", "/tmp/x"),
                Map.entry("GRIDMETER_ZONE", "America/Bahia"), Map.entry("GRIDMETER_CLOSING_DAY", "31"),
                Map.entry("GRIDMETER_LEGACY_DATAGRAMS", "false"), Map.entry("GRIDMETER_MAX_FUTURE_SKEW", "30s"),
                Map.entry("GRIDMETER_ORPHAN_LIMIT", "5"), Map.entry("GRIDMETER_COMMIT_INTERVAL", "1s"),
                Map.entry("GRIDMETER_CLOSE_GRACE", "2h"), Map.entry("GRIDMETER_EXCESS_KWH", "10.5"),
                Map.entry("GRIDMETER_EXCESS_KW", "2"), Map.entry("GRIDMETER_VARIATION_KWH", "7"),
                Map.entry("GRIDMETER_OFFLINE_AFTER", "10s"), Map.entry("GRIDMETER_ADMIN_TOKEN", "0123456789abcdef"),
                Map.entry("GRIDMETER_READ_AUTH", "true"), Map.entry("GRIDMETER_MAX_RATE", "9"),
                Map.entry("GRIDMETER_STORE", "postgresql://db.example:5433/gm?user=gridmeter"),
                Map.entry("GRIDMETER_STORE_PASSWORD", "s3cret"), Map.entry("GRIDMETER_RETENTION", "30d"),
                Map.entry("GRIDMETER_MAX_CONNECTIONS", "3"), Map.entry("GRIDMETER_IDLE_TIMEOUT", "5s"),
                Map.entry("GRIDMETER_HTTP_RATE", "300"), Map.entry("GRIDMETER_MAX_STREAMS_PER_CLIENT", "4"),
                Map.entry("GRIDMETER_KEY_GRACE", "90s"),
                Map.entry("GRIDMETER_CHECKPOINT_INTERVAL", "3s"), Map.entry("GRIDMETER_NODE_ID", "node-b"),
                Map.entry("GRIDMETER_LEASE_TIMEOUT", "4s"), Map.entry("GRIDMETER_NODE_ADDRESS", "10.0.0.2"));

        ServerConfig config = parse(env).config();

        assertThat(config).isEqualTo(new ServerConfig("127.0.0.1", 1, 2, Path.of("/tmp/x"), ZoneId.of("America/Bahia"),
                31, false, Duration.ofSeconds(30), 5, Duration.ofSeconds(1), Duration.ofHours(2),
                new BigDecimal("10.5"), new BigDecimal("2"), new BigDecimal("7"), Duration.ofSeconds(10),
                "0123456789abcdef", true, 9, "postgresql://db.example:5433/gm?user=gridmeter", "s3cret", Duration.ofDays(30), 3, Duration.ofSeconds(5), 300, 4,
                Duration.ofSeconds(90), ServerConfig.Tuning.DEFAULTS.withCheckpointInterval(Duration.ofSeconds(3)),
                new ServerConfig.Cluster("node-b", Duration.ofSeconds(4), "10.0.0.2")));
    }

    @Test
    void theStorePasswordComesFromPgpasswordWhenGridmeterStorePasswordIsUnset() {
        ServerConfig config = parse(Map.of("PGPASSWORD", "from-pg"), "--store",
                "postgresql://localhost/gm?user=gridmeter").config();

        assertThat(config.storePassword()).isEqualTo("from-pg");
        assertThat(config.toString()).doesNotContain("from-pg");
    }

    @Test
    void aStoreUrlWithAPasswordOrWithoutAUserIsRefusedWithTheForm() {
        for (String bad : new String[] {"postgresql://gm:secret@localhost/gm?user=gm",
                "postgresql://localhost/gm?user=gm&password=secret", "postgresql://localhost/gm", "postgresql://localhost/?user=gm",
                "mysql://localhost/gm"}) {
            StringWriter err = new StringWriter();
            Main.Parsed parsed = Main.parse(new String[] {"--store", bad}, Map.of(), new PrintWriter(new StringWriter()),
                    new PrintWriter(err));

            assertThat(parsed.config()).as(bad).isNull();
            assertThat(parsed.exitCode()).as(bad).isEqualTo(2);
            assertThat(err.toString()).as(bad).contains("--store").doesNotContain("secret");
        }
    }

    @Test
    void flagWinsOverEnvironmentWhichWinsOverDefault() {
        ServerConfig config = parse(Map.of("GRIDMETER_UDP_PORT", "19000", "GRIDMETER_HTTP_PORT", "19001"),
                "--http-port", "0").config();

        assertThat(config.udpPort()).isEqualTo(19000);
        assertThat(config.httpPort()).isZero();
    }

    @Test
    void helpListsEveryFlagWithItsVariable() {
        Main.Parsed parsed = parse(Map.of(), "--help");

        assertThat(parsed.config()).isNull();
        assertThat(parsed.exitCode()).isZero();
        for (String flag : new String[] {"--udp-port", "--http-port", "--bind", "--data-dir", "--zone",
                "--closing-day", "--legacy-datagrams", "--max-future-skew", "--orphan-limit", "--commit-interval",
                "--close-grace", "--excess-kwh", "--excess-kw", "--variation-kwh", "--offline-after",
                "--admin-token", "--read-auth", "--max-rate", "--store", "--retention"}) {
            assertThat(out.toString()).contains(flag).contains(EnvDefaults.variableFor(flag));
        }
    }

    @Test
    void badValueExitsWith2AndSaysWhatToDo() {
        Main.Parsed parsed = parse(Map.of(), "--closing-day", "40");

        assertThat(parsed.exitCode()).isEqualTo(2);
        assertThat(err.toString()).contains("--closing-day: 40 (expected: a day of the month from 1 to 31, e.g. --closing-day 10)")
                .contains("--help");
    }

    @Test
    void unparseableValueNamesTheFlag() {
        Main.Parsed parsed = parse(Map.of("GRIDMETER_COMMIT_INTERVAL", "soon"));

        assertThat(parsed.exitCode()).isEqualTo(2);
        assertThat(err.toString()).contains("--commit-interval").contains("'soon'");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "--zone            | Brasil | --zone: 'Brasil' is not a time zone (expected: a region of the tz database such as America/Sao_Paulo",
        "--commit-interval | 5      | --commit-interval: '5' is not a duration (expected: a whole number and a unit, ms, s, m, h or d, e.g. 200ms, 5s",
        "--excess-kw       | abc    | --excess-kw: 'abc' (expected: a number with a dot for decimals, e.g. --excess-kw 5)",
        "--udp-port        | x      | --udp-port: 'x' (expected: a whole number, e.g. --udp-port 18000)",
        "--read-auth=sim   |        | --read-auth: 'sim' (expected: true or false, e.g. --read-auth true)",
        "--retention       | 0s     | --retention: 0s (expected: a duration above 0, e.g. --retention 30s)"})
    void badValuesSayWhatWasExpectedWithAnExampleAndNoJava(String flag, String value, String message) {
        Main.Parsed parsed = value == null ? parse(Map.of(), flag) : parse(Map.of(), flag, value);

        assertThat(parsed.exitCode()).isEqualTo(2);
        assertThat(err.toString()).contains(message).doesNotContain("java.", "Exception", "ZoneId", "BigDecimal");
    }

    @Test
    void aDataDirectoryThatCannotBeCreatedIsNamedWithoutBlamingThePorts(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");

        int code = Main.run(new String[] {"--data-dir", file.resolve("data").toString(), "--udp-port", "0",
            "--http-port", "0"}, Map.of(), new PrintWriter(out, true), new PrintWriter(err, true));

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("the data directory " + file.resolve("data") + " cannot be created")
                .contains("--data-dir ./data").doesNotContain("port");
    }

    @Test
    void aTakenUdpPortIsNamed(@TempDir Path dir) throws Exception {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress("0.0.0.0", 0))) {
            int port = taken.getLocalPort();
            int code = Main.run(new String[] {"--data-dir", dir.toString(), "--udp-port", Integer.toString(port),
                "--http-port", "0"}, Map.of(), new PrintWriter(out, true), new PrintWriter(err, true));

            assertThat(code).isEqualTo(1);
            assertThat(err.toString()).contains("UDP port " + port + " on 0.0.0.0 cannot be bound")
                    .contains("--udp-port 18010").doesNotContain("data directory");
        }
    }

    @Test
    void aTakenHttpPortIsNamed(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("0.0.0.0"))) {
            int port = taken.getLocalPort();
            int code = Main.run(new String[] {"--data-dir", dir.toString(), "--udp-port", "0",
                "--http-port", Integer.toString(port)}, Map.of(), new PrintWriter(out, true), new PrintWriter(err, true));

            assertThat(code).isEqualTo(1);
            assertThat(err.toString()).contains("TCP (HTTP) port " + port + " on 0.0.0.0 cannot be bound")
                    .contains("--http-port 15010");
        }
    }

    @Test
    void adminTokenNeverAppearsInTheConfigurationText() {
        ServerConfig config = parse(Map.of(), "--admin-token", "s3cr3t-s3cr3t-s3cr3t").config();

        assertThat(config.toString()).doesNotContain("s3cr3t").contains("adminToken=(set)");
    }
}
