package org.gridmeter.server.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import org.gridmeter.server.http.ApiException;
import org.gridmeter.server.http.Response;

/** JSON in and out, configured once: numbers as plain decimals ({@code 10}, never {@code 1E+1}). */
final class Json {

    /** A body {@code cadastro} accepts, for messages about bodies. */
    private static final String EXAMPLE_BODY = "{\"id\": 3, \"nome\": \"vitor\", \"endereco\": \"rua c\"}";

    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private Json() {
    }

    static Response ok(Object body) {
        return response(200, body);
    }

    static Response response(int status, Object body) {
        try {
            return Response.json(status, MAPPER.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("response not serializable: " + body.getClass(), e);
        }
    }

    /** One line of JSON. */
    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("not serializable: " + value.getClass(), e);
        }
    }

    /** Parses a request body; a 400 naming the problem if it is not a JSON object. */
    static JsonNode object(String body) {
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            long line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
            long column = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
            throw ApiException.badRequest("json_invalido",
                    "O corpo não é um JSON válido (linha " + line + ", coluna " + column + "); envie um objeto como "
                            + EXAMPLE_BODY + ".",
                    "The body is not valid JSON (line " + line + ", column " + column + "); send an object like "
                            + EXAMPLE_BODY + ".");
        }
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest("json_invalido", "O corpo deve ser um objeto JSON, por exemplo "
                    + EXAMPLE_BODY + ".", "The body must be a JSON object, e.g. "
                    + EXAMPLE_BODY + ".");
        }
        return node;
    }

    /** A view record as an ordered map of its JSON fields, to add fields to. */
    @SuppressWarnings("unchecked")
    static java.util.Map<String, Object> toMap(Object view) {
        return MAPPER.convertValue(view, java.util.LinkedHashMap.class);
    }

    /** Exact kWh from mWh, without trailing zeros: 1,234,560 mWh is {@code 1.23456}. */
    static BigDecimal kwh(long mwh) {
        BigDecimal kwh = BigDecimal.valueOf(mwh, 6).stripTrailingZeros();
        return kwh.scale() < 0 ? kwh.setScale(0) : kwh;
    }
}
