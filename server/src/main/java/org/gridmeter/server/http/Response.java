package org.gridmeter.server.http;

import java.util.Map;

/**
 * An HTTP response as the API builds it: status, content type, body text (UTF-8) and extra headers.
 * {@link ResponseWriter} adds Content-Length and the connection headers. A response with a
 * {@code stream} instead stays open and sends Server-Sent Events.
 */
public record Response(int status, String contentType, String body, Map<String, String> headers, EventSource stream) {

    public static final String JSON = "application/json; charset=utf-8";
    public static final String EVENT_STREAM = "text/event-stream; charset=utf-8";

    public Response {
        headers = Map.copyOf(headers);
    }

    public Response(int status, String contentType, String body, Map<String, String> headers) {
        this(status, contentType, body, headers, null);
    }

    /** A response that stays open and sends the frames {@code source} produces. */
    public static Response eventStream(EventSource source) {
        return new Response(200, EVENT_STREAM, "", Map.of(), source);
    }

    public static Response json(int status, String json) {
        return new Response(status, JSON, json, Map.of());
    }

    public Response withHeader(String name, String value) {
        java.util.Map<String, String> all = new java.util.HashMap<>(headers);
        all.put(name, value);
        return new Response(status, contentType, body, all, stream);
    }
}
