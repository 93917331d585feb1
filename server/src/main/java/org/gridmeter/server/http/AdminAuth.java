package org.gridmeter.server.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Checks {@code Authorization: Bearer <admin token>} in constant time. Thread-safe. */
public final class AdminAuth {

    private final byte[] token;

    public AdminAuth(String token) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether {@code authorization} is {@code Bearer <admin token>} (constant time). */
    public boolean matches(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8), token);
    }

    /** {@code null} if the header carries the admin token; otherwise the 401 or 403 to answer. */
    public Response check(String authorization, Language language) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return ErrorBody.response(401, "nao_autenticado",
                    "Esta rota altera dados: envie o token de administrador no cabeçalho "
                            + "'Authorization: Bearer <token>' (o token está em <data-dir>/admin-token).",
                    "This route changes data: send the admin token as 'Authorization: Bearer <token>' "
                            + "(it is in <data-dir>/admin-token).", language)
                    .withHeader("WWW-Authenticate", "Bearer realm=\"gridmeter\"");
        }
        if (!matches(authorization)) {
            return ErrorBody.response(403, "token_invalido",
                    "O token enviado não é o de administrador (veja <data-dir>/admin-token).",
                    "The bearer token is not the admin token (see <data-dir>/admin-token).", language);
        }
        return null;
    }
}
