package org.gridmeter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gridmeter.protocol.Reading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The routes the dashboard is built on, over real sockets: the pages and their assets (with the
 * security headers), the network view, the meter table, the fleet's active alerts, and the event
 * stream filtered by type.
 */
class DashboardRoutesIntegrationTest {

    @TempDir
    Path dir;

    private static Reading at(long seq, long secondsBeforeNow, long mwh) {
        return new Reading(seq, TestServer.NOW - secondsBeforeNow * 1000, mwh, 500);
    }

    @Test
    void thePagesComeFromTheServerWithAStrictPolicyAndNoInlineScript() throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            for (String page : List.of("/", "/painel/usuario/?id=1", "/painel/datagramas/")) {
                HttpResponse<String> r = server.get(page);
                assertThat(r.statusCode()).as(page).isEqualTo(200);
                assertThat(r.headers().firstValue("content-type")).contains("text/html; charset=utf-8");
                assertThat(r.headers().firstValue("content-security-policy").orElseThrow())
                        .contains("script-src 'self'").contains("default-src 'none'").doesNotContain("unsafe-inline");
                assertThat(r.headers().firstValue("x-content-type-options")).contains("nosniff");
                assertThat(r.body()).contains("lang=\"pt-BR\"").doesNotContain("{{");
                // every script is a file of this server: none inline, none from elsewhere
                Matcher scripts = Pattern.compile("<script([^>]*)>(.*?)</script>", Pattern.DOTALL).matcher(r.body());
                List<String> sources = new ArrayList<>();
                while (scripts.find()) {
                    assertThat(scripts.group(2)).as("inline script in " + page).isBlank();
                    Matcher src = Pattern.compile("src=\"([^\"]+)\"").matcher(scripts.group(1));
                    assertThat(src.find()).isTrue();
                    sources.add(src.group(1));
                }
                assertThat(sources).isNotEmpty().allMatch(s -> s.startsWith("/painel/") && s.contains("?v="));
                assertThat(r.body()).doesNotContain("http://", "https://", "style=\"")
                        .doesNotContainPattern("\\son[a-z]+=");
                for (String source : sources) {
                    HttpResponse<String> asset = server.get(source);
                    assertThat(asset.statusCode()).as(source).isEqualTo(200);
                    assertThat(asset.headers().firstValue("content-type")).contains("text/javascript; charset=utf-8");
                    assertThat(asset.headers().firstValue("x-content-type-options")).contains("nosniff");
                }
            }
            assertThat(server.get("/painel/uplot.js").body()).contains("uPlot");
            assertThat(server.get("/painel/uplot.css").headers().firstValue("content-type"))
                    .contains("text/css; charset=utf-8");
            HttpResponse<String> json = server.get("/saude");
            assertThat(json.headers().firstValue("x-content-type-options")).contains("nosniff");
            assertThat(json.headers().firstValue("content-security-policy")).isPresent();
            assertThat(TestServer.json(json).get("agora").asText()).isEqualTo("2026-11-02T12:00:00Z");
        }
    }

    @Test
    void theNetworkViewTellsLossReorderingAndDuplicatesFromSequenceNumbers() throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            server.register(1);
            assertThat(TestServer.json(server.get("/usuario/rede/?id=1")).get("datagramas_recebidos").asLong()).isZero();

            server.send(1, at(0, 60, 1000));
            server.send(1, at(1, 55, 2000));
            server.send(1, at(3, 45, 4000)); // 2 not yet: a gap
            server.send(1, at(5, 35, 6000)); // 4 never comes
            server.send(1, at(2, 50, 3000)); // right behind 3: reordered
            server.send(1, at(5, 35, 6000)); // a copy of 5
            server.awaitHandled(6);

            JsonNode rede = await().until(() -> TestServer.json(server.get("/usuario/rede/?id=1")),
                    r -> r.get("datagramas_recebidos").asLong() == 6);
            assertThat(rede.get("id").asLong()).isEqualTo(1);
            assertThat(rede.get("transporte").asText()).isEqualTo("udp");
            assertThat(rede.get("formato").asText()).isEqualTo("v1");
            assertThat(rede.get("leituras_recebidas").asLong()).isEqualTo(6);
            assertThat(rede.get("perdidas_em_transito").asLong()).isEqualTo(1);
            assertThat(rede.get("fora_de_ordem").asLong()).isEqualTo(1);
            assertThat(rede.get("duplicadas").asLong()).isEqualTo(1);
            assertThat(rede.get("reenviadas").asLong()).isZero();
            assertThat(rede.get("ultima_sequencia").asLong()).isEqualTo(5);
            assertThat(rede.get("ultimo_contato").asText()).isEqualTo("2026-11-02T12:00:00Z");
            assertThat(rede.get("endereco").asText()).isEqualTo("127.0.0.1:" + server.udp.getLocalPort());

            assertThat(server.get("/usuario/rede/?id=2").statusCode()).isEqualTo(404);
            assertThat(server.get("/usuario/rede/").statusCode()).isEqualTo(400);
        }
    }

    @Test
    void theMeterTableSearchesSortsAndPagesOnTheServer() throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            for (long id = 1; id <= 30; id++) {
                server.register(id);
            }
            server.send(7, at(0, 10, 0), at(1, 5, 9_000_000)); // meter 7 used the most
            server.send(8, at(0, 10, 0), at(1, 5, 1_000_000));
            server.awaitHandled(4);

            JsonNode first = TestServer.json(server.get("/painel/medidores/"));
            assertThat(first.get("total").asInt()).isEqualTo(30);
            assertThat(first.get("encontrados").asInt()).isEqualTo(30);
            assertThat(first.get("paginas").asInt()).isEqualTo(2);
            assertThat(first.get("medidores")).hasSize(25);
            assertThat(first.get("medidores").get(0).get("id").asLong()).isEqualTo(1);
            assertThat(first.get("online").asInt()).isEqualTo(2);

            JsonNode second = TestServer.json(server.get("/painel/medidores/?pagina=2"));
            assertThat(second.get("medidores")).hasSize(5);
            assertThat(second.get("medidores").get(4).get("id").asLong()).isEqualTo(30);

            JsonNode byUse = TestServer.json(server.get("/painel/medidores/?ordem=consumo&sentido=desc&por_pagina=3"));
            JsonNode top = byUse.get("medidores").get(0);
            assertThat(top.get("id").asLong()).isEqualTo(7);
            assertThat(top.get("nome").asText()).isEqualTo("user 7");
            assertThat(top.get("consumo_total_kwh").decimalValue()).isEqualByComparingTo("9");
            assertThat(top.get("potencia_w").asInt()).isEqualTo(500);
            assertThat(top.get("online").asBoolean()).isTrue();
            assertThat(top.get("ultimo_contato").asText()).isEqualTo("2026-11-02T12:00:00Z");
            assertThat(top.get("perdidas_em_transito").asLong()).isZero();
            assertThat(byUse.get("medidores").get(1).get("id").asLong()).isEqualTo(8);

            JsonNode search = TestServer.json(server.get("/painel/medidores/?busca=RUA%202"));
            assertThat(search.get("encontrados").asInt()).isEqualTo(11); // rua 2, rua 20..29
            JsonNode byId = TestServer.json(server.get("/painel/medidores/?busca=3"));
            assertThat(byId.get("medidores").findValues("id").stream().map(JsonNode::asLong).toList())
                    .containsExactly(3L, 13L, 23L, 30L); // ids 3 and 30 start with it; "user 13" and "user 23" contain it

            HttpResponse<String> bad = server.get("/painel/medidores/?ordem=tamanho");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(TestServer.json(bad).get("mensagem").asText()).contains("'ordem'").contains("ordem=consumo");
            assertThat(server.get("/painel/medidores/?sentido=cima").statusCode()).isEqualTo(400);
            assertThat(server.get("/painel/medidores/?por_pagina=0").statusCode()).isEqualTo(400);
        }
    }

    @Test
    void theFleetsActiveAlertsAndAStreamOfAlertsOnly() throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            server.register(1);
            server.register(2);
            List<String> alertsOnly = server.listen("/usuario/tempo-real/?eventos=alerta");
            List<String> everything = server.listen("/usuario/tempo-real/");
            await().until(() -> alertsOnly.size() >= 1 && everything.size() >= 1);
            // 20 minutes at 6 kW: the average power of the last 15 minutes passes 5 kW
            List<Reading> readings = new ArrayList<>();
            for (int m = 0; m <= 20; m++) {
                readings.add(new Reading(m, TestServer.NOW - (20 - m) * 60_000L, m * 100_000L, 6000));
            }
            for (Reading r : readings) {
                server.send(2, r);
            }
            server.awaitHandled(readings.size());

            JsonNode active = await().until(() -> TestServer.json(server.get("/usuario/alertas/")),
                    a -> a.get("ativos").size() == 1).get("ativos");
            assertThat(active.get(0).get("id").asLong()).isEqualTo(2);
            assertThat(active.get(0).get("tipo").asText()).isEqualTo("excesso");
            assertThat(active.get(0).get("motivo").asText()).isEqualTo("potencia_15min");
            assertThat(active.get(0).get("mensagem").asText()).startsWith("A potência média").contains("5 kW");
            // a client that cannot set Accept-Language (a browser's EventSource) asks in the query
            assertThat(TestServer.json(server.get("/usuario/alertas/?idioma=en")).get("ativos").get(0).get("mensagem")
                    .asText()).startsWith("Average power");

            await().until(() -> alertsOnly.stream().anyMatch(l -> l.equals("event: alerta")));
            await().until(() -> everything.stream().anyMatch(l -> l.equals("event: leitura")));
            assertThat(alertsOnly).noneMatch(l -> l.equals("event: leitura"));
            assertThat(server.get("/usuario/tempo-real/?eventos=alertas").statusCode()).isEqualTo(400);
        }
    }

    @Test
    void readingsSinceAnInstant() throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            server.register(1);
            server.sendAll(1, List.of(at(0, 1200, 0), at(1, 600, 1000), at(2, 60, 2000)));
            JsonNode page = TestServer.json(server.get("/usuario/consumo/?id=1&desde=2026-11-02T11:50:00Z"));
            assertThat(page.get("consumo").findValues("kwh").stream().map(JsonNode::decimalValue).toList())
                    .usingElementComparator(java.math.BigDecimal::compareTo)
                    .containsExactly(new java.math.BigDecimal("0.001"), new java.math.BigDecimal("0.002"));
            HttpResponse<String> bad = server.get("/usuario/consumo/?id=1&desde=ontem");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(TestServer.json(bad).get("mensagem").asText()).contains("'desde'");
        }
    }
}
