package org.gridmeter.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.gridmeter.protocol.Reading;
import org.gridmeter.server.GridMeterServer;
import org.gridmeter.server.ServerConfig;
import org.gridmeter.server.store.SqlStore;
import org.gridmeter.server.store.SqliteDatabase;
import org.gridmeter.server.usage.LiveMeters;
import org.gridmeter.server.usage.UsageRecorder;

/**
 * How long the server takes to start on a database of N readings. Fills a fresh data directory
 * through the real usage rules (meters interleaved, as they arrive), then starts and stops the
 * server five times and prints the median time to bound ports.
 *
 * <pre>java -cp bench/target/benchmarks.jar org.gridmeter.bench.StartupBench [readings] [meters] [dir]</pre>
 */
public final class StartupBench {

    private StartupBench() {
    }

    public static void main(String[] args) throws Exception {
        long readings = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        int meters = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        Path dir = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("gridmeter-startup");
        long perMeter = readings / meters;
        long t0 = System.currentTimeMillis() - perMeter * 5000 - 60_000;

        if (!Files.exists(dir.resolve(SqliteDatabase.FILE_NAME))) {
            long started = System.nanoTime();
            try (SqlStore store = SqlStore.open(dir)) {
                UsageRecorder recorder = new UsageRecorder(store, org.gridmeter.server.usage.ConsumptionListener.NONE,
                        new LiveMeters(), id -> true, Clock.systemUTC(),
                        meters, java.time.Duration.ofDays(400), List.of());
                long done = 0;
                for (long i = 0; i < perMeter; i++) {
                    for (int m = 1; m <= meters; m++) {
                        recorder.record(m, List.of(new Reading(i, t0 + i * 5000, 1000 * (i + 1), 720)));
                        if (++done % 50_000 == 0) {
                            store.saveStates(recorder.drainDirty());
                            store.mergeReadings();
                            store.checkpoint(); // states saved by hand: nothing for a restart to replay
                            store.commit();
                        }
                    }
                    if (i % (perMeter / 20 + 1) == 0) {
                        System.out.printf("filling: %d of %d readings (%.0f/s)%n", done, readings,
                                done / ((System.nanoTime() - started) / 1e9));
                    }
                }
                store.saveStates(recorder.drainDirty());
                store.mergeReadings();
                store.checkpoint(); // states saved by hand: nothing for a restart to replay
                store.commit();
            }
            System.out.printf("filled %d readings of %d meters in %.1f s (%.0f readings/s through the usage rules); "
                    + "database %d MB%n", readings, meters, (System.nanoTime() - started) / 1e9,
                    readings / ((System.nanoTime() - started) / 1e9), Files.size(dir.resolve(SqliteDatabase.FILE_NAME)) >> 20);
        }

        long[] millis = new long[5];
        for (int run = 0; run < millis.length; run++) {
            long started = System.nanoTime();
            GridMeterServer server = GridMeterServer.start(ServerConfig.defaults(dir, 0, 0), Clock.systemUTC());
            millis[run] = (System.nanoTime() - started) / 1_000_000;
            server.close();
        }
        long[] sorted = millis.clone();
        Arrays.sort(sorted);
        List<Long> runs = new ArrayList<>();
        for (long m : millis) {
            runs.add(m);
        }
        System.out.printf("startup with %d readings of %d meters: median %d ms (runs %s)%n", readings, meters,
                sorted[sorted.length / 2], runs);
    }
}
