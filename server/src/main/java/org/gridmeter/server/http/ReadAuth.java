package org.gridmeter.server.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.LongFunction;

/**
 * Who may call a route ({@link Router.Access}): the admin token for changes, and under
 * {@code --read-auth} a user's read token for that user's routes and the admin token for fleet-wide
 * ones. A token comes as {@code Authorization: Bearer <token>}, or as {@code ?token=} for clients
 * that cannot set headers (a browser's EventSource). Read tokens are known only by their SHA-256,
 * compared in constant time. Thread-safe.
 */
public final class ReadAuth {

    private final AdminAuth admin;
    private final boolean enabled;
    private final LongFunction<String> readTokenSha256;

    /**
     * @param enabled         {@code --read-auth}
     * @param readTokenSha256 the SHA-256 (hex) of a user's read token, or {@code null} (no such user, or none issued)
     */
    public ReadAuth(AdminAuth admin, boolean enabled, LongFunction<String> readTokenSha256) {
        this.admin = admin;
        this.enabled = enabled;
        this.readTokenSha256 = readTokenSha256;
    }

    /** The SHA-256 of a token, in hex: what is stored of it. */
    public static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code null} if the request may call a route with this access; otherwise the 401 or 403 to answer. */
    Response check(Router.Access access, Request request) {
        if (access == Router.Access.OPEN || !enabled && access != Router.Access.ADMIN) {
            return null;
        }
        String authorization = authorization(request, access);
        if (access == Router.Access.ADMIN) {
            return admin.check(authorization, request.language());
        }
        Long id = access == Router.Access.USER ? userId(request) : null;
        boolean bearer = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7);
        if (id == null) { // fleet-wide: the admin's
            return bearer ? admin.check(authorization, request.language()) : ErrorBody.response(401, "nao_autenticado",
                    "Com --read-auth, esta rota mostra a frota inteira e pede o token de administrador: "
                            + "'Authorization: Bearer <token>' (o token está em <data-dir>/admin-token).",
                    "With --read-auth, this route shows the whole fleet and needs the admin token: 'Authorization: "
                            + "Bearer <token>' (it is in <data-dir>/admin-token).", request.language())
                    .withHeader("WWW-Authenticate", "Bearer realm=\"gridmeter\"");
        }
        if (!bearer) {
            return ErrorBody.response(401, "nao_autenticado", "Com --read-auth, os dados do usuário " + id
                    + " pedem o token de leitura dele (token_leitura) ou o de administrador: "
                    + "'Authorization: Bearer <token>', ou &token=<token> num fluxo de eventos.",
                    "With --read-auth, user " + id + "'s data needs that user's read token (token_leitura) or the "
                            + "admin token: 'Authorization: Bearer <token>', or &token=<token> on an event stream.",
                    request.language()).withHeader("WWW-Authenticate", "Bearer realm=\"gridmeter\"");
        }
        if (admin.matches(authorization)) {
            return null;
        }
        String expected = readTokenSha256.apply(id);
        String token = authorization.substring(7).trim();
        if (expected == null || !MessageDigest.isEqual(sha256(token).getBytes(StandardCharsets.US_ASCII),
                expected.getBytes(StandardCharsets.US_ASCII))) {
            return ErrorBody.response(403, "token_invalido", "O token enviado não é o de leitura do usuário " + id
                    + " nem o de administrador; um novo sai de POST /usuario/token/?id=" + id + " (administrador).",
                    "The token is neither user " + id + "'s read token nor the admin token; POST /usuario/token/?id="
                            + id + " (admin) issues a new one.", request.language());
        }
        return null;
    }

    /** The Authorization header, or for reading routes {@code ?token=} as if it were one. */
    private static String authorization(Request request, Router.Access access) {
        if (request.authorization() != null || access == Router.Access.ADMIN) {
            return request.authorization();
        }
        String token = request.param("token");
        return token == null || token.isBlank() ? null : "Bearer " + token.trim();
    }

    /** The user a request is about ({@code ?id=}), or {@code null} if none (the route is then fleet-wide). */
    private static Long userId(Request request) {
        String id = request.param("id");
        if (id == null || id.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(id.trim());
        } catch (NumberFormatException e) {
            return -1L; // not a user: no token matches it, and the route would refuse the id anyway
        }
    }
}
