package org.gridmeter.server.http;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The route table: exact paths (the documented routes take their arguments in the query string),
 * each with its methods. A plain value, built once by {@link Builder} and read by any thread.
 */
public final class Router {

    /**
     * Who may call a route: anyone; under {@code --read-auth}, the user of {@code ?id=} (its read token)
     * or the admin, and without {@code ?id=} the admin only; under {@code --read-auth}, the admin only
     * (fleet-wide reads); always the admin only (changes).
     */
    public enum Access { OPEN, USER, FLEET, ADMIN }

    /** Answers one route. May throw {@link ApiException} for a request it refuses. */
    @FunctionalInterface
    public interface Handler {
        Response handle(Request request) throws Exception;
    }

    /**
     * One route.
     *
     * @param blocking whether the handler may block (database reads, waiting for the writer): then it
     *                 runs on the blocking pool instead of the event loop
     */
    public record Route(String method, String path, Access access, boolean blocking, Handler handler) {
    }

    /** The outcome of {@link #route}. */
    public sealed interface Match {
        record Found(Route route) implements Match {
        }

        record MethodNotAllowed(Set<String> allowed) implements Match {
        }

        record NotFound() implements Match {
        }
    }

    private final Map<String, Map<String, Route>> routes;

    private Router(Map<String, Map<String, Route>> routes) {
        this.routes = routes;
    }

    /** Finds the route for a method and a normalized path (see {@link Request#normalizePath}). */
    public Match route(String method, String path) {
        Map<String, Route> byMethod = routes.get(path);
        if (byMethod == null) {
            return new Match.NotFound();
        }
        Route route = byMethod.get(method);
        return route != null ? new Match.Found(route) : new Match.MethodNotAllowed(allowedMethods(path));
    }

    /** The methods a path answers, for a 405's {@code Allow} header. */
    public Set<String> allowedMethods(String path) {
        Map<String, Route> byMethod = routes.get(path);
        return byMethod == null ? Set.of() : Collections.unmodifiableSet(new TreeSet<>(byMethod.keySet()));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link Router}; each path and method at most once. */
    public static final class Builder {
        private final Map<String, Map<String, Route>> routes = new LinkedHashMap<>();

        public Builder get(String path, Handler handler) {
            return get(path, Access.OPEN, handler);
        }

        public Builder get(String path, Access access, Handler handler) {
            return add(new Route("GET", path, access, false, handler));
        }

        public Builder getBlocking(String path, Access access, Handler handler) {
            return add(new Route("GET", path, access, true, handler));
        }

        public Builder add(Route route) {
            if (!route.path().equals(Request.normalizePath(route.path()))) {
                throw new IllegalArgumentException("route path: '" + route.path() + "' (expected: no trailing slash)");
            }
            Route previous = routes.computeIfAbsent(route.path(), p -> new LinkedHashMap<>())
                    .putIfAbsent(route.method(), route);
            if (previous != null) {
                throw new IllegalArgumentException("route defined twice: " + route.method() + " " + route.path());
            }
            return this;
        }

        public Router build() {
            Map<String, Map<String, Route>> copy = new LinkedHashMap<>();
            routes.forEach((path, byMethod) -> copy.put(path, Collections.unmodifiableMap(new LinkedHashMap<>(byMethod))));
            return new Router(Collections.unmodifiableMap(copy));
        }
    }
}
