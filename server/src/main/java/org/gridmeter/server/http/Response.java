package org.gridmeter.server.http;

import java.util.Map;

/**
 * An HTTP response as the API builds it: status, content type, body text (UTF-8) and extra headers.
 * {@link ResponseWriter} adds Content-Length and the connection headers.
 */
public record Response(int status, String contentType, String body, Map<String, String> headers) {

    public static final String JSON = "application/json; charset=utf-8";

    public Response {
        headers = Map.copyOf(headers);
    }

    public static Response json(int status, String json) {
        return new Response(status, JSON, json, Map.of());
    }

    public Response withHeader(String name, String value) {
        java.util.Map<String, String> all = new java.util.HashMap<>(headers);
        all.put(name, value);
        return new Response(status, contentType, body, all);
    }
}
