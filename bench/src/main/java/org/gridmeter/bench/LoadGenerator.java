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
import java.util.List;
import java.util.Locale;
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
 * prints offered, received, stored, rejected and lost. With {@code --raw} it measures instead what a
 * bare {@link DatagramChannel} receiver on this machine gets from the same senders: the limit the
 * server's figure is compared with.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar org.gridmeter.bench.LoadGenerator \
 *     [--raw] [--host 127.0.0.1] [--port 18000] [--http 15000] [--rate 200000] [--seconds 60]
 *     [--meters 10000] [--batch 1] [--legacy] [--threads 1]
 * </pre>
 */
public final class LoadGenerator {

    private LoadGenerator() {
    }

    /** The options; see the class comment. */
    record Options(boolean raw, String host, int port, int httpPort, long rate, int seconds, int meters, int batch,
            boolean legacy, int threads) {

        static Options parse(String[] args) {
            boolean raw = false;
            boolean legacy = false;
            String host = "127.0.0.1";
            int port = 18000;
            int http = 15000;
            long rate = 200_000;
            int seconds = 60;
            int meters = 10_000;
            int batch = 1;
            int threads = 1;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--raw" -> raw = true;
                    case "--legacy" -> legacy = true;
                    case "--host" -> host = args[++i];
                    case "--port" -> port = Integer.parseInt(args[++i]);
                    case "--http" -> http = Integer.parseInt(args[++i]);
                    case "--rate" -> rate = Long.parseLong(args[++i]);
                    case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                    case "--meters" -> meters = Integer.parseInt(args[++i]);
                    case "--batch" -> batch = Integer.parseInt(args[++i]);
                    case "--threads" -> threads = Integer.parseInt(args[++i]);
                    default -> throw new IllegalArgumentException("unknown option " + args[i] + " (see the class comment)");
                }
            }
            if (legacy && batch != 1) {
                throw new IllegalArgumentException("--legacy datagrams carry one reading: drop --batch");
            }
            return new Options(raw, host, port, http, rate, seconds, meters, batch, legacy, threads);
        }
    }

    /** What one run measured. */
    /** @param kernelDropped what the server's socket buffer overflowed by, as the server reports it (-1: not known) */
    record Result(long offeredDatagrams, long offeredReadings, double seconds, long received, long stored,
            long rejected, long kernelDropped, double serverCpuSeconds) {
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        Result r = o.raw() ? raw(o) : server(o);
        System.out.println(format(o, r));
    }

    static String format(Options o, Result r) {
        return String.format(Locale.ROOT, "%s %s batch=%d: offered %,d datagrams (%,d readings) in %.1f s = %,.0f/s; "
                        + "received %,d (%.2f %%), stored %,d readings, rejected %,d, lost %,d%s; %s",
                o.raw() ? "raw-receiver" : "server", o.legacy() ? "legacy" : "v1", o.batch(), r.offeredDatagrams(),
                r.offeredReadings(), r.seconds(), r.offeredDatagrams() / r.seconds(), r.received(),
                100.0 * r.received() / Math.max(1, r.offeredDatagrams()), r.stored(), r.rejected(),
                r.offeredDatagrams() - r.received(), r.kernelDropped() < 0 ? ""
                        : String.format(Locale.ROOT, " (%,d of them counted by the %s as kernel drops)",
                                r.kernelDropped(), o.raw() ? "receiver" : "server"),
                r.serverCpuSeconds() < 0 ? "server CPU n/a"
                        : String.format(Locale.ROOT, "server CPU %.1f s (%.0f %% of one core)", r.serverCpuSeconds(),
                                100 * r.serverCpuSeconds() / r.seconds()));
    }

    /** Sends to the server, then waits until its counters stop moving and reads them. */
    static Result server(Options o) throws Exception {
        long cpuBefore = serverCpuTicks(o);
        Metrics start = metrics(o);
        long[] sent = send(o, new InetSocketAddress(o.host(), o.port()));
        Metrics before = null;
        Metrics after = metrics(o);
        do {
            before = after;
            Thread.sleep(1000); // let the writer finish: wait until two scrapes a second apart agree
            after = metrics(o);
        } while (!after.equals(before));
        long cpuAfter = serverCpuTicks(o);
        double cpu = cpuBefore < 0 || cpuAfter < 0 ? -1 : (cpuAfter - cpuBefore) / 100.0;
        return new Result(sent[0], sent[1], sent[2] / 1e9, after.received() - start.received(),
                after.committed() - start.committed(), after.rejected() - start.rejected(),
                after.kernelDropped() - start.kernelDropped(), cpu);
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
            long[] sent = send(o, (InetSocketAddress) receiver.getLocalAddress());
            long last;
            do {
                last = received.get();
                Thread.sleep(200);
            } while (received.get() != last);
            running.set(false);
            long dropped = org.gridmeter.server.net.KernelUdpDrops.forPort(
                    ((InetSocketAddress) receiver.getLocalAddress()).getPort()).count();
            return new Result(sent[0], sent[1], sent[2] / 1e9, received.get(), 0, 0, dropped, -1);
        }
    }

    /** Sends for the duration at the rate; returns {datagrams, readings, nanos}. */
    static long[] send(Options o, InetSocketAddress to) throws Exception {
        List<Thread> threads = new ArrayList<>();
        AtomicLong datagrams = new AtomicLong();
        long start = System.nanoTime();
        long end = start + o.seconds() * 1_000_000_000L;
        long perThreadRate = Math.max(1, o.rate() / o.threads());
        // readings a second apart from two days ago: within any retention, never in the future for a bench run
        long t0 = (System.currentTimeMillis() / 1000 - 2L * 86_400) * 1000;
        for (int t = 0; t < o.threads(); t++) {
            int thread = t;
            threads.add(new Thread(() -> {
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
                                List<Reading> readings = new ArrayList<>(o.batch());
                                for (int b = 0; b < o.batch(); b++) {
                                    long r = round * o.batch() + b;
                                    readings.add(new Reading(seq++ & 0xFFFF_FFFFL, t0 + r * 1000, (r + 1) * 1000, 3600));
                                }
                                V1Codec.encodeReadings(new ReadingBatch(meter, readings, Integrity.CRC32C, false), null, out);
                            }
                            out.flip();
                            try {
                                ch.write(out);
                            } catch (IOException e) {
                                // ECONNREFUSED after an ICMP error: keep going, the datagram counts as offered
                            }
                        }
                    }
                    datagrams.addAndGet(n);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, "sender-" + t));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        long nanos = System.nanoTime() - start;
        return new long[] {datagrams.get(), datagrams.get() * o.batch(), nanos};
    }

    /** The server's counters that matter here. */
    record Metrics(long received, long rejected, long committed, long kernelDropped) {
    }

    static Metrics metrics(Options o) throws Exception {
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + o.host() + ":"
                + o.httpPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        long received = 0;
        long rejected = 0;
        long committed = 0;
        long kernelDropped = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("gridmeter_datagrams_received_total ")) {
                received = value(line);
            } else if (line.startsWith("gridmeter_datagrams_rejected_total{")) {
                rejected += value(line);
            } else if (line.startsWith("gridmeter_readings_stored_total ")) {
                committed = value(line);
            } else if (line.startsWith("gridmeter_datagrams_dropped_kernel_total ")) {
                kernelDropped = value(line);
            }
        }
        return new Metrics(received, rejected, committed, kernelDropped);
    }

    private static long value(String line) {
        return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    /** The server process's CPU ticks (utime + stime, 1/100 s) from /proc, or -1 if not found. */
    static long serverCpuTicks(Options o) {
        try {
            for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
                String cmd = p.info().commandLine().orElse("");
                if (cmd.contains("gridmeter-server.jar")) {
                    String[] stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + p.pid() + "/stat"))
                            .split("\\) ")[1].split(" ");
                    return Long.parseLong(stat[11]) + Long.parseLong(stat[12]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
