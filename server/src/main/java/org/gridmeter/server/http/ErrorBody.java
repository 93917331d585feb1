package org.gridmeter.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/** The contract's error body: {@code {"erro": "<short code>", "mensagem": "<sentence>"}}. */
public final class ErrorBody {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ErrorBody() {
    }

    public static Response response(int status, String code, String message) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("erro", code);
        body.put("mensagem", message);
        try {
            return Response.json(status, MAPPER.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of two strings always serializes", e);
        }
    }

    public static Response response(ApiException e) {
        return response(e.status(), e.code(), e.getMessage());
    }
}
