package org.gridmeter.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import org.gridmeter.protocol.Reading;
import org.gridmeter.server.GridMeterServer;
import org.gridmeter.server.ServerConfig;
import org.gridmeter.server.store.SqlStore;
import org.gridmeter.server.store.SqliteDatabase;
import org.gridmeter.server.usage.LiveMeters;
import org.gridmeter.server.usage.Rollups;
import org.gridmeter.server.usage.UsageRecorder;

/**
 * How fast {@code /usuario/consumo/intervalo} answers over a year of 5-second readings of one meter
 * (6.3 million readings, 35,040 rollups). Fills a data directory through the real usage rules and
 * rollups, starts the server, and times the HTTP answer (median of 21, after 5 warm-up requests).
 *
 * <pre>java -cp bench/target/benchmarks.jar org.gridmeter.bench.RangeQueryBench [dir]</pre>
 */
public final class RangeQueryBench {

    private RangeQueryBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("gridmeter-range");
        ZoneId zone = ZoneId.of("America/Sao_Paulo");
        LocalDate first = LocalDate.of(2025, 1, 1);
        long start = first.atStartOfDay(zone).toInstant().toEpochMilli();
        long end = first.plusYears(1).atStartOfDay(zone).toInstant().toEpochMilli();
        if (!Files.exists(dir.resolve(SqliteDatabase.FILE_NAME))) {
            long began = System.nanoTime();
            try (SqlStore store = SqlStore.open(dir)) {
                Rollups rollups = new Rollups();
                UsageRecorder recorder = new UsageRecorder(store, rollups, new LiveMeters(), id -> true,
                        Clock.systemUTC(), 10, java.time.Duration.ofDays(400), List.of());
                long n = 0;
                for (long t = start; t < end; t += 5000, n++) {
                    recorder.record(1, List.of(new Reading(n, t, n * 1389, 1000)));
                    if (n % 50_000 == 0) {
                        store.saveStates(recorder.drainDirty());
                        store.mergeReadings();
                        rollups.flush(store.billing());
                        store.checkpoint(); // states saved by hand: nothing for a restart to replay
                        store.commit();
                        if (n % 1_000_000 == 0) {
                            System.out.printf("filling: %d readings%n", n);
                        }
                    }
                }
                store.saveStates(recorder.drainDirty());
                store.mergeReadings();
                rollups.flush(store.billing());
                store.checkpoint(); // states saved by hand: nothing for a restart to replay
                store.commit();
                System.out.printf("filled %d readings in %.1f s%n", n, (System.nanoTime() - began) / 1e9);
            }
        }
        ServerConfig defaults = ServerConfig.defaults(dir, 0, 0);
        ServerConfig config = new ServerConfig("127.0.0.1", 0, 0, dir, zone, 10, true, defaults.maxFutureSkew(),
                defaults.orphanLimit(), defaults.commitInterval(), defaults.closeGrace(), defaults.excessKwh(),
                defaults.excessKw(), defaults.variationKwh(), defaults.offlineAfter(), "range-bench-token-0123456789",
                false, 50, "sqlite", null, defaults.retention(), 1000, defaults.idleTimeout(), defaults.httpRate(),
                defaults.maxStreamsPerClient(), defaults.keyGrace(), defaults.tuning(), defaults.cluster());
        try (GridMeterServer server = GridMeterServer.start(config, Clock.systemUTC())) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpAddress().getPort()
                    + "/usuario/cadastro")).header("Authorization", "Bearer range-bench-token-0123456789")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"id\": 1, \"nome\": \"bench\", \"endereco\": \"x\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            for (String query : List.of("inicio=2025-01-01&fim=2025-12-31&passo=hora",
                    "inicio=2025-01-01&fim=2025-12-31&passo=dia", "inicio=2025-06-01&fim=2025-06-30&passo=hora")) {
                URI uri = URI.create("http://127.0.0.1:" + server.httpAddress().getPort()
                        + "/usuario/consumo/intervalo/?id=1&" + query);
                long[] micros = new long[21];
                int size = 0;
                for (int i = -5; i < micros.length; i++) {
                    long t0 = System.nanoTime();
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (i >= 0) {
                        micros[i] = (System.nanoTime() - t0) / 1000;
                    }
                    size = r.body().length();
                }
                Arrays.sort(micros);
                System.out.printf("intervalo %s: median %.1f ms, p90 %.1f ms (%d bytes)%n", query,
                        micros[10] / 1000.0, micros[18] / 1000.0, size);
            }
        }
    }
}
