package org.gridmeter.bench;

import java.io.StringReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * How the PostgreSQL store should put merged readings into {@code readings}: batched multi-row
 * upserts of 512 rows (what the SQLite store does) against COPY into a staging table followed by one
 * {@code WITH staged AS (DELETE ... RETURNING) INSERT ... ON CONFLICT} (what the PostgreSQL store
 * does: COPY itself cannot upsert, and a merge must, since a reading decided again is a newer
 * version of itself). Both write the same rows, 10,000 meters' readings in
 * key order, in chunks of the merge's size, one transaction per chunk with {@code synchronous_commit}
 * on. Prints rows/s of each, alternating runs so that the machine's noise falls on both.
 *
 * <pre>java -cp bench/target/benchmarks.jar org.gridmeter.bench.PostgresMergeBench \
 *     'jdbc:postgresql://127.0.0.1:PORT/DB?user=postgres' [rows per run, 1000000] [chunk, 10000] [runs, 3]</pre>
 */
public final class PostgresMergeBench {

    private static final String COLUMNS = "meter_id, ts, energy_mwh, power_w, seq, exported_mwh, delta_mwh, kind, from_ts";
    private static final String TABLE = "(meter_id BIGINT NOT NULL, ts BIGINT NOT NULL, energy_mwh BIGINT NOT NULL, "
            + "power_w INTEGER, seq BIGINT, exported_mwh BIGINT, delta_mwh BIGINT NOT NULL, kind SMALLINT NOT NULL, "
            + "from_ts BIGINT NOT NULL";
    private static final String CONFLICT = " ON CONFLICT (meter_id, ts) DO UPDATE SET delta_mwh = excluded.delta_mwh, "
            + "kind = excluded.kind, from_ts = excluded.from_ts";
    private static final int METERS = 10_000;

    private PostgresMergeBench() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int chunk = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        Properties props = new Properties();
        props.setProperty("reWriteBatchedInserts", "true");
        try (Connection c = DriverManager.getConnection(url, props)) {
            try (Statement st = c.createStatement()) {
                st.execute("SET synchronous_commit TO on");
            }
            List<Double> batched = new ArrayList<>();
            List<Double> copied = new ArrayList<>();
            for (int run = 0; run < runs; run++) {
                batched.add(measure(c, rows, chunk, false));
                copied.add(measure(c, rows, chunk, true));
                System.err.printf(Locale.ROOT, "run %d: batched inserts %.0f rows/s, COPY + INSERT SELECT %.0f rows/s%n",
                        run + 1, batched.get(run), copied.get(run));
            }
            double b = median(batched);
            double k = median(copied);
            System.out.printf(Locale.ROOT, "PostgreSQL merge of %,d readings (10,000 meters, chunks of %,d, %d runs): "
                    + "batched upserts %,.0f rows/s, COPY to staging + upsert %,.0f rows/s (medians; COPY/batched %.2f)%n",
                    rows, chunk, runs, b, k, k / b);
        }
    }

    /** Rows/s for one run into a fresh table. */
    private static double measure(Connection c, int rows, int chunk, boolean copy) throws SQLException {
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS merge_bench");
            st.execute("CREATE TABLE merge_bench " + TABLE + ", PRIMARY KEY (meter_id, ts))");
            st.execute("DROP TABLE IF EXISTS merge_stage");
            st.execute("CREATE TEMP TABLE merge_stage " + TABLE + ") ON COMMIT DELETE ROWS");
        }
        c.setAutoCommit(false);
        long t0 = 1_700_000_000_000L;
        long started = System.nanoTime();
        PreparedStatement insert = c.prepareStatement("INSERT INTO merge_bench (" + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)" + CONFLICT);
        CopyManager copier = c.unwrap(PGConnection.class).getCopyAPI();
        StringBuilder text = new StringBuilder(chunk * 64);
        // a merge inserts the readings gathered over a few seconds in key order: per meter, a few
        // consecutive readings; here each chunk holds the next reading of every meter in turn
        for (int done = 0; done < rows; ) {
            int n = Math.min(chunk, rows - done);
            text.setLength(0);
            for (int i = 0; i < n; i++) {
                long row = done + i;
                long meter = row % METERS;
                long ts = t0 + (row / METERS) * 5_000;
                long energy = (row / METERS) * 10;
                if (copy) {
                    text.append(meter).append('\t').append(ts).append('\t').append(energy).append("\t500\t")
                            .append(row / METERS).append("\t\\N\t10\t0\t").append(ts - 5_000).append('\n');
                } else {
                    insert.setLong(1, meter);
                    insert.setLong(2, ts);
                    insert.setLong(3, energy);
                    insert.setInt(4, 500);
                    insert.setLong(5, row / METERS);
                    insert.setNull(6, java.sql.Types.BIGINT);
                    insert.setLong(7, 10);
                    insert.setShort(8, (short) 0);
                    insert.setLong(9, ts - 5_000);
                    insert.addBatch();
                    if ((i + 1) % 512 == 0) {
                        insert.executeBatch();
                    }
                }
            }
            if (copy) {
                try {
                    copier.copyIn("COPY merge_stage (" + COLUMNS + ") FROM STDIN", new StringReader(text.toString()));
                } catch (java.io.IOException e) {
                    throw new SQLException(e);
                }
                try (Statement st = c.createStatement()) {
                    st.executeUpdate("WITH staged AS (DELETE FROM merge_stage RETURNING " + COLUMNS + ") INSERT INTO "
                            + "merge_bench (" + COLUMNS + ") SELECT " + COLUMNS + " FROM staged" + CONFLICT);
                }
            } else {
                insert.executeBatch();
            }
            c.commit();
            done += n;
        }
        insert.close();
        return rows / ((System.nanoTime() - started) / 1e9);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }
}
