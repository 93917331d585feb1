package org.gridmeter.server;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.gridmeter.protocol.Integrity;
import org.gridmeter.protocol.Reading;
import org.gridmeter.protocol.ReadingBatch;
import org.gridmeter.protocol.V1Codec;

/**
 * The real server on free ports in a temporary directory, with a client for its UDP and HTTP
 * sides. Configured through the real command line ({@code --orphan-limit 2}, ...).
 */
final class TestServer implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN = "test-admin-token-0123456789";
    /**
     * Where a server's clock stands unless a test says otherwise: a Monday noon, mid-month, far from
     * any day's, month's or year's end, so nothing a test does depends on when it runs.
     */
    static final long NOW = java.time.Instant.parse("2026-11-02T12:00:00Z").toEpochMilli();

    final GridMeterServer server;
    final Path dataDir;
    /** The server's wall clock, when the test gave a {@link TestClock} (the default): tests move it. */
    final Clock clock;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final DatagramSocket udp;

    private TestServer(GridMeterServer server, Path dataDir, Clock clock) throws IOException {
        this.server = server;
        this.dataDir = dataDir;
        this.clock = clock;
        this.udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    }

    /** A server whose clock stands at {@link #NOW} (see {@link #testClock()}), in the zone UTC unless flags say. */
    static TestServer start(Path dataDir, String... flags) throws Exception {
        return start(dataDir, TestClock.at(NOW), flags);
    }

    /** A server whose wall clock is {@code clock} (a {@link TestClock} lets the test move time). */
    static TestServer start(Path dataDir, Clock clock, String... flags) throws Exception {
        return start(dataDir, clock, null, flags);
    }

    /** As {@link #start(Path, Clock, String...)}, with the writer paced by {@code tuning} ({@code null}: defaults). */
    static TestServer start(Path dataDir, Clock clock, ServerConfig.Tuning tuning, String... flags) throws Exception {
        List<String> args = new ArrayList<>(List.of("--bind", "127.0.0.1", "--udp-port", "0",
                "--data-dir", dataDir.toString(), "--admin-token", TOKEN));
        if (!List.of(flags).contains("--http-port")) {
            args.addAll(List.of("--http-port", "0")); // a test restarting a server on the same port gives one
        }
        if (!List.of(flags).contains("--zone")) {
            args.addAll(List.of("--zone", "UTC")); // never the machine's zone
        }
        // tests feed a meter's history and hammer routes far faster than meters and people do; the
        // tests of the limits themselves set them
        if (!List.of(flags).contains("--max-rate")) {
            args.addAll(List.of("--max-rate", "1000000"));
        }
        if (!List.of(flags).contains("--http-rate")) {
            args.addAll(List.of("--http-rate", "1000000"));
        }
        if (!List.of(flags).contains("--store")) {
            args.addAll(List.of("--store", TestStores.storeFor(dataDir))); // SQLite, or PostgreSQL in that run
        }
        args.addAll(List.of(flags));
        StringWriter err = new StringWriter();
        Main.Parsed parsed = Main.parse(args.toArray(String[]::new), Map.of(), new PrintWriter(new StringWriter()),
                new PrintWriter(err));
        if (parsed.config() == null) {
            throw new IllegalArgumentException("bad test flags: " + err);
        }
        ServerConfig config = tuning == null ? parsed.config() : parsed.config().withTuning(tuning);
        return new TestServer(GridMeterServer.start(config, clock), dataDir, clock);
    }

    /** The server's clock, to move time forward. */
    TestClock testClock() {
        return (TestClock) clock;
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + server.httpAddress().getPort() + pathAndQuery);
    }

    HttpResponse<String> get(String pathAndQuery) {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).GET());
    }

    /** A GET asking for English texts ({@code Accept-Language: en}). */
    HttpResponse<String> getEnglish(String pathAndQuery) {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).header("Accept-Language", "en").GET());
    }

    /** Waits until the server has committed {@code n} more once-a-second ticks (silence checks). */
    void awaitTicks(int n) {
        long target = server.metrics().ticks.sum() + n;
        await().atMost(Duration.ofSeconds(10 + n)).until(() -> server.metrics().ticks.sum() >= target);
    }

    HttpResponse<String> post(String path, String body, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        return send(token == null ? b : b.header("Authorization", "Bearer " + token));
    }

    HttpResponse<String> delete(String pathAndQuery, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(pathAndQuery)).DELETE();
        return send(token == null ? b : b.header("Authorization", "Bearer " + token));
    }

    HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Opens an event stream at {@code pathAndQuery} and collects its lines on another thread; the
     * first line is {@code "status <code> <content-type>"}.
     */
    java.util.List<String> listen(String pathAndQuery) {
        java.util.List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> response =
                java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build()
                        .sendAsync(HttpRequest.newBuilder(uri(pathAndQuery)).build(), HttpResponse.BodyHandlers.ofLines());
        Thread reader = new Thread(() -> {
            try {
                HttpResponse<java.util.stream.Stream<String>> r = response.join();
                lines.add("status " + r.statusCode() + " " + r.headers().firstValue("content-type").orElse(""));
                r.body().forEach(lines::add);
            } catch (RuntimeException closed) {
                // the server stopped
            }
        });
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    static JsonNode json(HttpResponse<String> response) {
        return json(response.body());
    }

    static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + body, e);
        }
    }

    /** Registers a user with the admin token; fails the test unless it is created. */
    void register(long id) {
        HttpResponse<String> r = post("/usuario/cadastro/",
                "{\"id\": " + id + ", \"nome\": \"user " + id + "\", \"endereco\": \"rua " + id + "\"}", TOKEN);
        if (r.statusCode() != 201) {
            throw new AssertionError("register " + id + ": " + r.statusCode() + " " + r.body());
        }
    }

    JsonNode user(long id) {
        return json(get("/usuario/?id=" + id));
    }

    /** Sends raw bytes to the server's UDP port. */
    void send(byte[] datagram) {
        try {
            udp.send(new DatagramPacket(datagram, datagram.length, server.udpAddress().getAddress(),
                    server.udpAddress().getPort()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends one version-1 datagram with these readings of {@code meter}. */
    void send(long meter, Reading... readings) {
        send(V1Codec.encodeReadings(new ReadingBatch(meter, List.of(readings), Integrity.CRC32C, false), null));
    }

    /** Sends {@code readings} of {@code meter} in datagrams of up to 48, then waits until all are committed. */
    void sendAll(long meter, List<Reading> readings) {
        long before = server.metrics().readingsCommitted.sum();
        for (int i = 0; i < readings.size(); i += 48) {
            send(meter, readings.subList(i, Math.min(readings.size(), i + 48)).toArray(Reading[]::new));
        }
        awaitHandled(before + readings.size());
    }

    /** Waits until the writer has handled and committed {@code readings} readings in all (stored or not). */
    void awaitHandled(long readings) {
        var m = server.metrics();
        await().atMost(Duration.ofSeconds(10)).until(() -> m.readingsCommitted.sum() >= readings);
    }

    @Override
    public void close() {
        udp.close();
        server.close();
    }
}
