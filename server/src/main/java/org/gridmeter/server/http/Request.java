package org.gridmeter.server.http;

import java.util.List;
import java.util.Map;

/**
 * An HTTP request as the API sees it: no Netty types.
 *
 * @param path          decoded path without its trailing slash ({@code /usuario/} is {@code /usuario})
 * @param query         decoded query parameters, each with every value given
 * @param authorization the {@code Authorization} header, or {@code null}
 * @param body          the body decoded as UTF-8 (empty if none)
 * @param language      the language the client reads ({@code Accept-Language}): texts in answers are in it
 * @param forwardedBy   the cluster node that passed this request on to this one ({@link #FORWARDED_BY}), or {@code null}
 */
public record Request(String method, String path, Map<String, List<String>> query, String authorization,
        String body, Language language, String forwardedBy) {

    /** The header a cluster node marks a request it passes on with: the owner answers it itself, so nothing loops. */
    public static final String FORWARDED_BY = "X-GridMeter-Forwarded-By";

    public Request {
        query = Map.copyOf(query);
    }

    /** The first value of query parameter {@code name}, or {@code null} if absent. */
    public String param(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** {@code /usuario/} and {@code /usuario} are the same route; {@code /} stays {@code /}. */
    public static String normalizePath(String path) {
        String p = path.isEmpty() ? "/" : path;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }
}
