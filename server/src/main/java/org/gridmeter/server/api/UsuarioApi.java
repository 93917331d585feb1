package org.gridmeter.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.gridmeter.server.http.ApiException;
import org.gridmeter.server.http.ReadAuth;
import org.gridmeter.server.http.Request;
import org.gridmeter.server.http.Response;
import org.gridmeter.server.users.DeletedUser;
import org.gridmeter.server.users.User;
import org.gridmeter.server.users.UserCommands;
import org.gridmeter.server.users.UserDirectory;

/** {@code /usuario}, {@code /usuario/cadastro}, {@code /usuario/delete}. */
final class UsuarioApi {

    private static final int MAX_TEXT = 200;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final UserDirectory users;
    private final UserCommands commands;
    private final Views views;
    private final FaturaApi invoices;
    private final Clock clock;

    private final java.time.Duration keyGrace;

    /** @param keyGrace how long a replaced meter key is still accepted ({@code --key-grace}) */
    UsuarioApi(UserDirectory users, UserCommands commands, Views views, FaturaApi invoices, Clock clock,
            java.time.Duration keyGrace) {
        this.keyGrace = keyGrace;
        this.users = users;
        this.commands = commands;
        this.views = views;
        this.invoices = invoices;
        this.clock = clock;
    }

    /** {@code GET /usuario}: every user, or with {@code ?id=} one. In memory: runs on the event loop. */
    Response get(Request request) {
        if (request.param("id") != null) {
            return Response.json(200, views.userJson(existing(users, Params.id(request))));
        }
        List<Views.UserView> all = users.all().stream().map(views::user).toList();
        return Json.ok(Map.of("usuarios", all));
    }

