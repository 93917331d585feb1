package org.gridmeter.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gridmeter.server.cluster.ClusterMember;
import org.gridmeter.server.cluster.Ownership;
import org.gridmeter.server.cluster.Partitions;
import org.gridmeter.server.http.ErrorBody;
import org.gridmeter.server.http.Request;
import org.gridmeter.server.http.Response;
import org.gridmeter.server.http.Router.Handler;

/**
 * HTTP on a cluster node (docs/scaling.md): {@code GET /cluster} (the nodes and the partitions each
 * holds), and requests about one user that this node does not handle passed to the node that
 * does, its answer relayed unchanged, so every node answers for every user with the owner's
 * committed view.
 */
final class ClusterApi {

    private final ClusterMember member;
    private final Ownership ownership;
    private final TimeFormat time;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    ClusterApi(ClusterMember member, TimeFormat time) {
        this.member = member;
        this.ownership = member.ownership();
        this.time = time;
    }

    Response status(Request request) {
        ClusterMember.Status status = member.status();
        List<Object> nodes = new ArrayList<>();
        for (ClusterMember.NodeStatus n : status.nodes()) {
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("no", n.id());
            node.put("vivo", n.alive());
            node.put("este", n.self());
            node.put("udp", n.udp().getHostString() + ":" + n.udp().getPort());
            node.put("http", n.http().getHostString() + ":" + n.http().getPort());
            node.put("particoes", new ArrayList<>(n.partitions().keySet()));
            node.put("epocas", n.partitions());
            nodes.add(node);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("no", ownership.nodeId());
        body.put("particoes_total", Partitions.COUNT);
        body.put("particoes_deste_no", ownership.held());
        body.put("lido_em", time.timestamp(status.readAtMillis()));
        body.put("nos", nodes);
        return Json.ok(body);
    }

    /** {@code local}, or the owner's answer for a user another node handles; the id is a query parameter. */
    Handler byQueryId(Handler local) {
        return request -> relayOrLocal(request, idOf(request.param("id")), local);
    }

    /** As {@link #byQueryId}, for routes whose JSON body carries the id ({@code POST /usuario/cadastro}). */
    Handler byBodyId(Handler local) {
        return request -> {
            Long id = null;
            try {
                JsonNode body = Json.MAPPER.readTree(request.body());
                if (body != null && body.path("id").canConvertToLong()) {
                    id = body.path("id").asLong();
                }
            } catch (java.io.IOException e) {
                id = null; // the local handler says what is wrong with it
            }
            return relayOrLocal(request, id, local);
        };
    }

    private static Long idOf(String text) {
        try {
            return text == null ? null : Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return null; // the local handler says what is wrong with it
        }
    }

    private Response relayOrLocal(Request request, Long id, Handler local) throws Exception {
        if (id == null || id < 0 || ownership.local(id) || request.forwardedBy() != null) {
            return local.handle(request);
        }
        Ownership.Node owner = ownership.remoteOwner(id);
        if (owner == null) {
            return ErrorBody.response(503, "particao_sem_dono", "Nenhum nó atende agora a partição "
                    + Partitions.of(id) + " (do usuário " + id + "): outro nó a assume em segundos; tente de novo.",
                    "No node serves partition " + Partitions.of(id) + " (of user " + id + ") right now: another node "
                    + "takes it over within seconds; retry.", request.language()).withHeader("Retry-After", "2");
        }
        HttpRequest.Builder out = HttpRequest.newBuilder(URI.create("http://" + owner.http().getHostString() + ":"
                + owner.http().getPort() + request.path() + query(request.query())))
                .timeout(Duration.ofSeconds(10))
                .header(Request.FORWARDED_BY, String.valueOf(ownership.nodeId()))
                .header("Accept-Language", request.language().tag())
                .method(request.method(), request.body().isEmpty() ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(request.body()));
        if (request.authorization() != null) {
            out.header("Authorization", request.authorization());
        }
        if (!request.body().isEmpty()) {
            out.header("Content-Type", "application/json; charset=utf-8");
        }
        HttpResponse<String> answer;
        try {
            answer = client.send(out.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            return ErrorBody.response(503, "no_indisponivel", "O nó " + owner.id() + ", que atende o usuário " + id
                    + ", não respondeu; tente de novo em instantes.", "Node " + owner.id() + ", which serves user " + id
                    + ", did not answer; retry in a moment.", request.language()).withHeader("Retry-After", "2");
        }
        Response relayed = new Response(answer.statusCode(), answer.headers().firstValue("Content-Type")
                .orElse("application/json; charset=utf-8"), answer.body(), Map.of());
        for (String header : List.of("Retry-After", "Allow", "WWW-Authenticate")) {
            String value = answer.headers().firstValue(header).orElse(null);
            if (value != null) {
                relayed = relayed.withHeader(header, value);
            }
        }
        return relayed.withHeader("X-GridMeter-Node", owner.id());
    }

    private static String query(Map<String, List<String>> query) {
        StringBuilder q = new StringBuilder();
        for (var e : query.entrySet()) {
            for (String v : e.getValue()) {
                q.append(q.length() == 0 ? '?' : '&').append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8))
                        .append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        }
        return q.toString();
    }
}
