package org.gridmeter.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.gridmeter.protocol.Integrity;
import org.gridmeter.protocol.LegacyDatagramCodec;
import org.gridmeter.protocol.Reading;
import org.gridmeter.protocol.ReadingBatch;
import org.gridmeter.protocol.V1Codec;

/**
 * Blasts meter datagrams at a given rate for a given time, then reads the server's own counters and
 * prints offered, received, stored, rejected and lost, the server's CPU per stored reading and how
 * many commits were checkpoints. With {@code --register} it first registers the meters (the
 * realistic case: billing and alerts run for them). With {@code --loss}, {@code --duplicate} and
 * {@code --reorder} it drops, repeats, or holds back a datagram until that meter's next one (which
 * makes it a late reading). With {@code --raw} it measures instead what a bare
 * {@link DatagramChannel} receiver on this machine gets from the same senders: the limit the
 * server's figure is compared with ({@code --raw-limit} passes it to a server run).
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar org.gridmeter.bench.LoadGenerator \
 *     [--raw] [--host 127.0.0.1] [--port 18000] [--http 15000] [--rate 200000] [--seconds 60]
 *     [--meters 10000] [--batch 1] [--legacy] [--threads 1] [--register --token T]
 *     [--loss P] [--duplicate P] [--reorder P] [--raw-limit DATAGRAMS_PER_S]
 * </pre>
 */
public final class LoadGenerator {

    private LoadGenerator() {
    }

