package org.gridmeter.server.store;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a PostgreSQL store is: {@code postgresql://host[:port]/database?user=NAME[&param=value...]},
 * the form of {@code --store} and {@code GRIDMETER_STORE}. Parameters other than {@code user} go to
 * the driver as they are (for instance {@code sslmode=verify-full}). The password never appears in
 * it: it comes from the environment ({@code GRIDMETER_STORE_PASSWORD} or {@code PGPASSWORD}).
 */
public record PostgresTarget(String host, int port, String database, String user, Map<String, String> parameters) {

    public static final String SCHEME = "postgresql";
    private static final int DEFAULT_PORT = 5432;

    public PostgresTarget {
        parameters = Map.copyOf(parameters);
    }

    /** Whether {@code store} names a PostgreSQL store (rather than {@code sqlite}). */
    public static boolean names(String store) {
        return store != null && store.startsWith(SCHEME + "://");
    }

    /** Parses {@code --store}; an {@link IllegalArgumentException} says what is wrong and how to write it. */
    public static PostgresTarget parse(String store) {
        String form = " (expected: postgresql://host:port/database?user=NAME)";
        URI uri;
        try {
            uri = new URI(store);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("--store: not a URL: " + e.getMessage() + form);
        }
        if (!SCHEME.equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("--store: '" + store + "' names no host" + form);
        }
        if (uri.getUserInfo() != null) {
            throw new IllegalArgumentException("--store: put the user in ?user=NAME and the password in "
                    + "GRIDMETER_STORE_PASSWORD or PGPASSWORD, never in the URL" + form);
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        String database = path.startsWith("/") ? path.substring(1) : path;
        if (database.isEmpty() || database.contains("/")) {
            throw new IllegalArgumentException("--store: '" + store + "' names no database" + form);
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--store: parameter '" + pair + "' has no value" + form);
                }
                parameters.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
            }
        }
        if (parameters.containsKey("password")) {
            throw new IllegalArgumentException("--store: the password goes in GRIDMETER_STORE_PASSWORD or PGPASSWORD, "
                    + "never on the command line");
        }
        String user = parameters.remove("user");
        if (user == null || user.isBlank()) {
            throw new IllegalArgumentException("--store: '" + store + "' names no user: add ?user=NAME" + form);
        }
        return new PostgresTarget(uri.getHost(), uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort(), database, user,
                parameters);
    }

    /** The JDBC URL, with the user and every other parameter but the password. */
    String jdbcUrl() {
        StringBuilder url = new StringBuilder("jdbc:postgresql://").append(host.contains(":") && !host.startsWith("[")
                ? "[" + host + "]" : host).append(':').append(port).append('/').append(database);
        url.append("?user=").append(encode(user));
        for (Map.Entry<String, String> p : parameters.entrySet()) {
            url.append('&').append(encode(p.getKey())).append('=').append(encode(p.getValue()));
        }
        return url.toString();
    }

    /** For logs and errors: never a password (none is held here). */
    @Override
    public String toString() {
        return SCHEME + "://" + host + ":" + port + "/" + database + "?user=" + user;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
