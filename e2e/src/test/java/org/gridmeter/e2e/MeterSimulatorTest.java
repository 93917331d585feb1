package org.gridmeter.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The meter simulator's jar against the server's jar: its report is the ground truth the server must match. */
class MeterSimulatorTest {

    @TempDir
    Path dir;
    /** What the last {@link #fleet} run printed. */
    private String lastOutput;

    /** Runs the meter jar to completion; returns its output. */
    static String runMeter(List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ServerProcess.java(), "-jar",
                LauncherTest.ROOT.resolve("meter-simulator/target/gridmeter-meter.jar").toString()));
        command.addAll(args);
        Process meter = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String output = new String(meter.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(meter.waitFor(180, TimeUnit.SECONDS)).as("meter finished").isTrue();
        assertThat(meter.exitValue()).as(output).isZero();
        return output;
    }

    private JsonNode fleet(ServerProcess server, String ids, String... extra) throws Exception {
        Path report = dir.resolve("report-" + ids + ".json");
        List<String> args = new ArrayList<>(List.of("--ids", ids, "--server", "127.0.0.1:" + server.udpPort,
                "--report", report.toString()));
        args.addAll(List.of(extra));
        lastOutput = runMeter(args);
        return new ObjectMapper().readTree(report.toFile());
    }

    private static BigDecimal total(ServerProcess server, String id) throws Exception {
        return server.getJson("/usuario/?id=" + id).get("consumo_total_kwh").decimalValue();
    }

    private void assertServerMatchesReport(ServerProcess server, JsonNode report, long count) throws Exception {
        for (var entry : (Iterable<java.util.Map.Entry<String, JsonNode>>) report::fields) {
            assertThat(entry.getValue().get("sent").asLong()).isEqualTo(count);
            assertThat(total(server, entry.getKey())).as("meter %s", entry.getKey())
                    .isEqualByComparingTo(entry.getValue().get("kwh").decimalValue());
        }
    }

    @Test
    void fleetTotalsMatchTheReportToTheMilliwattHour() throws Exception {
        try (ServerProcess server = ServerProcess.start(dir.resolve("data"))) {
            for (int id = 1; id <= 100; id++) {
                server.register(id);
            }
            JsonNode report = fleet(server, "1-100", "--count", "60", "--start", "-2h", "--speed", "3600",
                    "--seed", "11");

            assertThat(report.size()).isEqualTo(100);
            assertServerMatchesReport(server, report, 60);
        }
    }

    @Test
    void totalsStayExactWithLossDuplicationAndReordering() throws Exception {
        try (ServerProcess server = ServerProcess.start(dir.resolve("data"))) {
            for (int id = 1; id <= 20; id++) {
                server.register(id);
            }
            JsonNode report = fleet(server, "1-20", "--count", "100", "--start", "-2h", "--speed", "3600",
                    "--loss", "20%", "--duplicate", "10%", "--reorder", "10%", "--seed", "5");

            assertServerMatchesReport(server, report, 100);
            for (JsonNode meter : report) {
                assertThat(meter.get("acked").asLong()).as("every reading acknowledged").isEqualTo(100);
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) datagrams made \\((\\d+) readings "
                    + "resent\\): (\\d+) dropped on purpose and never sent \\(--loss\\), (\\d+) sent twice "
                    + "\\(--duplicate\\), (\\d+) held back and sent late \\(--reorder\\); (\\d+) sent in all")
                    .matcher(lastOutput);
            assertThat(m.find()).as(lastOutput).isTrue();
            long made = Long.parseLong(m.group(1));
            long lost = Long.parseLong(m.group(3));
            long twice = Long.parseLong(m.group(4));
            long sent = Long.parseLong(m.group(6));
            // catching up (--speed 3600), each meter sends what it made every 100 ms as one batch
            assertThat(made).as("2,000 readings in batches, plus resends").isBetween(2000L / 50, 2000L);
            assertThat(lost).as("about 20 %% of %d", made).isBetween(made / 10, made * 3 / 10);
            assertThat(sent).as("what went out: made - dropped + sent twice").isEqualTo(made - lost + twice);
        }
    }

    @Test
    void readingsTheServerRefusesAreNotResentForever() throws Exception {
        try (ServerProcess server = ServerProcess.start(dir.resolve("data"), "--retention", "1d")) {
            server.register(1);
            // hourly readings from 35.5 h ago (the first at -34.5 h): 11 are older than the server keeps (too_old)
            JsonNode report = fleet(server, "1-1", "--start", "-2130m", "--speed", "36000", "--interval", "1h",
                    "--count", "30", "--seed", "2");

            JsonNode meter = report.get("1");
            assertThat(meter.get("refused").asLong()).isEqualTo(11);
            assertThat(meter.get("acked").asLong()).isEqualTo(19);
            assertThat(total(server, "1")).as("the first stored reading counts from zero")
                    .isEqualByComparingTo(meter.get("kwh").decimalValue());
            assertThat(server.getJson("/usuario/consumo/?id=1").get("consumo")).hasSize(19);
        }
    }

    @Test
    void legacyMetersAreStoredLikeTheOriginals() throws Exception {
        try (ServerProcess server = ServerProcess.start(dir.resolve("data"))) {
            server.register(7);
            JsonNode report = fleet(server, "7-7", "--legacy", "--count", "40", "--start", "-1h", "--speed", "3600",
                    "--profile", "constante:1.2", "--seed", "3");

            // 1.2 kW for 5 s = 1.666... Wh, in 0.1 Wh steps: 1.7 Wh a reading
            assertThat(report.get("7").get("kwh").decimalValue()).isEqualByComparingTo("0.068");
            assertServerMatchesReport(server, report, 40);
            JsonNode last = server.getJson("/usuario/consumo/?id=7&limite=40").get("consumo").get(39);
            assertThat(last.get("potencia_w").asInt()).as("derived by the server").isBetween(1200, 1240);
        }
    }

    @Test
    void simulatedClockClosesInvoicesAndTheyAddUpToTheMeter() throws Exception {
        try (ServerProcess server = ServerProcess.start(dir.resolve("data"), "--zone", "America/Sao_Paulo")) {
            server.register(1);
            // 70 days of 15-minute readings, 600,000x faster than real time: about ten seconds
            JsonNode report = fleet(server, "1-1", "--start", "-71d", "--speed", "600000", "--interval", "15m",
                    "--count", "6720", "--seed", "9");

            JsonNode invoices = server.getJson("/usuario/fatura/?id=1").get("faturas");
            long closed = 0;
            BigDecimal billed = BigDecimal.ZERO;
            for (JsonNode invoice : invoices) {
                closed += invoice.get("status").asText().equals("fechada") ? 1 : 0;
                billed = billed.add(invoice.get("consumo").decimalValue()).add(invoice.get("ajuste_kwh").decimalValue());
            }
            assertThat(closed).isGreaterThanOrEqualTo(2);
            assertThat(billed).as("open and closed invoices cover all consumption")
                    .isEqualByComparingTo(report.get("1").get("kwh").decimalValue());
        }
    }

    @Test
    void keysOnATerminalChangeTheLoad() throws Exception {
        try (ServerProcess server = ServerProcess.start(dir.resolve("data"))) {
            String meter = String.join(" ", ServerProcess.java(), "-jar",
                    LauncherTest.ROOT.resolve("meter-simulator/target/gridmeter-meter.jar").toString(), "--id", "5",
                    "--server", "127.0.0.1:" + server.udpPort, "--profile", "constante:1", "--interval", "1s");
            // script(1) gives the meter a pseudo-terminal, as a person's shell would
            Process tty = new ProcessBuilder("script", "-qefc", meter, "/dev/null").redirectErrorStream(true).start();
            StringBuilder seen = new StringBuilder();
            Thread reader = new Thread(() -> {
                try {
                    byte[] buf = new byte[4096];
                    for (int n = tty.getInputStream().read(buf); n > 0; n = tty.getInputStream().read(buf)) {
                        synchronized (seen) {
                            seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                        }
                    }
                } catch (java.io.IOException ignored) {
                    // the terminal closed
                }
            });
            reader.start();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> text(seen).contains("Keys:") && text(seen).contains("1.000 kW"));
            tty.getOutputStream().write("++".getBytes(StandardCharsets.US_ASCII));
            tty.getOutputStream().flush();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> text(seen).contains("load +1.0 kW"));
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> text(seen).contains("2.000 kW"));
            tty.getOutputStream().write("q".getBytes(StandardCharsets.US_ASCII));
            tty.getOutputStream().flush();
            assertThat(tty.waitFor(30, TimeUnit.SECONDS)).as(text(seen)).isTrue();
            reader.join(5000);
            assertThat(text(seen)).contains("Quitting: waiting up to 60 s for the ACKs", "waiting 0  resent",
                    "final cumulative");
        }
    }

    /** Starts the meter jar without a terminal; its output lines are collected into {@code lines}. */
    private static Process startMeter(List<String> lines, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ServerProcess.java(), "-jar",
                LauncherTest.ROOT.resolve("meter-simulator/target/gridmeter-meter.jar").toString()));
        command.addAll(List.of(args));
        Process meter = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        ProcessLines.follow(meter, lines);
        return meter;
    }

    @Test
    void ctrlCPrintsTheSummary() throws Exception {
        try (ServerProcess server = ServerProcess.start(dir.resolve("data"))) {
            server.register(8);
            List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
            Process meter = startMeter(lines, "--id", "8", "--server", "127.0.0.1:" + server.udpPort, "--interval", "1s");
            try {
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                        .until(() -> server.getJson("/usuario/?id=8").get("consumo_total_kwh").decimalValue().signum() > 0);
                new ProcessBuilder("kill", "-INT", Long.toString(meter.pid())).start().waitFor();

                assertThat(meter.waitFor(30, TimeUnit.SECONDS)).as("stopped within the Ctrl-C wait: %s", lines).isTrue();
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                        .until(() -> lines.stream().anyMatch(l -> l.startsWith("fleet of 1:")));
                assertThat(lines).anyMatch(l -> l.startsWith("live: "))
                        .anyMatch(l -> l.startsWith("meter 8: final cumulative "));
            } finally {
                meter.destroyForcibly();
            }
        }
    }

    @Test
    void aSilentServerIsNamedAfterTenSecondsWithoutAnAck() throws Exception {
        try (java.net.DatagramSocket silent = new java.net.DatagramSocket(
                new java.net.InetSocketAddress("127.0.0.1", 0))) {
            List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
            String server = "127.0.0.1:" + silent.getLocalPort();
            Process meter = startMeter(lines, "--id", "9", "--server", server, "--interval", "1s");
            try {
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                        .until(() -> lines.stream().anyMatch(l -> l.startsWith("warning: no ACK from " + server)));
                assertThat(lines).filteredOn(l -> l.startsWith("warning:")).first().asString()
                        .contains("is the GridMeter server running there");
                // SIGTERM (not Process.destroy(), which also closes the pipe the meter reports on): it stops
                // taking readings, waits a little for ACKs and says so
                new ProcessBuilder("kill", "-TERM", Long.toString(meter.pid())).start().waitFor();

                assertThat(meter.waitFor(30, TimeUnit.SECONDS)).as("%s", lines).isTrue();
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                        .until(() -> lines.stream().anyMatch(l -> l.startsWith("fleet of 1:")));
                assertThat(lines).anyMatch(l -> l.matches("stopping: waiting for the ACKs of \\d+ readings from "
                        + java.util.regex.Pattern.quote(server) + ", \\d+ s left"));
                assertThat(lines).filteredOn(l -> l.startsWith("fleet of 1:")).first().asString()
                        .contains("readings resent").doesNotContain(" 0 readings unacknowledged");
            } finally {
                meter.destroyForcibly();
            }
        }
    }

    private static String text(StringBuilder seen) {
        synchronized (seen) {
            return seen.toString();
        }
    }
}
