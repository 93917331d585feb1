package org.gridmeter.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.gridmeter.protocol.Reading;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The /usuario routes of docs/api.md, good and bad input, against the real server. */
class HttpApiIntegrationTest {

    private static final ZoneId ZONE = ZoneId.of("America/Sao_Paulo");
    /** 2023-03-20 14:00:00 in São Paulo (UTC-3). */
    private static final long T0 = LocalDate.of(2023, 3, 20).atTime(14, 0).atZone(ZONE).toInstant().toEpochMilli();

    @TempDir
    Path dir;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(dir, TestClock.at(T0 + 2 * 3_600_000L), "--zone", "America/Sao_Paulo");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static void assertError(HttpResponse<String> r, int status, String code, String mentions) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
        JsonNode body = TestServer.json(r);
        assertThat(body.get("erro").asText()).isEqualTo(code);
        assertThat(body.get("mensagem").asText()).contains(mentions);
    }

    @Test
    void listsUsersWithOrWithoutTrailingSlash() {
        server.register(2);
        server.register(1);

        JsonNode list = TestServer.json(server.get("/usuario/"));
        assertThat(list.get("usuarios")).extracting(u -> u.get("id").asLong()).containsExactly(1L, 2L);
        assertThat(server.get("/usuario").body()).isEqualTo(server.get("/usuario/").body());
        assertThat(server.get("/usuario?id=1").body()).isEqualTo(server.get("/usuario/?id=1").body());
    }

    @Test
    void userHasEveryFieldOfTheContract() {
        server.register(1);

        JsonNode user = server.user(1);

        assertThat(user.fieldNames()).toIterable().containsExactly("id", "nome", "endereco", "consumo_total_kwh",
                "exportacao_total_kwh", "ultima_leitura", "consumo_excessivo", "grande_variacao", "online");
        assertThat(user.get("ultima_leitura").isNull()).isTrue();
        assertThat(user.get("online").asBoolean()).isFalse();
    }

    @Test
    void userIsRenderedAgainWhenAReadingArrives() {
        server.register(1);
        String before = server.get("/usuario/?id=1").body();
        assertThat(server.get("/usuario/?id=1").body()).isEqualTo(before);

        server.send(1, new Reading(0, T0, 1500, 10));
        server.awaitHandled(1);

        JsonNode after = server.user(1);
        assertThat(after.get("consumo_total_kwh").decimalValue()).isEqualByComparingTo("0.0015");
        assertThat(after.get("ultima_leitura").isNull()).isFalse();
        assertThat(after.get("online").asBoolean()).isTrue();
    }

    @Test
    void unknownOrMalformedUserIdGetsAClearError() {
        assertError(server.get("/usuario/?id=42"), 404, "usuario_inexistente", "42");
        assertError(server.get("/usuario/?id=abc"), 400, "parametro_invalido", "'id'");
        assertError(server.get("/usuario/?id=0"), 400, "parametro_invalido", "'id'");
        assertError(server.get("/usuario/consumo/"), 400, "parametro_ausente", "'id'");
    }

    @Test
    void registrationAnswers201ThenConflicts() {
        HttpResponse<String> created = server.post("/usuario/cadastro/",
                "{\"id\": 3, \"nome\": \"vitor\", \"endereco\": \"rua c\"}", TestServer.TOKEN);

        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(TestServer.json(created).get("nome").asText()).isEqualTo("vitor");
        assertError(server.post("/usuario/cadastro/", "{\"id\": 3, \"nome\": \"x\", \"endereco\": \"y\"}",
                TestServer.TOKEN), 409, "usuario_existente", "3");
    }

    @Test
    void registrationRejectsBadBodiesNamingTheField() {
        String t = TestServer.TOKEN;
        assertError(server.post("/usuario/cadastro/", "{\"nome\": \"a\", \"endereco\": \"b\"}", t),
                400, "campo_ausente", "'id'");
        assertError(server.post("/usuario/cadastro/", "{\"id\": \"3\", \"nome\": \"a\", \"endereco\": \"b\"}", t),
                400, "campo_invalido", "'id'");
        assertError(server.post("/usuario/cadastro/", "{\"id\": 0, \"nome\": \"a\", \"endereco\": \"b\"}", t),
                400, "campo_invalido", "'id'");
        assertError(server.post("/usuario/cadastro/", "{\"id\": 5, \"nome\": 7, \"endereco\": \"b\"}", t),
                400, "campo_invalido", "'nome'");
        assertError(server.post("/usuario/cadastro/", "{\"id\": 5, \"nome\": \"a\"}", t),
                400, "campo_ausente", "'endereco'");
        HttpResponse<String> truncated = server.post("/usuario/cadastro/", "{\"id\": 5, ", t);
        assertError(truncated, 400, "json_invalido", "linha 1");
        assertThat(TestServer.json(truncated).get("mensagem").asText()).as("no parser internals")
                .doesNotContain("Stream", "Feature", "com.fasterxml", "Exception");
        assertError(server.post("/usuario/cadastro/", "[1, 2]", t), 400, "json_invalido", "objeto JSON");
        assertThat(server.get("/usuario/?id=5").statusCode()).isEqualTo(404);
    }

    /** Bytes that are not UTF-8: a stray ff fe, an overlong "/" (c0 af), an encoded surrogate (ed a0 80). */
    @ParameterizedTest
    @ValueSource(strings = {"fffe", "c0af", "eda080", "e282", "f4908080"})
    void bodiesThatAreNotUtf8AreRejectedAndCreateNothing(String hexName) {
        byte[] name = HexFormat.of().parseHex(hexName);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("{\"id\": 5, \"nome\": \"".getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(name);
        body.writeBytes("\", \"endereco\": \"rua b\"}".getBytes(StandardCharsets.US_ASCII));
        HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.uri("/usuario/cadastro/"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + TestServer.TOKEN));

        assertError(r, 400, "json_invalido", "UTF-8");
        assertThat(server.get("/usuario/?id=5").statusCode()).isEqualTo(404);
        assertThat(TestServer.json(server.get("/usuario/")).get("usuarios")).isEmpty();
    }

    @Test
    void messagesArePortugueseUnlessEnglishIsAsked() {
        HttpResponse<String> portuguese = server.get("/usuario/?id=42");
        assertThat(TestServer.json(portuguese).get("mensagem").asText()).contains("Não há usuário", "42");
        assertThat(portuguese.headers().firstValue("content-language")).hasValue("pt-BR");

        for (String asked : new String[] {"en", "en-US,en;q=0.9", "fr-FR, en;q=0.5"}) {
            HttpResponse<String> english = server.send(HttpRequest.newBuilder(server.uri("/usuario/?id=42"))
                    .header("Accept-Language", asked));
            assertThat(TestServer.json(english).get("mensagem").asText()).as(asked).contains("No user", "42");
            assertThat(english.headers().firstValue("content-language")).as(asked).hasValue("en");
            assertThat(TestServer.json(english).get("erro").asText()).as("codes do not change")
                    .isEqualTo("usuario_inexistente");
        }
        HttpResponse<String> preferred = server.send(HttpRequest.newBuilder(server.uri("/usuario/?id=42"))
                .header("Accept-Language", "pt-BR,en;q=0.8"));
        assertThat(TestServer.json(preferred).get("mensagem").asText()).contains("Não há usuário");
    }

    @Test
    void changingRoutesNeedTheAdminToken() {
        String body = "{\"id\": 3, \"nome\": \"a\", \"endereco\": \"b\"}";
        HttpResponse<String> anonymous = server.post("/usuario/cadastro/", body, null);

        assertError(anonymous, 401, "nao_autenticado", "Authorization: Bearer");
        assertThat(anonymous.headers().firstValue("www-authenticate")).isPresent();
        assertError(server.post("/usuario/cadastro/", body, "wrong-token"), 403, "token_invalido", "administrador");
        assertError(server.delete("/usuario/delete/?id=3", null), 401, "nao_autenticado", "Bearer");
        assertThat(server.get("/usuario/?id=3").statusCode()).isEqualTo(404);
    }

    @Test
    void deleteAnswersWhatItDeletesThenTheUserIsGone() {
        server.register(1);
        server.send(1, new Reading(0, T0, 1000, 10), new Reading(1, T0 + 5000, 1500, 10));
        server.awaitHandled(2);

        HttpResponse<String> deleted = server.delete("/usuario/delete/?id=1", TestServer.TOKEN);

        assertThat(deleted.statusCode()).isEqualTo(200);
        JsonNode body = TestServer.json(deleted);
        assertThat(body.get("usuario").get("id").asLong()).isEqualTo(1);
        assertThat(body.get("leituras").get("quantidade").asLong()).isEqualTo(2);
        assertThat(body.get("leituras").get("consumo_kwh").decimalValue()).isEqualByComparingTo("0.0015");
        assertThat(body.get("faturas")).hasSize(1);
        assertThat(body.get("faturas").get(0).get("status").asText()).isEqualTo("aberta");
        assertThat(server.get("/usuario/?id=1").statusCode()).isEqualTo(404);
        assertError(server.delete("/usuario/delete/?id=1", TestServer.TOKEN), 404, "usuario_inexistente", "1");
    }

    @Test
    void consumptionPagesThroughEveryReadingWithTheCursor() {
        server.register(1);
        List<Reading> readings = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            readings.add(new Reading(i, T0 + i * 5000L, 1000L * (i + 1), 720));
        }
        server.send(1, readings.toArray(Reading[]::new));
        server.awaitHandled(25);

        List<String> times = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = TestServer.json(server.get("/usuario/consumo/?id=1&limite=10"
                    + (cursor == null ? "" : "&cursor=" + cursor)));
            page.get("consumo").forEach(r -> times.add(r.get("timestamp").asText()));
            cursor = page.get("proximo").isNull() ? null : page.get("proximo").asText();
            pages++;
        } while (cursor != null);

        assertThat(pages).isEqualTo(3);
        assertThat(times).hasSize(25).doesNotHaveDuplicates().isSorted();
        assertThat(times.get(0)).isEqualTo("2023-03-20T14:00:00-03:00");
        assertError(server.get("/usuario/consumo/?id=1&limite=10001"), 400, "parametro_invalido", "'limite'");
        assertError(server.get("/usuario/consumo/?id=1&cursor=zzzz"), 400, "parametro_invalido", "'cursor'");
    }

    @Test
    void readingHasTheContractsFieldsInTheBillingZone() {
        server.register(1);
        server.send(1, new Reading(0, T0, 2_000_000, 1500), new Reading(1, T0 + 5000, 2_002_500, 1800));
        server.awaitHandled(2);

        JsonNode second = TestServer.json(server.get("/usuario/consumo/?id=1")).get("consumo").get(1);

        assertThat(second.get("timestamp").asText()).isEqualTo("2023-03-20T14:00:05-03:00");
        assertThat(second.get("data").asText()).isEqualTo("2023-03-20");
        assertThat(second.get("horario").asText()).isEqualTo("14:00:05");
        assertThat(second.get("kwh").decimalValue()).isEqualByComparingTo("2.0025");
        assertThat(second.get("consumo_kwh").decimalValue()).isEqualByComparingTo("0.0025");
        assertThat(second.get("potencia_w").asInt()).isEqualTo(1800);
        assertThat(second.fieldNames()).toIterable().containsExactly("timestamp", "data", "horario", "kwh",
                "consumo_kwh", "potencia_w", "exportado_kwh");
    }

    @Test
    void dayAcceptsBothDateFormsAndSumsItsConsumption() {
        server.register(1);
        long dayBefore = T0 - 86_400_000L;
        server.send(1, new Reading(0, dayBefore, 1000, 1), new Reading(1, T0, 3000, 1), new Reading(2, T0 + 60_000, 3600, 1));
        server.awaitHandled(3);

        JsonNode iso = TestServer.json(server.get("/usuario/consumo/data/?id=1&data=2023-03-20"));
        JsonNode brazilian = TestServer.json(server.get("/usuario/consumo/data/?id=1&data=20/03/2023"));

        assertThat(iso).isEqualTo(brazilian);
        assertThat(iso.get("dia").asText()).isEqualTo("2023-03-20");
        assertThat(iso.get("consumo")).hasSize(2);
        assertThat(iso.get("consumo_kwh").decimalValue()).isEqualByComparingTo("0.0026");
        assertError(server.get("/usuario/consumo/data/?id=1&data=2023-13-45"), 400, "parametro_invalido", "'data'");
        assertError(server.get("/usuario/consumo/data/?id=1"), 400, "parametro_ausente", "'data'");
    }

    @Test
    void hourMatchesEveryPrefixForm() {
        server.register(1);
        server.send(1, new Reading(0, T0 + 9 * 60_000 + 59_000, 100, 1),   // 14:09:59
                new Reading(1, T0 + 10 * 60_000, 200, 1),                    // 14:10:00
                new Reading(2, T0 + 10 * 60_000 + 5_000, 300, 1),            // 14:10:05
                new Reading(3, T0 + 70 * 60_000, 400, 1));                   // 15:10:00
        server.awaitHandled(4);

        assertThat(count("14")).isEqualTo(3);
        assertThat(count("14:")).isEqualTo(3);
        assertThat(count("14:1")).isEqualTo(2);
        assertThat(count("14:10")).isEqualTo(2);
        assertThat(count("14:10:")).isEqualTo(2);
        assertThat(count("14:10:05")).isEqualTo(1);
        JsonNode answer = TestServer.json(server.get("/usuario/consumo/horario/?id=1&data=2023-03-20&horario=14:10:"));
        assertThat(answer.get("consumo_kwh").decimalValue()).isEqualByComparingTo("0.0002");
        assertError(server.get("/usuario/consumo/horario/?id=1&data=2023-03-20&horario=1:"), 400,
                "parametro_invalido", "'horario'");
        assertError(server.get("/usuario/consumo/horario/?id=1&data=2023-03-20&horario=8"), 400,
                "parametro_invalido", "08");
    }

    private int count(String prefix) {
        return TestServer.json(server.get("/usuario/consumo/horario/?id=1&data=2023-03-20&horario=" + prefix))
                .get("consumo").size();
    }

    @Test
    void unknownRouteIs404AndWrongMethodIs405WithAllow() {
        assertError(server.get("/nada"), 404, "rota_inexistente", "/nada");
        HttpResponse<String> wrong = server.delete("/usuario/consumo/?id=1", TestServer.TOKEN);
        assertError(wrong, 405, "metodo_nao_permitido", "GET");
        assertThat(wrong.headers().firstValue("allow")).hasValue("GET");
    }

    @Test
    void healthAndMetricsReportTheCounters() {
        server.register(1);
        server.send(1, new Reading(0, T0, 10, 1));
        server.send(new byte[] {1, 2, 3});
        server.awaitHandled(1);

        JsonNode health = TestServer.json(server.get("/saude"));
        assertThat(health.get("status").asText()).isEqualTo("ok");
        assertThat(health.get("usuarios").asInt()).isEqualTo(1);
        String metrics = server.get("/metrics").body();
        assertThat(metrics).contains("gridmeter_datagrams_received_total 2.0",
                "gridmeter_datagrams_rejected_total{reason=\"too_short\"} 1.0",
                "gridmeter_readings_stored_total 1.0", "gridmeter_http_requests_seconds_count{",
                "gridmeter_datagrams_dropped_kernel_total 0.0");
    }
}
