package org.gridmeter.server.api;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntSupplier;
import org.gridmeter.server.http.Request;
import org.gridmeter.server.http.Response;
import org.gridmeter.server.metrics.ServerMetrics;
import org.gridmeter.server.usage.LiveMeters;
import org.gridmeter.server.users.UserDirectory;

/** {@code GET /saude} (health and counts) and {@code GET /metrics} (Prometheus text). */
final class SaudeApi {

    private final UserDirectory users;
    private final LiveMeters meters;
    private final ServerMetrics metrics;
    private final IntSupplier queueDepth;
    private final Clock clock;
    private final Instant started;

    /** This node's {@code --node-id} in a cluster, or {@code null} for a lone server. */
    private final String nodeId;

    SaudeApi(UserDirectory users, LiveMeters meters, ServerMetrics metrics, IntSupplier queueDepth, Clock clock,
            String nodeId) {
        this.nodeId = nodeId;
        this.users = users;
        this.meters = meters;
        this.metrics = metrics;
        this.queueDepth = queueDepth;
        this.clock = clock;
        this.started = clock.instant();
    }

    Response health(Request request) {
        Map<String, Object> datagrams = new LinkedHashMap<>();
        datagrams.put("recebidos", metrics.datagramsReceived.sum());
        datagrams.put("aceitos", metrics.datagramsAccepted.sum());
        datagrams.put("rejeitados", metrics.rejectedTotal());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "ok");
        body.put("no", nodeId);
        body.put("inicio", started.toString());
        body.put("agora", java.time.Instant.ofEpochMilli(clock.millis()).toString()); // the server's clock: pages show times by it
        body.put("uptime_s", (clock.millis() - started.toEpochMilli()) / 1000);
        body.put("usuarios", users.size());
        body.put("medidores", meters.size());
        body.put("leituras_armazenadas", meters.totalReadings());
        body.put("fila_escrita", queueDepth.getAsInt());
        body.put("datagramas", datagrams);
        return Json.ok(body);
    }

    Response metrics(Request request) {
        return new Response(200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape(), Map.of());
    }
}
