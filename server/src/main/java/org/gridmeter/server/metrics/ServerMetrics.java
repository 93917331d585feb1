package org.gridmeter.server.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Every counter of the server. Hot-path counters are {@link LongAdder}s (cheap from any thread)
 * exposed to Micrometer as function counters; {@link #scrape()} renders the Prometheus text.
 * Accounting invariant: {@code received = accepted + sum(rejected by reason)}.
 */
public final class ServerMetrics {

    /** What function counters read from: Micrometer holds their objects weakly, so they are held here. */
    private final List<Object> held = new CopyOnWriteArrayList<>();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, LongAdder> rejected = new ConcurrentHashMap<>();
    private final Map<String, Timer> httpTimers = new ConcurrentHashMap<>();

    public final LongAdder datagramsReceived = counter("gridmeter.datagrams.received",
            "UDP datagrams received, good or bad");
    public final LongAdder datagramsForwarded = counter("gridmeter.cluster.datagrams.forwarded",
            "Datagrams passed to the cluster node that owns their meter (docs/scaling.md)");
    public final LongAdder repliesRelayed = counter("gridmeter.cluster.replies.relayed",
            "ACKs and refusals of another cluster node passed on to the meter that sent through this one");
    public final LongAdder datagramsAccepted = counter("gridmeter.datagrams.accepted",
            "Datagrams that passed every check and were queued for storage");
    public final LongAdder readingsStored = counter("gridmeter.readings.stored", "Readings newly stored");
    public final LongAdder readingsDuplicate = counter("gridmeter.readings.duplicate",
            "Readings already stored with the same value (changed nothing)");
    public final LongAdder readingsConflict = counter("gridmeter.readings.conflict",
            "Readings already stored with another value (the first was kept)");
    public final LongAdder readingsLate = counter("gridmeter.readings.late",
            "Readings stored although older than their meter's latest");
    public final LongAdder readingsOrphanDropped = counter("gridmeter.readings.orphan.dropped",
            "Readings of unregistered meters dropped because --orphan-limit meters are kept already");
    public final LongAdder readingsOrphanDiscarded = counter("gridmeter.readings.orphan.discarded",
            "Readings kept for an unregistered meter and deleted when its user registered with a meter key "
                    + "(they were not authenticated)");
    public final LongAdder readingsTooOld = counter("gridmeter.readings.too.old",
            "Readings older than the --retention window, or than what retention kept of their meter; refused");
    public final LongAdder readingsCommitted = counter("gridmeter.readings.committed",
            "Readings handled (stored, duplicate, conflicting or dropped) in committed transactions");
    public final LongAdder acksSent = counter("gridmeter.acks.sent", "ACK datagrams sent to meters");
    public final LongAdder refusalsSent = counter("gridmeter.refusals.sent",
            "Refusal datagrams sent to meters: readings the server will never store (conflict, too_old)");
    public final LongAdder commits = counter("gridmeter.store.commits", "Store transactions committed");
    public final LongAdder ticks = counter("gridmeter.writer.ticks",
            "Once-a-second passes (closing due invoices, checking for silent meters) whose effects are committed");
    public final Timer commitTime = Timer.builder("gridmeter.store.commit.duration")
            .description("Time to commit one store transaction")
            .publishPercentiles(0.5, 0.99).distributionStatisticExpiry(java.time.Duration.ofMinutes(1))
            .register(registry);
    public final Timer checkpointTime = Timer.builder("gridmeter.store.checkpoint.duration")
            .description("Time of the commits that also saved every changed meter, billing and rollup state")
            .register(registry);
    public final Timer mergeTime = Timer.builder("gridmeter.store.merge.duration")
            .description("Time of one step merging the reading log into the readings table").register(registry);

    /** @param rejectReasons every reason label, so each shows in /metrics from the start */
    public ServerMetrics(Collection<String> rejectReasons) {
        rejectReasons.forEach(this::rejectedCounter);
    }

    private LongAdder counter(String name, String description) {
        LongAdder adder = new LongAdder();
        FunctionCounter.builder(name, adder, LongAdder::sum).description(description).register(registry);
        return adder;
    }

    private LongAdder rejectedCounter(String reason) {
        return rejected.computeIfAbsent(reason, r -> {
            LongAdder adder = new LongAdder();
            FunctionCounter.builder("gridmeter.datagrams.rejected", adder, LongAdder::sum)
                    .description("Datagrams dropped, by reason").tag("reason", r).register(registry);
            return adder;
        });
    }

    /** Counts one datagram dropped for {@code reason} (a label such as {@code bad_crc}). */
    public void rejected(String reason) {
        rejectedCounter(reason).increment();
    }

    /** Datagrams dropped for {@code reason} so far. */
    public long rejectedCount(String reason) {
        LongAdder adder = rejected.get(reason);
        return adder == null ? 0 : adder.sum();
    }

    /** Datagrams dropped for any reason so far. */
    public long rejectedTotal() {
        return rejected.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Registers a counter kept elsewhere, read when scraped. */
    public void counter(String name, String description, LongSupplier value) {
        held.add(value);
        FunctionCounter.builder(name, value, v -> v.getAsLong()).description(description).register(registry);
    }

    /** Registers a gauge read when scraped (queue depth, users, ...). */
    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }

    /** A percentile (0.5, 0.99) of the commit times of about the last minute, in milliseconds (1 decimal). */
    public java.math.BigDecimal commitLatencyMillis(double percentile) {
        for (io.micrometer.core.instrument.distribution.ValueAtPercentile v : commitTime.takeSnapshot().percentileValues()) {
            if (v.percentile() == percentile) {
                return java.math.BigDecimal.valueOf(v.value(java.util.concurrent.TimeUnit.MILLISECONDS))
                        .setScale(1, java.math.RoundingMode.HALF_UP);
            }
        }
        throw new IllegalArgumentException("percentile " + percentile + " is not kept (0.5 and 0.99 are)");
    }

    /** Records one HTTP request: route pattern (not the raw path, to bound the series), method, status. */
    /** The methods counted by name; anything else a client invents is {@code other}, so labels stay few. */
    private static final java.util.Set<String> METHODS = java.util.Set.of("GET", "HEAD", "POST", "PUT", "DELETE",
            "PATCH", "OPTIONS");

    /**
     * One HTTP request: {@code route} is the route's own path or one of a fixed few placeholders
     * ({@code (none)}, {@code (malformed)}, {@code (limited)}), never the path a client sent.
     */
    public void httpRequest(String route, String requestMethod, int status, long nanos) {
        String method = METHODS.contains(requestMethod) ? requestMethod : "other";
        // a cached timer per series: building one through the registry costs more than the request itself
        Timer timer = httpTimers.computeIfAbsent(route + ' ' + method + ' ' + status, k ->
                Timer.builder("gridmeter.http.requests").description("HTTP requests by route, method and status")
                        .tags("route", route, "method", method, "status", Integer.toString(status)).register(registry));
        timer.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }
}
