package org.gridmeter.meter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MeterCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private Main.Parsed parse(Map<String, String> env, Supplier<String> prompt, String... args) {
        return Main.parse(args, env, prompt, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void aRelativeOrLocalStartIsReadAgainstTheGivenClockAndZone() {
        java.time.Clock clock = java.time.Clock.fixed(Instant.parse("2026-11-02T12:00:00Z"), java.time.ZoneOffset.UTC);
        java.time.ZoneId saoPaulo = java.time.ZoneId.of("America/Sao_Paulo");

        MeterOptions relative = Main.parse(new String[] {"--id", "1", "--start", "-90d"}, Map.of(), null,
                new PrintWriter(out, true), new PrintWriter(err, true), clock, saoPaulo).options();
        MeterOptions local = Main.parse(new String[] {"--id", "1", "--start", "2026-08-01"}, Map.of(), null,
                new PrintWriter(out, true), new PrintWriter(err, true), clock, saoPaulo).options();

        assertThat(relative.start()).isEqualTo(Instant.parse("2026-08-04T12:00:00Z"));
        assertThat(local.start()).as("midnight in the meter's zone").isEqualTo(Instant.parse("2026-08-01T03:00:00Z"));
    }

    @Test
    void defaultsAreTheContracts() {
        MeterOptions options = parse(Map.of(), null, "--id", "3").options();

        assertThat(options.firstId()).isEqualTo(3);
        assertThat(options.fleetSize()).isEqualTo(1);
        assertThat(options.serverHost()).isEqualTo("127.0.0.1");
        assertThat(options.serverPort()).isEqualTo(18000);
        assertThat(options.interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(options.profile()).isEqualTo(Profile.parse("residencial"));
        assertThat(options.seed()).isNull();
        assertThat(options.start()).isNull();
        assertThat(options.speed()).isEqualTo(1.0);
        assertThat(options.loss() + options.duplicate() + options.reorder()).isZero();
        assertThat(options.legacy()).isFalse();
        assertThat(options.key()).isNull();
        assertThat(options.count()).isNull();
        assertThat(options.duration()).isNull();
        assertThat(options.report()).isNull();
    }

    @Test
    void containerEnvironmentConfiguresTheMeter() {
        Map<String, String> env = Map.of("METER_ID", "7", "SERVER_HOST", "meters.example", "METER_INTERVAL", "2s",
                "METER_PROFILE", "constante:1.5", "METER_SEED", "42", "METER_START", "2026-01-01T00:00:00Z",
                "METER_SPEED", "3600", "METER_KEY", "000102030405060708090a0b0c0d0e0f");

        MeterOptions options = parse(env, null).options();

        assertThat(options.firstId()).isEqualTo(7);
        assertThat(options.serverHost()).isEqualTo("meters.example");
        assertThat(options.serverPort()).isEqualTo(18000);
        assertThat(options.interval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(options.profile()).isEqualTo(new Profile(Profile.Kind.CONSTANTE, 1.5));
        assertThat(options.seed()).isEqualTo(42);
        assertThat(options.start()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(options.speed()).isEqualTo(3600);
        assertThat(options.key()).hasSize(16);
    }

    @Test
    void flagsWinOverEnvironment() {
        MeterOptions options = parse(Map.of("METER_ID", "7", "SERVER_PORT", "19000", "METER_LEGACY", "true"), null,
                "--id", "8", "--legacy=false").options();

        assertThat(options.firstId()).isEqualTo(8);
        assertThat(options.serverPort()).isEqualTo(19000);
        assertThat(options.legacy()).isFalse();
    }

    @Test
    void parsesFleetFaultsAndStopConditions() {
        MeterOptions options = parse(Map.of(), null, "--ids", "1-10000", "--loss", "20%", "--duplicate", "0.1",
                "--reorder", "10%", "--count", "50", "--duration", "90s", "--report", "out.json").options();

        assertThat(options.fleetSize()).isEqualTo(10_000);
        assertThat(options.loss()).isEqualTo(0.2);
        assertThat(options.duplicate()).isEqualTo(0.1);
        assertThat(options.reorder()).isEqualTo(0.1);
        assertThat(options.count()).isEqualTo(50);
        assertThat(options.duration()).isEqualTo(Duration.ofSeconds(90));
        assertThat(options.report()).isEqualTo(Path.of("out.json"));
    }

    @Test
    void asksForTheIdOnATerminal() {
        assertThat(parse(Map.of(), () -> "12").options().firstId()).isEqualTo(12);
    }

    @Test
    void withoutIdOrTerminalExplainsWhatToGive() {
        Main.Parsed parsed = parse(Map.of(), null);

        assertThat(parsed.exitCode()).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("gridmeter meter: no meter id: set METER_ID (e.g. docker run -e METER_ID=7 …) or "
                + "METER_IDS=A-B for a fleet, or give --id N or --ids A-B (--help lists every flag and its variable)\n");
    }

    @Test
    void rejectsBadValuesNamingTheFlag() {
        assertThat(parse(Map.of(), null, "--id", "1", "--loss", "1.5").exitCode()).isEqualTo(2);
        assertThat(err.toString()).contains("--loss: 1.5 (expected");
        assertThat(parse(Map.of(), null, "--id", "1", "--profile", "industrial").exitCode()).isEqualTo(2);
        assertThat(err.toString()).contains("residencial, comercial or constante:<kW>");
        assertThat(parse(Map.of(), null, "--ids", "5-1").exitCode()).isEqualTo(2);
        assertThat(err.toString()).contains("meter ids: 5-1");
        assertThat(parse(Map.of(), null, "--id", "1", "--key", "abc").exitCode()).isEqualTo(2);
        assertThat(err.toString()).contains("--key: expected 32 to 128 hex digits");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "--id       | abc | --id: 'abc' (expected: a whole number, e.g. --id 7)",
        "--interval | 5   | --interval: '5' is not a duration (expected: a whole number and a unit, ms, s, m, h or d, e.g. 200ms, 5s",
        "--interval | 0s  | --interval: 0s (expected: at least 10ms, e.g. --interval 5s)",
        "--speed    | abc | --speed: 'abc' (expected: a number with a dot for decimals, e.g. --speed 1)",
        "--profile  | x   | --profile: 'x' is not a profile (expected: residencial, comercial or constante:<kW>, e.g. constante:1.5)",
        "--loss     | 2   | --loss: 2.0 (expected: a share from 0 up to, not including, 1, e.g. --loss 0.2 or 20%)"})
    void badValuesSayWhatWasExpectedWithAnExampleAndNoJava(String flag, String value, String message) {
        String[] args = flag.equals("--id") ? new String[] {flag, value} : new String[] {"--id", "1", flag, value};
        assertThat(parse(Map.of(), null, args).exitCode()).isEqualTo(2);
        assertThat(err.toString()).contains(message).doesNotContain("java.", "Exception", "is not a long", "Duration");
    }

    @ParameterizedTest(name = "--server {0}")
    @CsvSource({"192.0.2.10, 192.0.2.10, 18000", "meter-server:19000, meter-server, 19000", "'[::1]:19001', ::1, 19001",
        "::1, ::1, 18000", "'[fe80::1]', fe80::1, 18000"})
    void aServerWithoutPortMeansTheDefaultPort(String server, String host, int port) {
        MeterOptions options = parse(Map.of(), null, "--id", "1", "--server", server).options();

        assertThat(options.serverHost()).isEqualTo(host);
        assertThat(options.serverPort()).isEqualTo(port);
    }

    @Test
    void anIpv6ServerHostFromTheEnvironmentKeepsItsPort() {
        MeterOptions options = parse(Map.of("METER_ID", "1", "SERVER_HOST", "::1", "SERVER_PORT", "19002"), null)
                .options();

        assertThat(options.serverHost()).isEqualTo("::1");
        assertThat(options.serverPort()).isEqualTo(19002);
    }

    @Test
    void helpNamesEveryVariable() {
        parse(Map.of(), null, "--help");

        for (String variable : MeterEnvDefaults.VARIABLES.values()) {
            assertThat(out.toString()).contains(variable);
        }
        assertThat(out.toString()).contains("SERVER_HOST").contains("SERVER_PORT");
    }
}