    /** The options; see the class comment. */
    record Options(boolean raw, String host, int port, int httpPort, long rate, int seconds, int meters, int batch,
            boolean legacy, int threads, boolean register, String token, double loss, double duplicate,
            double reorder, double rawLimit) {

        static Options parse(String[] args) {
            boolean raw = false;
            boolean legacy = false;
            boolean register = false;
            String host = "127.0.0.1";
            String token = null;
            int port = 18000;
            int http = 15000;
            long rate = 200_000;
            int seconds = 60;
            int meters = 10_000;
            int batch = 1;
            int threads = 1;
            double loss = 0;
            double duplicate = 0;
            double reorder = 0;
            double rawLimit = 0;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--raw" -> raw = true;
                    case "--legacy" -> legacy = true;
                    case "--register" -> register = true;
                    case "--token" -> token = args[++i];
                    case "--host" -> host = args[++i];
                    case "--port" -> port = Integer.parseInt(args[++i]);
                    case "--http" -> http = Integer.parseInt(args[++i]);
                    case "--rate" -> rate = Long.parseLong(args[++i]);
                    case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                    case "--meters" -> meters = Integer.parseInt(args[++i]);
                    case "--batch" -> batch = Integer.parseInt(args[++i]);
                    case "--threads" -> threads = Integer.parseInt(args[++i]);
                    case "--loss" -> loss = Double.parseDouble(args[++i]);
                    case "--duplicate" -> duplicate = Double.parseDouble(args[++i]);
                    case "--reorder" -> reorder = Double.parseDouble(args[++i]);
                    case "--raw-limit" -> rawLimit = Double.parseDouble(args[++i]);
                    default -> throw new IllegalArgumentException("unknown option " + args[i] + " (see the class comment)");
                }
            }
            if (legacy && batch != 1) {
                throw new IllegalArgumentException("--legacy datagrams carry one reading: drop --batch");
            }
            if (register && token == null) {
                throw new IllegalArgumentException("--register needs the server's admin token: --token T");
            }
            return new Options(raw, host, port, http, rate, seconds, meters, batch, legacy, threads, register, token,
                    loss, duplicate, reorder, rawLimit);
        }

        boolean faults() {
            return loss > 0 || duplicate > 0 || reorder > 0;
        }
    }

    /** What the senders did: datagrams put on the wire, distinct readings in them, time, and the faults. */
    record Sent(long datagrams, long readings, long nanos, long dropped, long duplicated, long reordered) {
    }

    /**
     * What one run measured.
     *
     * @param kernelDropped what the server's socket buffer overflowed by, as the server reports it (-1: not known)
     */
    record Result(Sent sent, long received, long stored, long duplicates, long rejected, long kernelDropped,
            double serverCpuSeconds, long commits, long checkpoints) {

        double seconds() {
            return sent.nanos() / 1e9;
        }
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        Result r = o.raw() ? raw(o) : server(o);
        System.out.println(format(o, r));
    }

    static String format(Options o, Result r) {
        Sent s = r.sent();
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "%s %s batch=%d meters=%d%s: offered %,d datagrams (%,d readings) in %.1f s = %,.0f/s; received %,d "
                        + "(%.2f %%), stored %,d readings = %,.0f/s, rejected %,d, lost %,d",
                o.raw() ? "raw-receiver" : "server", o.legacy() ? "legacy" : "v1", o.batch(), o.meters(),
                o.register() ? " registered" : "", s.datagrams(), s.readings(), r.seconds(), s.datagrams() / r.seconds(),
                r.received(), 100.0 * r.received() / Math.max(1, s.datagrams()), r.stored(), r.stored() / r.seconds(),
                r.rejected(), s.datagrams() - r.received()));
        if (o.raw()) {
            line.append(String.format(Locale.ROOT, "; limit %.0f datagrams/s received", r.received() / r.seconds()));
        }
        if (r.kernelDropped() >= 0) {
            line.append(String.format(Locale.ROOT, " (%,d of them counted by the %s as kernel drops)",
                    r.kernelDropped(), o.raw() ? "receiver" : "server"));
        }
        if (o.faults()) {
            line.append(String.format(Locale.ROOT, "; faults: %,d dropped, %,d duplicated, %,d held back (late) "
                    + "before sending, %,d duplicates absorbed", s.dropped(), s.duplicated(), s.reordered(),
                    r.duplicates()));
        }
        if (r.serverCpuSeconds() >= 0) {
            line.append(String.format(Locale.ROOT, "; server CPU %.1f s (%.0f %% of one core, %.2f µs per stored "
                    + "reading)", r.serverCpuSeconds(), 100 * r.serverCpuSeconds() / r.seconds(),
                    r.stored() == 0 ? 0 : r.serverCpuSeconds() * 1e6 / r.stored()));
        }
        if (r.commits() > 0) {
            line.append(String.format(Locale.ROOT, "; %,d commits, %.1f %% not checkpoints", r.commits(),
                    100.0 * (r.commits() - r.checkpoints()) / r.commits()));
        }
        if (o.rawLimit() > 0 && !o.raw()) {
            line.append(String.format(Locale.ROOT, "; stored readings/s = %.2f of the raw limit", r.stored()
                    / r.seconds() / o.rawLimit()));
        }
        return line.toString();
    }

    /** Registers the meters if asked, sends, then waits until the server's counters stop moving and reads them. */
    static Result server(Options o) throws Exception {
        if (o.register()) {
            register(o);
        }
        Metrics start = metrics(o);
        long cpuBefore = serverCpuTicks(o.port());
        Sent sent = send(o, new InetSocketAddress(o.host(), o.port()));
        Metrics before;
        Metrics after = metrics(o);
        do {
            before = after;
            Thread.sleep(1000); // let the writer finish: wait until two scrapes a second apart agree
            after = metrics(o);
        } while (!after.sameTraffic(before));
        long cpuAfter = serverCpuTicks(o.port());
        double cpu = cpuBefore < 0 || cpuAfter < 0 ? -1 : (cpuAfter - cpuBefore) / 100.0;
        return new Result(sent, after.received() - start.received(), after.stored() - start.stored(),
                after.duplicates() - start.duplicates(), after.rejected() - start.rejected(),
                after.kernelDropped() - start.kernelDropped(), cpu, after.commits() - start.commits(),
                after.checkpoints() - start.checkpoints());
    }

    /** Registers meters 1..N (an existing one is fine), 32 requests at a time. */
    static void register(Options o) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Semaphore inFlight = new Semaphore(32);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int m = 1; m <= o.meters(); m++) {
            inFlight.acquire();
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + o.host() + ":" + o.httpPort()
                    + "/usuario/cadastro/")).header("Authorization", "Bearer " + o.token())
                    .POST(HttpRequest.BodyPublishers.ofString("{\"id\": " + m + ", \"nome\": \"medidor " + m
                            + "\", \"endereco\": \"bench\"}")).build();
            all.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenAccept(r -> {
                if (r.statusCode() != 201 && r.statusCode() != 409) {
                    throw new IllegalStateException("registering a meter: " + r.statusCode() + " " + r.body());
                }
            }).whenComplete((v, e) -> inFlight.release()));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    }

    /** A bare receiver in this process counts what arrives from the same senders: the machine's limit. */
    static Result raw(Options o) throws Exception {
        AtomicLong received = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        try (DatagramChannel receiver = DatagramChannel.open()) {
            receiver.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 8 << 20);
            receiver.bind(new InetSocketAddress("127.0.0.1", 0));
            receiver.configureBlocking(true);
            Thread thread = new Thread(() -> {
                ByteBuffer buf = ByteBuffer.allocateDirect(2048);
                while (running.get()) {
                    try {
                        buf.clear();
                        if (receiver.receive(buf) != null) {
                            received.incrementAndGet();
                        }
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "raw-receiver");
            thread.setDaemon(true);
            thread.start();
            Sent sent = send(o, (InetSocketAddress) receiver.getLocalAddress());
            long last;
            do {
                last = received.get();
                Thread.sleep(200);
            } while (received.get() != last);
            running.set(false);
            long dropped = org.gridmeter.server.net.KernelUdpDrops.forPort(
                    ((InetSocketAddress) receiver.getLocalAddress()).getPort()).count();
            return new Result(sent, received.get(), 0, 0, 0, dropped, -1, 0, 0);
        }
    }

    /** Sends for the duration at the rate, with the faults asked for. */
    static Sent send(Options o, InetSocketAddress to) throws Exception {
        List<Thread> threads = new ArrayList<>();
        AtomicLong datagrams = new AtomicLong();
        AtomicLong readings = new AtomicLong();
        AtomicLong dropped = new AtomicLong();
        AtomicLong duplicated = new AtomicLong();
        AtomicLong reordered = new AtomicLong();
        long start = System.nanoTime();
        long end = start + o.seconds() * 1_000_000_000L;
        long perThreadRate = Math.max(1, o.rate() / o.threads());
        // readings a second apart from two days ago: within any retention, never in the future for a bench run
        long t0 = (System.currentTimeMillis() / 1000 - 2L * 86_400) * 1000;
        for (int t = 0; t < o.threads(); t++) {
            int thread = t;
            threads.add(new Thread(() -> {
                Random random = new Random(20261201L + thread);
                Map<Long, byte[]> heldBack = new HashMap<>();
                long wire = 0;
                try (DatagramChannel ch = DatagramChannel.open()) {
                    ch.connect(to);
                    ByteBuffer out = ByteBuffer.allocateDirect(1400);
                    long n = 0;
                    long seq = 0;
                    while (true) {
                        long now = System.nanoTime();
                        if (now >= end) {
                            break;
                        }
                        long due = (long) ((now - start) / 1e9 * perThreadRate);
                        if (n >= due) {
                            LockSupport.parkNanos(50_000);
                            continue;
                        }
                        for (; n < due; n++) {
                            // meters are split between threads; each meter's readings advance one second each
                            long meter = 1 + thread + (n % (o.meters() / o.threads())) * o.threads();
                            long round = n / (o.meters() / o.threads());
                            out.clear();
                            if (o.legacy()) {
                                out.put(LegacyDatagramCodec.encode(meter, t0 / 1000 + round, (round + 1) * 10f));
                            } else {
                                List<Reading> batch = new ArrayList<>(o.batch());
                                for (int b = 0; b < o.batch(); b++) {
                                    long r = round * o.batch() + b;
                                    batch.add(new Reading(seq++ & 0xFFFF_FFFFL, t0 + r * 1000, (r + 1) * 1000, 3600));
                                }
                                V1Codec.encodeReadings(new ReadingBatch(meter, batch, Integrity.CRC32C, false), null, out);
                            }
                            out.flip();
                            if (random.nextDouble() < o.loss()) {
                                dropped.incrementAndGet();
                                continue;
                            }
                            readings.addAndGet(o.batch());
                            byte[] late = heldBack.remove(meter);
                            if (late == null && random.nextDouble() < o.reorder()) {
                                byte[] copy = new byte[out.remaining()];
                                out.get(copy);
                                heldBack.put(meter, copy); // sent after this meter's next datagram: late
                                reordered.incrementAndGet();
                                continue;
                            }
                            wire += write(ch, out.duplicate());
                            if (random.nextDouble() < o.duplicate()) {
                                wire += write(ch, out.duplicate());
                                duplicated.incrementAndGet();
                            }
                            if (late != null) {
                                wire += write(ch, ByteBuffer.wrap(late));
                            }
                        }
                    }
                    for (byte[] late : heldBack.values()) {
                        wire += write(ch, ByteBuffer.wrap(late));
                    }
                    datagrams.addAndGet(wire);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, "sender-" + t));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        return new Sent(datagrams.get(), readings.get(), System.nanoTime() - start, dropped.get(), duplicated.get(),
                reordered.get());
    }

    /** Writes one datagram; returns 1 (it counts as offered even if the socket refused it). */
    private static int write(DatagramChannel ch, ByteBuffer datagram) {
        try {
            ch.write(datagram);
        } catch (IOException e) {
            // ECONNREFUSED after an ICMP error: keep going, the datagram counts as offered
        }
        return 1;
    }

    /** The server's counters that matter here. */
    record Metrics(long received, long rejected, long stored, long duplicates, long kernelDropped, long commits,
            long checkpoints) {

        /** Whether no datagram or reading was counted between the two (the writer's ticks commit anyway). */
        boolean sameTraffic(Metrics other) {
            return received == other.received && rejected == other.rejected && stored == other.stored
                    && duplicates == other.duplicates && kernelDropped == other.kernelDropped;
        }
    }

    static Metrics metrics(Options o) throws Exception {
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + o.host() + ":"
                + o.httpPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        long received = 0;
        long rejected = 0;
        long stored = 0;
        long duplicates = 0;
        long kernelDropped = 0;
        long commits = 0;
        long checkpoints = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("gridmeter_datagrams_received_total ")) {
                received = value(line);
            } else if (line.startsWith("gridmeter_datagrams_rejected_total{")) {
                rejected += value(line);
            } else if (line.startsWith("gridmeter_readings_stored_total ")) {
                stored = value(line);
            } else if (line.startsWith("gridmeter_readings_duplicate_total ")) {
                duplicates = value(line);
            } else if (line.startsWith("gridmeter_datagrams_dropped_kernel_total ")) {
                kernelDropped = value(line);
            } else if (line.startsWith("gridmeter_store_commits_total ")) {
                commits = value(line);
            } else if (line.startsWith("gridmeter_store_checkpoint_duration_seconds_count ")) {
                checkpoints = value(line);
            }
        }
        return new Metrics(received, rejected, stored, duplicates, kernelDropped, commits, checkpoints);
    }

    private static long value(String line) {
        return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    /**
     * The CPU ticks (utime + stime, 1/100 s, from /proc) of the process whose UDP socket is bound to
     * {@code udpPort} (the server), or -1 if none is found (not Linux).
     */
    static long serverCpuTicks(int udpPort) {
        try {
            String portHex = ":" + String.format(Locale.ROOT, "%04X", udpPort);
            java.util.Set<String> sockets = new java.util.HashSet<>();
            for (String table : List.of("/proc/net/udp", "/proc/net/udp6")) {
                for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length >= 10 && f[0].endsWith(":") && f[1].endsWith(portHex)) {
                        sockets.add("socket:[" + f[9] + "]");
                    }
                }
            }
            try (var procs = java.nio.file.Files.list(java.nio.file.Path.of("/proc"))) {
                for (java.nio.file.Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                    if (ownsOneOf(proc, sockets)) {
                        String[] stat = java.nio.file.Files.readString(proc.resolve("stat")).split("\\) ")[1].split(" ");
                        return Long.parseLong(stat[11]) + Long.parseLong(stat[12]);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static boolean ownsOneOf(java.nio.file.Path proc, java.util.Set<String> sockets) {
        try (var fds = java.nio.file.Files.list(proc.resolve("fd"))) {
            for (java.nio.file.Path fd : fds.toList()) {
                try {
                    if (sockets.contains(java.nio.file.Files.readSymbolicLink(fd).toString())) {
                        return true;
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            return false; // not ours to read, or gone
        }
        return false;
    }
}
