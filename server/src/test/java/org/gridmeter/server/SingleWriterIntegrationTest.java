package org.gridmeter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One writer per store: a second server on the same store stops at start and harms nothing. */
class SingleWriterIntegrationTest {

    @TempDir
    Path dir;

    @Test
    void aSecondServerOnTheSameStoreIsRefusedAndTheFirstGoesOn() throws Exception {
        try (TestServer first = TestServer.start(dir)) {
            first.register(1);

            assertThatThrownBy(() -> TestServer.start(dir))
                    .isInstanceOf(GridMeterServer.StartupException.class)
                    .hasMessageContaining("another GridMeter server is writing to")
                    .hasMessageContaining("stop it");

            assertThat(first.get("/usuario/?id=1").statusCode()).isEqualTo(200);
        }
        try (TestServer second = TestServer.start(dir)) { // the lock went with the first server
            assertThat(TestServer.json(second.get("/usuario/?id=1")).get("nome").asText()).isEqualTo("user 1");
        }
    }
}
