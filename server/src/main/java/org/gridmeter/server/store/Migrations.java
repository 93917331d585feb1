package org.gridmeter.server.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A schema, as numbered steps applied in order on start, and where the database records the last
 * one applied. Append a step to change a schema; never edit a released one. docs/storage.md
 * documents the tables. Each database has its own steps ({@link #SQLITE} here,
 * {@link PostgresSchema#SCHEMA}): the same tables, in each one's types.
 */
final class Migrations {

    private static final Logger log = LoggerFactory.getLogger(Migrations.class);

    /** A database's steps, and how it reads and records its version. */
    record Schema(String name, List<String> steps, VersionQuery version, VersionUpdate record) {
    }

    @FunctionalInterface
    interface VersionQuery {
        int read(Connection c) throws SQLException;
    }

    @FunctionalInterface
    interface VersionUpdate {
        void write(Statement st, int version) throws SQLException;
    }

    static final List<String> STEPS = List.of(
            // 1: users, readings with their consumption decision, per-meter running state, events.
            """
            CREATE TABLE users (
                id            INTEGER PRIMARY KEY,
                nome          TEXT    NOT NULL,
                endereco      TEXT    NOT NULL,
                created_ms    INTEGER NOT NULL,
                meter_key_hex TEXT
            );
            CREATE TABLE readings (
                meter_id     INTEGER NOT NULL,
                ts           INTEGER NOT NULL,
                energy_mwh   INTEGER NOT NULL,
                power_w      INTEGER,
                seq          INTEGER,
                exported_mwh INTEGER,
                delta_mwh    INTEGER NOT NULL,
                kind         INTEGER NOT NULL,
                PRIMARY KEY (meter_id, ts)
            ) WITHOUT ROWID;
            CREATE TABLE meter_state (
                meter_id           INTEGER PRIMARY KEY,
                total_mwh          INTEGER NOT NULL,
                level_mwh          INTEGER NOT NULL,
                level_ts           INTEGER NOT NULL,
                last_seq           INTEGER NOT NULL,
                pending_ts         INTEGER NOT NULL,
                pending_energy_mwh INTEGER NOT NULL,
                pending_seq        INTEGER NOT NULL,
                first_ts           INTEGER NOT NULL,
                last_ts            INTEGER NOT NULL,
                last_energy_mwh    INTEGER NOT NULL,
                last_power_w       INTEGER,
                last_heard_ms      INTEGER NOT NULL,
                readings           INTEGER NOT NULL,
                resets             INTEGER NOT NULL,
                glitches           INTEGER NOT NULL,
                conflicts          INTEGER NOT NULL
            );
            CREATE TABLE meter_events (
                id          INTEGER PRIMARY KEY,
                meter_id    INTEGER NOT NULL,
                ts          INTEGER NOT NULL,
                kind        TEXT    NOT NULL,
                detail      TEXT    NOT NULL
            );
            CREATE INDEX meter_events_by_meter ON meter_events (meter_id, ts);
            """,
            // 2: when each reading's consumption started; 15-minute rollups; billing; tariffs; alerts.
            """
            ALTER TABLE readings ADD COLUMN from_ts INTEGER;
            CREATE TABLE rollups (
                meter_id        INTEGER NOT NULL,
                bucket_ms       INTEGER NOT NULL,
                consumption_mwh INTEGER NOT NULL,
                PRIMARY KEY (meter_id, bucket_ms)
            ) WITHOUT ROWID;
            CREATE TABLE billing_state (
                meter_id        INTEGER PRIMARY KEY,
                cycle_start_ms  INTEGER NOT NULL,
                cycle_mwh       INTEGER NOT NULL,
                ahead           TEXT    NOT NULL,
                total_mwh       INTEGER NOT NULL,
                billed_mwh      INTEGER NOT NULL,
                recent_invoices TEXT    NOT NULL
            );
            CREATE TABLE invoices (
                meter_id        INTEGER NOT NULL,
                cycle_start_ms  INTEGER NOT NULL,
                cycle_end_ms    INTEGER NOT NULL,
                month           TEXT    NOT NULL,
                opening_mwh     INTEGER NOT NULL,
                consumption_mwh INTEGER NOT NULL,
                adjustment_mwh  INTEGER NOT NULL,
                amount          TEXT    NOT NULL,
                tariff_json     TEXT    NOT NULL,
                estimated       INTEGER NOT NULL,
                closed_ms       INTEGER NOT NULL,
                PRIMARY KEY (meter_id, cycle_start_ms)
            );
            CREATE TABLE tariffs (
                id              INTEGER PRIMARY KEY,
                effective_ms    INTEGER NOT NULL,
                definition_json TEXT    NOT NULL,
                created_ms      INTEGER NOT NULL
            );
            CREATE TABLE alerts (
                id              INTEGER PRIMARY KEY,
                meter_id        INTEGER NOT NULL,
                type            TEXT    NOT NULL,
                rule            TEXT    NOT NULL,
                start_ms        INTEGER NOT NULL,
                end_ms          INTEGER,
                value           TEXT    NOT NULL,
                baseline        TEXT    NOT NULL,
                window          TEXT    NOT NULL,
                message         TEXT    NOT NULL
            );
            CREATE INDEX alerts_by_meter ON alerts (meter_id, start_ms);
            """,
            // 3: where retention trimmed each meter's readings.
            """
            ALTER TABLE meter_state ADD COLUMN trimmed_before_ms INTEGER NOT NULL DEFAULT -1;
            """,
            // 4: each commit appends its new readings, packed, as one reading_log row; they are merged into
            // readings every few seconds; checkpoint names the last log row the saved states include
            // (see ReadingLog).
            """
            CREATE TABLE reading_log (
                id       INTEGER PRIMARY KEY AUTOINCREMENT,
                readings INTEGER NOT NULL,
                payload  BLOB    NOT NULL
            );
            CREATE TABLE checkpoint (
                id        INTEGER PRIMARY KEY CHECK (id = 1),
                log_rowid INTEGER NOT NULL
            );
            INSERT INTO checkpoint (id, log_rowid) VALUES (1, 0);
            """,
            // 5: exported energy (solar) counted per meter, resets folded in as for consumption: each
            // reading adds its exported register's rise over the previous one, or its value if it went down.
            """
            ALTER TABLE meter_state ADD COLUMN exported_total_mwh INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE meter_state ADD COLUMN last_exported_mwh INTEGER NOT NULL DEFAULT -1;
            UPDATE meter_state SET
                exported_total_mwh = coalesce((SELECT sum(CASE WHEN p IS NULL OR e < p THEN e ELSE e - p END)
                    FROM (SELECT exported_mwh AS e, lag(exported_mwh) OVER (ORDER BY ts) AS p FROM readings r
                          WHERE r.meter_id = meter_state.meter_id AND exported_mwh IS NOT NULL)), 0),
                last_exported_mwh = coalesce((SELECT exported_mwh FROM readings r
                    WHERE r.meter_id = meter_state.meter_id AND exported_mwh IS NOT NULL ORDER BY ts DESC LIMIT 1), -1);
            """,
            // 6: the last reading_log row each saved meter state includes: a commit may save a few meters
            // alone (see ReadingLog), and a restart replays for each meter only the log rows after its own.
            """
            ALTER TABLE meter_state ADD COLUMN log_rowid INTEGER NOT NULL DEFAULT 0;
            """,
            // 7: consumption spanning more than a day (a long silence, a reading decades late) is kept as one
            // span, not as one rollup per 15 minutes: a reading's cost is bounded by the readings it touches.
            """
            CREATE TABLE rollup_spans (
                meter_id        INTEGER NOT NULL,
                from_ms         INTEGER NOT NULL,
                to_ms           INTEGER NOT NULL,
                consumption_mwh INTEGER NOT NULL,
                PRIMARY KEY (meter_id, from_ms, to_ms)
            ) WITHOUT ROWID;
            """,
            // 8: beside its readings, a log row holds the effects of datagrams a replay could not redo (a late
            // reading, a reading decided again, a conflict): their changes of consumption and meters' states
            // (see LoggedEffects), so that such a commit need not save those meters.
            """
            ALTER TABLE reading_log ADD COLUMN effects BLOB;
            """,
            // 9: an alert's limit apart from its baseline (the column 'baseline' held the limit for every rule but
            // potencia_5min_vs_hora, whose limit is computed here; those rules' baselines were not kept), and its window
            // as a code its texts are made from in the reader's language. 'message' stays, for people reading the file.
            """
            ALTER TABLE alerts ADD COLUMN limit_value TEXT NOT NULL DEFAULT '';
            UPDATE alerts SET limit_value = baseline, baseline = '' WHERE rule <> 'potencia_5min_vs_hora';
            UPDATE alerts SET limit_value = printf('%.3f', CASE WHEN CAST(value AS REAL) > CAST(baseline AS REAL)
                THEN CAST(baseline AS REAL) + max(CAST(baseline AS REAL), 1.0)
                ELSE CAST(baseline AS REAL) - max(CAST(baseline AS REAL), 1.0) END)
                WHERE rule = 'potencia_5min_vs_hora';
            UPDATE alerts SET window = CASE rule WHEN 'potencia_15min' THEN '15min'
                WHEN 'ciclo_acima_da_media' THEN 'ciclo_vs_media:' || trim(substr(window, instr(window, 'mean of ') + 8, 2))
                WHEN 'ciclo_acima_do_anterior' THEN 'ciclo_vs_anterior' WHEN 'potencia_5min_vs_hora' THEN '5min_vs_hora'
                ELSE 'sem_sinal' END;
            """,
            // 10: each user's read token (--read-auth), kept only as its SHA-256 in hex (null for users registered
            // before: they get one from POST /usuario/token/), and a replaced meter key, accepted until a time so the
            // meter can be switched (PUT /usuario/chave/, --key-grace).
            """
            ALTER TABLE users ADD COLUMN read_token_sha256 TEXT;
            ALTER TABLE users ADD COLUMN previous_meter_key_hex TEXT;
            ALTER TABLE users ADD COLUMN previous_key_until_ms INTEGER NOT NULL DEFAULT 0;
            """,
            // 11: the reading log and its checkpoint belong to a writer (docs/scaling.md: each node process of a
            // cluster logs apart; a lone server is writer 0).
            """
            ALTER TABLE reading_log ADD COLUMN writer INTEGER NOT NULL DEFAULT 0;
            CREATE TABLE checkpoint_by_writer (
                writer    INTEGER PRIMARY KEY,
                log_rowid INTEGER NOT NULL
            );
            INSERT INTO checkpoint_by_writer (writer, log_rowid) SELECT 0, log_rowid FROM checkpoint;
            DROP TABLE checkpoint;
            ALTER TABLE checkpoint_by_writer RENAME TO checkpoint;
            """);

    /** SQLite: {@code PRAGMA user_version} records the version. */
    static final Schema SQLITE = new Schema("sqlite", STEPS, c -> {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA user_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }, (st, version) -> st.execute("PRAGMA user_version = " + version));

    private Migrations() {
    }

    /** Applies every step of the SQLite schema newer than the database's version. */
    static void migrate(Connection connection) throws SQLException {
        migrate(connection, SQLITE);
    }

    /** Applies every step newer than the database's version, each in its own transaction. */
    static void migrate(Connection connection, Schema schema) throws SQLException {
        List<String> steps = schema.steps();
        int version = schema.version().read(connection);
        if (version > steps.size()) {
            throw new SQLException("the database has schema version " + version + " but this server knows only "
                    + steps.size() + ": run a newer GridMeter, or point it at another database");
        }
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            for (int step = version; step < steps.size(); step++) {
                try (Statement st = connection.createStatement()) {
                    for (String sql : steps.get(step).split(";")) {
                        if (!sql.isBlank()) {
                            st.execute(sql);
                        }
                    }
                    schema.record().write(st, step + 1);
                }
                connection.commit();
                log.info("event=schema_migrated store={} version={}", schema.name(), step + 1);
            }
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }
}
