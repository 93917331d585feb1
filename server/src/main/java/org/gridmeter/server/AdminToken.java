package org.gridmeter.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin bearer token: {@code --admin-token} if given; otherwise the one in
 * {@code <data-dir>/admin-token}, generated (32 random bytes as hex, file mode 0600) on first start.
 */
final class AdminToken {

    static final String FILE_NAME = "admin-token";
    private static final Logger log = LoggerFactory.getLogger(AdminToken.class);

    private AdminToken() {
    }

    static String resolve(String configured, Path dataDir) throws IOException {
        if (configured != null) {
            return configured;
        }
        Path file = dataDir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String token = HexFormat.of().formatHex(random);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
                log.info("event=admin_token_generated file={} hint=\"send it as 'Authorization: Bearer <token>'\"",
                        file.toAbsolutePath());
                return token;
            } catch (FileAlreadyExistsException raced) {
                // another start created it meanwhile: read theirs below
            } catch (UnsupportedOperationException noPosix) {
                Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
                return token;
            }
        }
        String token = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (token.length() < 16) {
            throw new IOException(file + " holds no usable admin token (under 16 characters): delete it to have a new "
                    + "one generated, or pass --admin-token");
        }
        log.info("event=admin_token_loaded file={}", file.toAbsolutePath());
        return token;
    }
}
