package org.gridmeter.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminTokenTest {

    @TempDir
    Path dir;

    @Test
    void withoutAFlagTheTokenIsGeneratedOnceIntoAnOwnerOnlyFile() throws Exception {
        String first;
        try (GridMeterServer server = GridMeterServer.start(ServerConfig.defaults(dir, 0, 0), Clock.systemUTC())) {
            first = server.adminToken();
        }
        Path file = dir.resolve(AdminToken.FILE_NAME);

        assertThat(first).hasSize(64).matches("[0-9a-f]+");
        assertThat(Files.readString(file).trim()).isEqualTo(first);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (GridMeterServer again = GridMeterServer.start(ServerConfig.defaults(dir, 0, 0), Clock.systemUTC())) {
            assertThat(again.adminToken()).as("kept across restarts").isEqualTo(first);
        }
    }

    @Test
    void theFlagWinsAndNoFileIsWritten() throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            assertThat(server.server.adminToken()).isEqualTo(TestServer.TOKEN);
        }
        assertThat(dir.resolve(AdminToken.FILE_NAME)).doesNotExist();
    }
}
