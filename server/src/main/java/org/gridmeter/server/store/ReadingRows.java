package org.gridmeter.server.store;

import java.sql.SQLException;
import org.gridmeter.protocol.Reading;

/**
 * How a merge puts readings into the {@code readings} table, in the writer's open transaction: an
 * upsert per reading where the same (meter, time) is there already (a reading decided again is a
 * newer version of itself: its decision wins). Readings come in key order, each key at most once
 * between {@link #flush}es. Writer thread only. {@link #batched} on SQLite; PostgreSQL's COPY on
 * PostgreSQL ({@link PostgresDatabase}), which measured faster there.
 */
interface ReadingRows {

    /** No power in the reading (the packed log's marker). */
    int NO_POWER = Integer.MIN_VALUE;

    String UPSERT = "INSERT INTO readings (" + ReadingLog.COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
    String ON_CONFLICT = " ON CONFLICT (meter_id, ts) DO UPDATE SET delta_mwh = excluded.delta_mwh, "
            + "kind = excluded.kind, from_ts = excluded.from_ts";

    /** Adds a reading; {@code power} may be {@link #NO_POWER}, {@code seq} and {@code exported} {@link Reading#NO_SEQUENCE} and {@link Reading#NO_EXPORT}. */
    void add(long meter, long ts, long energy, int power, long seq, long exported, long delta, int kind, long from)
            throws SQLException;

    /** Writes what is added and not written yet. */
    void flush() throws SQLException;

    /** Prepared multi-row upserts, executed {@link Batch#ROWS} at a time. */
    static ReadingRows batched(java.sql.Connection writer) throws SQLException {
        java.sql.PreparedStatement upsert = writer.prepareStatement(UPSERT + ON_CONFLICT);
        Batch rows = new Batch(upsert);
        return new ReadingRows() {
            @Override
            public void add(long meter, long ts, long energy, int power, long seq, long exported, long delta, int kind,
                    long from) throws SQLException {
                upsert.setLong(1, meter);
                upsert.setLong(2, ts);
                upsert.setLong(3, energy);
                SqlStore.setNullable(upsert, 4, power == NO_POWER ? null : power);
                SqlStore.setNullable(upsert, 5, seq == Reading.NO_SEQUENCE ? null : seq);
                SqlStore.setNullable(upsert, 6, exported == Reading.NO_EXPORT ? null : exported);
                upsert.setLong(7, delta);
                upsert.setInt(8, kind);
                upsert.setLong(9, from);
                rows.add();
            }

            @Override
            public void flush() throws SQLException {
                rows.flush();
            }
        };
    }
}
