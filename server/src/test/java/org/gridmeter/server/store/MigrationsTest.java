package org.gridmeter.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import org.gridmeter.server.usage.MeterState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationsTest {

    @TempDir
    Path dir;

    /** A database of schema 4 (before the exported total): step 5 counts each meter's export from its readings. */
    @Test
    void stepFiveCountsTheExportOfReadingsAlreadyStored() throws Exception {
        try (Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteDatabase.FILE_NAME));
                Statement st = c.createStatement()) {
            for (String step : Migrations.STEPS.subList(0, 4)) {
                for (String sql : step.split(";")) {
                    if (!sql.isBlank()) {
                        st.execute(sql);
                    }
                }
            }
            st.execute("PRAGMA user_version = 4");
            st.execute("INSERT INTO meter_state (meter_id, total_mwh, level_mwh, level_ts, last_seq, pending_ts, "
                    + "pending_energy_mwh, pending_seq, first_ts, last_ts, last_energy_mwh, last_heard_ms, readings, "
                    + "resets, glitches, conflicts) VALUES (1, 0, 0, 0, 0, -1, 0, -1, 0, 3, 0, 0, 4, 0, 0, 0), "
                    + "(2, 0, 0, 0, 0, -1, 0, -1, 0, 0, 0, 0, 1, 0, 0, 0)");
            // meter 1 exports 10, 12, 15, then its register resets to 5: 10 + 2 + 3 + 5 = 20
            st.execute("INSERT INTO readings (meter_id, ts, energy_mwh, exported_mwh, delta_mwh, kind) VALUES "
                    + "(1, 0, 0, 10, 0, 0), (1, 1, 0, 12, 0, 0), (1, 2, 0, 15, 0, 0), (1, 3, 0, 5, 0, 0), "
                    + "(2, 0, 7, NULL, 7, 0)");
        }

        try (SqlStore store = SqlStore.open(dir)) {
            var states = store.loadStates().stream()
                    .collect(java.util.stream.Collectors.toMap(MeterState.Saved::meterId, s -> s));
            assertThat(states.get(1L).exportedTotalMwh()).isEqualTo(20);
            assertThat(states.get(1L).lastExportedMwh()).isEqualTo(5);
            assertThat(states.get(2L).exportedTotalMwh()).isZero();
            assertThat(states.get(2L).lastExportedMwh()).isEqualTo(-1);
        }
    }
}
