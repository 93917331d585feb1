package org.gridmeter.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/** The documented error body: {@code {"erro": "<short code>", "mensagem": "<sentence>"}}. */
public final class ErrorBody {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ErrorBody() {
    }

    public static Response response(int status, String code, Text message, Language language) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("erro", code);
        body.put("mensagem", message.in(language));
        try {
            return Response.json(status, MAPPER.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of two strings always serializes", e);
        }
    }

    /** The error in Portuguese and English. */
    public static Response response(int status, String code, String pt, String en, Language language) {
        return response(status, code, Text.of(pt, en), language);
    }

    public static Response response(ApiException e, Language language) {
        return response(e.status(), e.code(), e.text(), language);
    }
}
