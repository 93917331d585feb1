package org.gridmeter.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./gridmeter demo}, as a person runs it: it starts, its curl lines answer, Ctrl-C stops it all. */
class DemoTest {

    private static final Pattern CURL_GET = Pattern.compile("^\\s+curl -s '?(http://localhost:\\d+/[^' ]*)'?$");

    @TempDir
    Path dir;

    private int udp;
    private int http;
    private final List<String> output = new CopyOnWriteArrayList<>();

    /** Starts {@code ./gridmeter demo args...} on free ports with its data in the test's directory. */
    private Process startDemo(String... args) throws Exception {
        try (DatagramSocket u = new DatagramSocket(0); ServerSocket t = new ServerSocket(0)) {
            udp = u.getLocalPort();
            http = t.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(LauncherTest.ROOT.resolve("gridmeter").toString(), "demo"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(LauncherTest.ROOT.toFile())
                .redirectErrorStream(true);
        builder.environment().put("GRIDMETER_UDP_PORT", Integer.toString(udp));
        builder.environment().put("GRIDMETER_HTTP_PORT", Integer.toString(http));
        builder.environment().put("GRIDMETER_DATA_DIR", dir.toString());
        Process demo = builder.start();
        ProcessLines.follow(demo, output);
        return demo;
    }

    private boolean printed(String text) {
        return output.stream().anyMatch(l -> l.contains(text));
    }

    private JsonNode get(String path) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        return new ObjectMapper().readTree(client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + http
                + path)).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    @Test
    void demoStartsAnswersItsCurlLinesAndStopsCleanlyOnCtrlC() throws Exception {
        Process demo = startDemo();
        try {
            await().atMost(Duration.ofMinutes(3)).until(() -> output.stream().anyMatch(l -> l.contains("Ctrl-C")));
            List<ProcessHandle> children = new ArrayList<>(demo.descendants().toList());
            assertThat(children).as("the server and two meter processes").hasSizeGreaterThanOrEqualTo(3);

            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String first = output.stream().filter(l -> l.contains("http://")).findFirst().orElseThrow();
            assertThat(first).as("the first address the demo prints is the dashboard").contains("Painel ao vivo")
                    .endsWith("http://localhost:" + http + "/");
            HttpResponse<String> page = client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + http + "/"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("painel da frota");
            List<String> urls = new ArrayList<>();
            for (String line : output) {
                Matcher m = CURL_GET.matcher(line);
                if (m.matches()) {
                    urls.add(m.group(1));
                }
            }
            assertThat(urls).hasSizeGreaterThanOrEqualTo(8);
            for (String url : urls) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(url + " -> " + r.body()).isEqualTo(200);
            }
            URI user1 = URI.create("http://localhost:" + http + "/usuario/?id=1");
            await().atMost(Duration.ofSeconds(30)).until(() -> client.send(HttpRequest.newBuilder(user1).build(),
                    HttpResponse.BodyHandlers.ofString()).body().contains("\"online\":true"));
            // the demo says so once both meter processes report live (it looks every second)
            await().atMost(Duration.ofSeconds(30)).until(() -> output.stream()
                    .anyMatch(l -> l.startsWith("gridmeter demo: live.")));

            new ProcessBuilder("kill", "-INT", Long.toString(demo.pid())).start().waitFor(10, TimeUnit.SECONDS);

            assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as("demo stopped: %s", output).isTrue();
            assertThat(demo.exitValue()).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> children.stream().noneMatch(ProcessHandle::isAlive));
            assertThat(output).anyMatch(l -> l.contains("stopped"));
            assertThat(Files.readString(dir.resolve("demo-meters-1-2.log"))).as("each meter process has its own log")
                    .startsWith("2 meters 1-2 sending to").doesNotContain("Meter 3");
            assertThat(Files.readString(dir.resolve("demo-meter-3.log"))).startsWith("Meter 3 sending to")
                    .contains("live: ").doesNotContain("meters 1-2");
        } finally {
            demo.descendants().forEach(ProcessHandle::destroyForcibly);
            demo.destroyForcibly();
        }
    }

    @Test
    void fastDemoShowsItsCatchUpThenGoesLiveWithReadingsEveryFiveSecondsAndNoFalseAlarms() throws Exception {
        Process demo = startDemo("--fast");
        try {
            await().atMost(Duration.ofMinutes(3)).until(() -> printed("gridmeter demo: meters 1-2 catching up: "
                    + "simulated clock at "));
            await().atMost(Duration.ofMinutes(3)).until(() -> printed("gridmeter demo: live."));
            assertThat(get("/usuario/fatura/?id=1").get("faturas")).as("95 days back: invoices closed")
                    .anyMatch(f -> f.get("status").asText().equals("fechada"));
            for (int id = 1; id <= 3; id++) { // loopback, no faults: the catch-up batches and the step into live time
                JsonNode rede = get("/usuario/rede/?id=" + id); // arrive in order, none lost, none twice
                assertThat(rede.get("datagramas_recebidos").asLong()).as("meter %d", id).isPositive();
                assertThat(rede.get("perdidas_em_transito").asLong()).as("meter %d lost", id).isZero();
                assertThat(rede.get("fora_de_ordem").asLong()).as("meter %d out of order", id).isZero();
                assertThat(rede.get("duplicadas").asLong()).as("meter %d duplicated", id).isZero();
            }

            // three successive latest readings: the step into live time may come first, then 5-s steps
            List<Long> latest = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                long t = OffsetDateTime.parse(get("/usuario/?id=1").get("ultima_leitura").get("timestamp").asText())
                        .toInstant().toEpochMilli();
                if (latest.isEmpty() || latest.get(latest.size() - 1) != t) {
                    latest.add(t);
                }
                return latest.size() >= 3;
            });
            assertThat(latest.get(2) - latest.get(1)).as("live: a reading every 5 s, not every 5 minutes: %s", latest)
                    .isEqualTo(5_000);
            assertThat(get("/usuario/?id=1").get("online").asBoolean()).isTrue();
            for (int id = 1; id <= 3; id++) {
                assertThat(get("/usuario/alertas/?id=" + id).get("historico"))
                        .as("user %d: no meter was ever offline", id)
                        .noneMatch(a -> a.get("tipo").asText().equals("sem_sinal"));
            }
        } finally {
            new ProcessBuilder("kill", "-INT", Long.toString(demo.pid())).start().waitFor(10, TimeUnit.SECONDS);
            demo.waitFor(60, TimeUnit.SECONDS);
            demo.descendants().forEach(ProcessHandle::destroyForcibly);
            demo.destroyForcibly();
        }
    }

    @Test
    void aServerThatDiesTakesTheMetersWithItAndSaysSo() throws Exception {
        Process demo = startDemo();
        try {
            await().atMost(Duration.ofMinutes(3)).until(() -> printed("Ctrl-C"));
            List<ProcessHandle> children = new ArrayList<>(demo.descendants().toList());
            ProcessHandle server = children.stream()
                    .filter(p -> p.info().commandLine().orElse("").contains("gridmeter-server.jar")).findFirst()
                    .orElseThrow();
            server.destroyForcibly(); // kill -9: as if it crashed

            assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as("the demo ended: %s", output).isTrue();
            assertThat(demo.exitValue()).as("a failure is not a success").isNotZero();
            await().atMost(Duration.ofSeconds(30)).until(() -> children.stream().noneMatch(ProcessHandle::isAlive));
            assertThat(output).anyMatch(l -> l.startsWith("gridmeter demo: the server stopped (exit status 137"));
        } finally {
            demo.descendants().forEach(ProcessHandle::destroyForcibly);
            demo.destroyForcibly();
        }
    }
}