    /** {@code POST /usuario/cadastro}: 201 with the user; 409 if the id exists. Waits for the commit. */
    Response register(Request request) throws Exception {
        JsonNode body = Json.object(request.body());
        JsonNode idNode = body.get("id");
        if (idNode == null || idNode.isNull()) {
            throw missing("id");
        }
        if (!idNode.isIntegralNumber() || idNode.asLong() < 1 || idNode.asLong() > 0xFFFF_FFFFL) {
            throw ApiException.badRequest("campo_invalido",
                    "O campo 'id' deve ser um número inteiro de 1 a 4294967295 (o número do medidor), por exemplo "
                            + "\"id\": 3; veio " + abbreviate(idNode.toString()) + ".",
                    "Field 'id' must be a whole number from 1 to 4294967295 (the meter's number), e.g. \"id\": 3; got "
                            + abbreviate(idNode.toString()) + ".");
        }
        String nome = text(body, "nome");
        String endereco = text(body, "endereco");
        String key = meterKey(body.get("chave_medidor"));
        String readToken = newToken();
        User user = new User(idNode.asLong(), nome, endereco, clock.millis(), key, ReadAuth.sha256(readToken));
        try {
            commands.register(user).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UserCommands.UserExistsException) {
                throw new ApiException(409, "usuario_existente", org.gridmeter.server.http.Text.of("O usuário "
                        + user.id() + " já existe; apague-o antes ou escolha outro id.", "User " + user.id()
                        + " exists already; delete it first or choose another id."));
            }
            throw e;
        }
        Map<String, Object> created = new LinkedHashMap<>(Json.toMap(views.user(user)));
        if (key != null) {
            created.put("chave_medidor", key); // shown once: the meter needs it to sign its datagrams
        }
        created.put("token_leitura", readToken); // shown once: only its hash is kept
        return Json.response(201, created).withHeader("Location", "/usuario/?id=" + user.id());
    }

    /**
     * {@code POST /usuario/token/?id=}: a new read token for the user, shown once; the old one stops
     * working. 404 if unknown.
     */
    Response newReadToken(Request request) throws Exception {
        long id = Params.id(request);
        existing(users, id);
        String token = newToken();
        if (commands.replaceReadToken(id, ReadAuth.sha256(token)).get(30, TimeUnit.SECONDS) == null) {
            throw unknownUser(id);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("token_leitura", token);
        return Json.ok(body);
    }

    /**
     * {@code PUT /usuario/chave/?id=} with {@code {"chave_medidor": "<hex>"|"gerar"}}: the meter's new
     * key, shown once; the old one is still accepted for {@code --key-grace} so the meter can be
     * switched. 404 if unknown.
     */
    Response newMeterKey(Request request) throws Exception {
        long id = Params.id(request);
        existing(users, id);
        JsonNode body = Json.object(request.body());
        if (body.get("chave_medidor") == null || body.get("chave_medidor").isNull()) {
            throw missing("chave_medidor");
        }
        String key = meterKey(body.get("chave_medidor"));
        long until = clock.millis() + keyGrace.toMillis();
        User updated = commands.replaceMeterKey(id, key, until).get(30, TimeUnit.SECONDS);
        if (updated == null) {
            throw unknownUser(id);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("id", id);
        answer.put("chave_medidor", key); // shown once: the meter needs it to sign its datagrams
        answer.put("chave_anterior_aceita_ate", updated.previousKey() == null ? null
                : views.time().timestamp(updated.previousKey().untilMillis()));
        return Json.ok(answer);
    }

    /** A new read token: 32 random bytes, URL-safe. */
    private static String newToken() {
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes());
    }

    /** 32 bytes from the secure generator: a read token, or a generated meter key. */
    private static byte[] randomBytes() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /** {@code DELETE /usuario/delete?id=}: 200 with what was deleted; 404 if unknown. */
    Response delete(Request request) throws Exception {
        long id = Params.id(request);
        existing(users, id);
        List<Map<String, Object>> deletedInvoices = invoices.all(id).stream().map(invoices::view).toList();
        DeletedUser deleted = commands.delete(id).get(30, TimeUnit.SECONDS);
        if (deleted == null) {
            throw unknownUser(id);
        }
        TimeFormat time = views.time();
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("quantidade", deleted.readings());
        summary.put("primeira", deleted.firstTimestampMillis() < 0 ? null : time.timestamp(deleted.firstTimestampMillis()));
        summary.put("ultima", deleted.lastTimestampMillis() < 0 ? null : time.timestamp(deleted.lastTimestampMillis()));
        summary.put("consumo_kwh", Json.kwh(deleted.totalMwh()));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("usuario", Map.of("id", deleted.user().id(), "nome", deleted.user().nome(),
                "endereco", deleted.user().endereco()));
        body.put("leituras", summary);
        body.put("faturas", deletedInvoices);
        return Json.ok(body);
    }

    static User existing(UserDirectory users, long id) {
        User user = users.get(id);
        if (user == null) {
            throw unknownUser(id);
        }
        return user;
    }

    static ApiException unknownUser(long id) {
        return ApiException.notFound("usuario_inexistente",
                "Não há usuário com id " + id + "; cadastre-o com POST /usuario/cadastro/.",
                "No user with id " + id + "; register it with POST /usuario/cadastro/.");
    }

    private static ApiException missing(String field) {
        return ApiException.badRequest("campo_ausente", "Falta o campo '" + field + "', por exemplo "
                + "{\"id\": 3, \"nome\": \"vitor\", \"endereco\": \"rua c\"}.", "Field '" + field + "' is required, e.g. "
                + "{\"id\": 3, \"nome\": \"vitor\", \"endereco\": \"rua c\"}.");
    }

    private static String text(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            throw missing(field);
        }
        if (!node.isTextual() || node.asText().isBlank() || node.asText().length() > MAX_TEXT) {
            throw ApiException.badRequest("campo_invalido", "O campo '" + field + "' deve ser um texto não vazio de até "
                    + MAX_TEXT + " caracteres, por exemplo \"" + field + "\": \"rua c\"; veio "
                    + abbreviate(node.toString()) + ".", "Field '" + field + "' must be a non-empty string of at most "
                    + MAX_TEXT + " characters, e.g. \"" + field + "\": \"rua c\"; got " + abbreviate(node.toString()) + ".");
        }
        return node.asText().trim();
    }

    /** {@code chave_medidor}: absent (no key), 32-128 hex digits, or {@code "gerar"} for a new random key. */
    private static String meterKey(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        String value = node.isTextual() ? node.asText().trim() : "";
        if (value.equals("gerar")) {
            return HexFormat.of().formatHex(randomBytes());
        }
        if (value.length() % 2 == 0 && value.length() >= 32 && value.length() <= 128 && value.matches("[0-9a-fA-F]+")) {
            return value.toLowerCase(java.util.Locale.ROOT);
        }
        throw ApiException.badRequest("campo_invalido", "O campo 'chave_medidor' deve ter de 32 a 128 dígitos "
                + "hexadecimais, por exemplo \"000102030405060708090a0b0c0d0e0f\", ou ser \"gerar\" para o servidor gerar uma.",
                "Field 'chave_medidor' must be 32 to 128 hex digits, e.g. \"000102030405060708090a0b0c0d0e0f\", or "
                        + "\"gerar\" to have the server generate one.");
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
