package org.gridmeter.server.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.gridmeter.server.http.Request;
import org.gridmeter.server.http.Response;
import org.gridmeter.server.ingest.IngestPipeline;
import org.gridmeter.server.metrics.ServerMetrics;
import org.gridmeter.server.usage.LiveMeters;
import org.gridmeter.server.users.UserDirectory;

/**
 * {@code GET /tempo-real/resumo}: one {@code resumo} event a second with the fleet's counters —
 * meters online and offline, datagrams received, accepted and rejected by reason, readings stored
 * (totals, and per second over the last interval), commit latency p50/p99, kernel drops. One
 * summary is computed a second for every open stream, however many there are, so a fleet page
 * costs the server the same with 1 viewer or 50; the timer runs only while someone listens.
 */
final class ResumoApi {

    private final UserDirectory users;
    private final LiveMeters meters;
    private final Views views;
    private final ServerMetrics metrics;
    private final LongSupplier kernelDrops;
    private final TimeFormat time;
    private final java.time.Clock clock;
    private final LongSupplier nanoTime;
    private final CopyOnWriteArrayList<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private ScheduledExecutorService timer;
    private Totals previous;
    private String lastFrame;

    /** The counters at one instant. */
    private record Totals(long nanos, long received, long accepted, long stored, long kernelDrops,
            Map<String, Long> rejected) {
    }

    ResumoApi(UserDirectory users, LiveMeters meters, Views views, ServerMetrics metrics, LongSupplier kernelDrops,
            TimeFormat time, java.time.Clock clock, LongSupplier nanoTime) {
        this.users = users;
        this.meters = meters;
        this.views = views;
        this.metrics = metrics;
        this.kernelDrops = kernelDrops;
        this.time = time;
        this.clock = clock;
        this.nanoTime = nanoTime;
    }

    Response stream(Request request) {
        return Response.eventStream(sink -> {
            subscribe(sink);
            return () -> unsubscribe(sink);
        });
    }

    private synchronized void subscribe(Consumer<String> sink) {
        listeners.add(sink);
        if (lastFrame != null) {
            sink.accept(lastFrame); // at once: a page that just opened shows the fleet without waiting a second
        }
        if (timer == null) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "gridmeter-resumo");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleAtFixedRate(this::publish, 0, 1, TimeUnit.SECONDS); // off the event loop: it reads /proc
        }
    }

    private synchronized void unsubscribe(Consumer<String> sink) {
        listeners.remove(sink);
        if (listeners.isEmpty() && timer != null) {
            timer.shutdownNow();
            timer = null;
            lastFrame = null;
        }
    }

    private void publish() {
        String frame;
        synchronized (this) {
            frame = frame();
            lastFrame = frame;
        }
        for (Consumer<String> l : listeners) {
            l.accept(frame);
        }
    }

    private Totals totals() {
        Map<String, Long> rejected = new TreeMap<>();
        for (String reason : IngestPipeline.allReasons()) {
            rejected.put(reason, metrics.rejectedCount(reason));
        }
        return new Totals(nanoTime.getAsLong(), metrics.datagramsReceived.sum(), metrics.datagramsAccepted.sum(),
                metrics.readingsStored.sum(), kernelDrops.getAsLong(), rejected);
    }

    /** The next {@code resumo} frame: totals now, and rates since the previous frame. */
    String frame() {
        Totals now = totals();
        Totals before = previous == null ? now : previous;
        previous = now;
        double seconds = Math.max(1e-9, (now.nanos() - before.nanos()) / 1e9);
        int online = 0;
        for (long id : users.ids()) {
            online += views.online(meters.get(id)) ? 1 : 0;
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("instante", time.timestamp(clock.millis()));
        data.put("medidores_online", online);
        data.put("medidores_offline", users.size() - online);
        Map<String, Object> datagrams = new LinkedHashMap<>();
        datagrams.put("recebidos", now.received());
        datagrams.put("aceitos", now.accepted());
        datagrams.put("rejeitados", now.rejected());
        data.put("datagramas", datagrams);
        data.put("leituras_armazenadas", now.stored());
        data.put("descartes_kernel", now.kernelDrops());
        Map<String, Object> rates = new LinkedHashMap<>();
        rates.put("datagramas_recebidos", rate(now.received() - before.received(), seconds));
        rates.put("datagramas_aceitos", rate(now.accepted() - before.accepted(), seconds));
        Map<String, Object> rejectedRates = new TreeMap<>();
        for (Map.Entry<String, Long> e : now.rejected().entrySet()) {
            long delta = e.getValue() - before.rejected().getOrDefault(e.getKey(), 0L);
            if (delta > 0) {
                rejectedRates.put(e.getKey(), rate(delta, seconds));
            }
        }
        rates.put("datagramas_rejeitados", rejectedRates);
        rates.put("leituras_armazenadas", rate(now.stored() - before.stored(), seconds));
        rates.put("descartes_kernel", rate(now.kernelDrops() - before.kernelDrops(), seconds));
        data.put("por_segundo", rates);
        Map<String, Object> latency = new LinkedHashMap<>();
        latency.put("p50", metrics.commitLatencyMillis(0.5));
        latency.put("p99", metrics.commitLatencyMillis(0.99));
        data.put("latencia_commit_ms", latency);
        return "event: resumo\ndata: " + Json.write(data) + "\n\n";
    }

    private static java.math.BigDecimal rate(long delta, double seconds) {
        return java.math.BigDecimal.valueOf(delta / seconds).setScale(1, java.math.RoundingMode.HALF_UP);
    }
}
