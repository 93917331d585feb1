package org.gridmeter.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gridmeter.server.TestStores;

/** The shaded server jar run as its own process, as {@code ./gridmeter server} runs it. */
final class ServerProcess implements AutoCloseable {

    static final String TOKEN = "e2e-admin-token-0123456789";
    private static final Pattern READY = Pattern.compile("GridMeter server: UDP (\\d+), HTTP http://localhost:(\\d+)/");
    private static final ObjectMapper JSON = new ObjectMapper();

    final Process process;
    final int udpPort;
    final int httpPort;
    final List<String> output = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private ServerProcess(Process process, int udpPort, int httpPort) {
        this.process = process;
        this.udpPort = udpPort;
        this.httpPort = httpPort;
    }

    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** Starts the server on free ports with data in {@code dataDir}; returns once it says it is ready. */
    static ServerProcess start(Path dataDir, String... flags) throws Exception {
        return start(dataDir, List.of(), flags);
    }

    /** As {@link #start(Path, String...)}, with options for the server's JVM. */
    static ServerProcess start(Path dataDir, List<String> jvmOptions, String... flags) throws Exception {
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar",
                LauncherTest.ROOT.resolve("server/target/gridmeter-server.jar").toString(),
                "--bind", "127.0.0.1", "--udp-port", "0", "--http-port", "0", "--data-dir", dataDir.toString(),
                "--admin-token", TOKEN));
        command.addAll(List.of(flags));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (TestStores.postgresql()) {
            builder.environment().put("GRIDMETER_STORE", TestStores.storeFor(dataDir)); // as an operator sets it
        }
        Process process = builder.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        List<String> seen = new ArrayList<>();
        CompletableFuture<Matcher> ready = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    seen.add(line);
                    Matcher m = READY.matcher(line);
                    if (m.find()) {
                        return m;
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            throw new IllegalStateException("server exited before it was ready: " + seen);
        });
        Matcher m = ready.get(60, TimeUnit.SECONDS);
        ServerProcess server = new ServerProcess(process, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        server.output.addAll(seen);
        Thread drain = new Thread(() -> {
            try {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    server.output.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "server-output");
        drain.setDaemon(true);
        drain.start();
        return server;
    }

    HttpResponse<String> request(HttpRequest.Builder builder) throws Exception {
        return http.send(builder.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + httpPort + pathAndQuery);
    }

    JsonNode getJson(String pathAndQuery) throws Exception {
        HttpResponse<String> r = request(HttpRequest.newBuilder(uri(pathAndQuery)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    void register(long id) throws Exception {
        HttpResponse<String> r = request(HttpRequest.newBuilder(uri("/usuario/cadastro/"))
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\": " + id + ", \"nome\": \"e2e\", \"endereco\": \"x\"}")));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    /** Deletes user {@code id} (admin token); returns the answer, which sums up what was deleted. */
    JsonNode delete(long id) throws Exception {
        HttpResponse<String> r = request(HttpRequest.newBuilder(uri("/usuario/delete/?id=" + id))
                .header("Authorization", "Bearer " + TOKEN).DELETE());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** Every stored reading's timestamp of user {@code id}, paging through {@code /usuario/consumo}. */
    List<Long> readingTimes(long id) throws Exception {
        List<Long> times = new ArrayList<>();
        for (JsonNode r : readings(id)) {
            times.add(java.time.OffsetDateTime.parse(r.get("timestamp").asText()).toInstant().toEpochMilli());
        }
        return times;
    }

    /** Every stored reading of user {@code id}, oldest first, paging through {@code /usuario/consumo}. */
    List<JsonNode> readings(long id) throws Exception {
        List<JsonNode> readings = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = getJson("/usuario/consumo/?id=" + id + "&limite=10000" + (cursor == null ? "" : "&cursor=" + cursor));
            page.get("consumo").forEach(readings::add);
            cursor = page.get("proximo").isNull() ? null : page.get("proximo").asText();
        } while (cursor != null);
        return readings;
    }

    /**
     * Sends SIGTERM as Ctrl-C or {@code docker stop} would ({@link Process#destroy()} would also
     * close our end of the server's output, losing its last lines).
     */
    void terminate() throws Exception {
        Process kill = new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
