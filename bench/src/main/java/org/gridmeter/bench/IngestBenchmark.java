package org.gridmeter.bench;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gridmeter.protocol.Integrity;
import org.gridmeter.protocol.Reading;
import org.gridmeter.protocol.ReadingBatch;
import org.gridmeter.protocol.V1Codec;
import org.gridmeter.server.alerts.Alert;
import org.gridmeter.server.alerts.AlertEvaluator;
import org.gridmeter.server.alerts.AlertRepository;
import org.gridmeter.server.billing.Biller;
import org.gridmeter.server.billing.BillingCalendar;
import org.gridmeter.server.billing.TariffBook;
import org.gridmeter.server.ingest.IngestPipeline;
import org.gridmeter.server.metrics.ServerMetrics;
import org.gridmeter.server.usage.ConsumptionChain;
import org.gridmeter.server.usage.ConsumptionListeners;
import org.gridmeter.server.usage.LiveMeters;
import org.gridmeter.server.usage.ReadingRepository;
import org.gridmeter.server.usage.Rollups;
import org.gridmeter.server.usage.StoredReading;
import org.gridmeter.server.usage.UsageRecorder;
import org.gridmeter.server.users.UserDirectory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The hot ingest path without the kernel or the database, ns and bytes per datagram:
 * {@code eventLoop} is what the UDP event loop does (decode, checks, offer to the queue);
 * {@code writerRules} is the writer's Java work for one in-order reading of one of 10,000 meters
 * (usage rules, rollups, billing, power window, alert rules) with storage calls that do nothing.
 * {@code java -jar bench/target/benchmarks.jar IngestBenchmark -prof gc}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class IngestBenchmark {

    private static final int METERS = 10_000;

    private IngestPipeline pipeline;
    private final InetSocketAddress sender = new InetSocketAddress("127.0.0.1", 40000);
    private ByteBuffer datagram;
    private UsageRecorder recorder;
    private Biller biller;
    private AlertEvaluator alerts;
    private long n;
    private final long t0 = System.currentTimeMillis() - 30L * 86_400_000;

    /** Storage that stores nothing: the benchmark measures the Java work around it. */
    static final class NoStore implements ReadingRepository, AlertRepository,
            org.gridmeter.server.billing.InvoiceRepository {
        @Override
        public List<org.gridmeter.server.alerts.Alert> loadActive() {
            return List.of();
        }

        @Override
        public void insert(long meterId, StoredReading reading) {
        }

        @Override
        public void reclassify(long meterId, ConsumptionChain.Decision decision) {
        }

        @Override
        public StoredReading find(long meterId, long timestampMillis) {
            return null;
        }

        @Override
        public StoredReading lastNormalBefore(long meterId, long timestampMillis) {
            return null;
        }

        @Override
        public StoredReading before(long meterId, long timestampMillis) {
            return null;
        }

        @Override
        public List<StoredReading> after(long meterId, long timestampMillis, int limit) {
            return List.of();
        }

        @Override
        public int position() {
            return 0;
        }

        @Override
        public void unreplayable(long meterId, int firstPosition, long[] consumed, int count,
                org.gridmeter.server.usage.MeterState.Saved after) {
        }

        @Override
        public void event(long meterId, long timestampMillis, String kind, String detail) {
        }

        @Override
        public long insert(Alert alert) {
            return 1;
        }

        @Override
        public void end(long id, long endMillis) {
        }

        @Override
        public void saveInvoice(org.gridmeter.server.billing.Invoice invoice) {
        }
    }

    @Setup
    public void setUp() {
        ServerMetrics metrics = new ServerMetrics(IngestPipeline.allReasons());
        // one meter sends every datagram here: a --max-rate it never reaches, so each one goes the whole way
        pipeline = new IngestPipeline(new UserDirectory(List.of()), true, Duration.ofMinutes(5), 1_000_000_000,
                (b, to) -> true, metrics, Clock.systemUTC(), System::nanoTime,
                new org.gridmeter.server.ingest.DatagramLog());
        datagram = ByteBuffer.wrap(V1Codec.encodeReadings(new ReadingBatch(7, List.of(new Reading(1,
                System.currentTimeMillis() - 1000, 1_234_567, 850)), Integrity.CRC32C, true), null));
        NoStore store = new NoStore();
        Rollups rollups = new Rollups();
        biller = new Biller(new BillingCalendar(java.time.ZoneId.of("America/Sao_Paulo"), 10), new TariffBook(List.of()),
                store, Clock.systemUTC(), Duration.ofHours(24), List.of());
        alerts = new AlertEvaluator(store, new AlertEvaluator.Thresholds(java.math.BigDecimal.valueOf(150),
                java.math.BigDecimal.valueOf(5), java.math.BigDecimal.valueOf(100), Duration.ofMinutes(1)),
                Clock.systemUTC(), List.of());
        recorder = new UsageRecorder(store, new ConsumptionListeners(List.of(rollups, biller, alerts)), new LiveMeters(),
                id -> true, Clock.systemUTC(), METERS, java.time.Duration.ofDays(400), List.of());
        this.rollups = rollups;
    }

    private Rollups rollups;
    private final Map<Long, Map<Long, Long>> sink = new HashMap<>();

    @Benchmark
    public boolean eventLoop() {
        return pipeline.onDatagram(datagram, sender);
    }

    @Benchmark
    public long writerRules() {
        return writer(false);
    }

    /** The same, with the network view's bookkeeping (GET /usuario/rede/) that the writer now does too. */
    @Benchmark
    public long writerRulesAndNetworkView() {
        return writer(true);
    }

    private final org.gridmeter.server.ingest.MeterNetworks networks = new org.gridmeter.server.ingest.MeterNetworks();
    private final java.net.InetSocketAddress meterAddress = new java.net.InetSocketAddress("127.0.0.1", 40000);

    private long writer(boolean networkView) {
        long i = n++;
        long meter = 1 + i % METERS;
        long round = i / METERS;
        long ts = t0 + round * 5000;
        List<Reading> readings = List.of(new Reading(round & 0xFFFF_FFFFL, ts, (round + 1) * 1000, 720));
        var outcome = recorder.record(meter, readings);
        if (networkView) {
            networks.observe(new ReadingBatch(meter, readings, Integrity.CRC32C, true), outcome, meterAddress, ts);
        }
        biller.readingAt(meter, ts);
        alerts.evaluate(meter, ts, biller.openCycleMwh(meter), biller.recentInvoices(meter));
        if (i % 20_000 == 0) { // what a commit does with them, minus SQLite
            recorder.drainDirty();
            recorder.publishCommitted();
            biller.drainDirty();
            biller.publishCommitted();
            rollups.flush((buckets, spans) -> sink.putAll(buckets));
            sink.clear();
            alerts.publish();
            networks.publish();
        }
        return ts;
    }
}
