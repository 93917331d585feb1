package org.gridmeter.meter;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.gridmeter.meter.profile.LoadProfile;
import org.gridmeter.protocol.Ack;
import org.gridmeter.protocol.DecodeResult;
import org.gridmeter.protocol.Integrity;
import org.gridmeter.protocol.LegacyDatagramCodec;
import org.gridmeter.protocol.MessageType;
import org.gridmeter.protocol.Reading;
import org.gridmeter.protocol.ReadingBatch;
import org.gridmeter.protocol.Refusal;
import org.gridmeter.protocol.V1Codec;
import org.gridmeter.protocol.Wire;

/**
 * A fleet of simulated meters (one or thousands) on one UDP socket and one thread. Each meter takes
 * a reading every interval of simulated time, with its own random phase so the fleet is not in
 * lock-step. Version-1 meters ask for ACKs, keep what is not acknowledged and resend it, oldest
 * first, in batches; legacy meters just send. {@link #run} returns when every meter has sent its
 * {@code --count} and had it acknowledged, the duration has passed, or {@link #stop} was called.
 */
final class MeterFleet {

    /** After the last reading, wait at most this long for the remaining ACKs. */
    private static final long DRAIN_NANOS = 60_000_000_000L;
    private static final int RESEND_BATCH = 50;
    /**
     * While catching up (the simulated clock runs ahead of real time), readings go out in batches of
     * up to {@link #RESEND_BATCH}, at least every this long: a meter with a backlog sends it in batches,
     * and a batch counts once against the server's --max-rate.
     */
    private static final long CATCH_UP_FLUSH_NANOS = 100_000_000L;

    private final MeterOptions options;
    private final SimClock clock;
    private final java.util.function.LongSupplier nanoTime;
    private final LoadProfile profile;
    private final ZoneId zone;
    private final byte[] key;
    private final FaultInjector faults;
    private final Map<Long, SimMeter> meters = new LinkedHashMap<>();
    /** Meters holding readings made while catching up, not sent yet (oldest held first). */
    private final List<SimMeter> holding = new ArrayList<>();
    private final PriorityQueue<SimMeter> due = new PriorityQueue<>((a, b) -> Long.compare(a.nextDueMillis, b.nextDueMillis));
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final ByteBuffer ackBuffer = ByteBuffer.allocate(Wire.MAX_DATAGRAM_SIZE);
    private final ByteBuffer out = ByteBuffer.allocate(Wire.MAX_DATAGRAM_SIZE);
    /** Without an ACK for this long while readings wait for one, the status warns that the server is silent. */
    static final long SILENT_SERVER_NANOS = 10_000_000_000L;

    private volatile double offsetWatts;
    private long datagramsSent;
    private volatile long resent;
    /** When an ACK last came (or the fleet started), for the silent-server warning. */
    private volatile long lastAckNanos;
    /** When the wait for the last ACKs ends, once the fleet stopped taking readings; 0 before. */
    private volatile long drainDeadlineNanos;
    private volatile long drainLimitNanos = DRAIN_NANOS;
    private volatile boolean live;
    private long lastResolveNanos;
    private DatagramChannel channel;
    private InetSocketAddress server;
    /** Every server to send to ({@code --server a,b}): {@code host:port}; {@link #current} is the one in use. */
    private final List<String> servers = new ArrayList<>();
    private int current;
    private long lastSwitchNanos;
    /** Without an ACK for this long while readings wait for one, the fleet moves on to the next server. */
    static final long FAILOVER_NANOS = 3_000_000_000L;

    /**
     * @param wall     the wall clock (simulated time never passes it)
     * @param nanoTime the monotonic ticker that paces sending, resends and the duration
     * @param zone     the zone of the load profiles' days
     */
    MeterFleet(MeterOptions options, Clock wall, java.util.function.LongSupplier nanoTime, ZoneId zone) {
        this.options = options;
        this.nanoTime = nanoTime;
        this.clock = new SimClock(wall, nanoTime, options.start(), options.speed());
        this.profile = switch (options.profile().kind()) {
            case RESIDENCIAL -> LoadProfile.residencial();
            case COMERCIAL -> LoadProfile.comercial();
            case CONSTANTE -> LoadProfile.constante(options.profile().constantKw());
        };
        this.zone = zone;
        this.key = options.key();
        long seed = options.seed() != null ? options.seed() : new Random().nextLong();
        this.faults = new FaultInjector(options.loss(), options.duplicate(), options.reorder(), seed);
        Random phases = new Random(seed);
        long interval = options.interval().toMillis();
        long now = clock.startMillis(); // not millis(): at high speed even these microseconds are minutes
        this.live = options.start() == null || clock.realTime();
        if (live) {
            interval = options.liveInterval().toMillis();
        }
        for (long id = options.firstId(); id <= options.lastId(); id++) {
            SimMeter meter = new SimMeter(id, seed * 31 + id, now + (options.fleetSize() == 1 ? interval
                    : 1 + (long) (phases.nextDouble() * interval)));
            meters.put(id, meter);
            due.add(meter);
        }
    }

    Collection<SimMeter> meters() {
        return meters.values();
    }

    /** Adds (or, negative, removes) load from every meter, as the + and - keys do; {@code 0} resets it. */
    void adjustLoad(double watts) {
        offsetWatts = watts == 0 ? 0 : offsetWatts + watts;
    }

    double offsetWatts() {
        return offsetWatts;
    }

    FaultInjector faults() {
        return faults;
    }

    /** Asks {@link #run} to stop taking readings, wait (up to a minute) for the last ACKs and return. Any thread. */
    void stop() {
        stopping.set(true);
    }

    /** As {@link #stop()}, waiting at most {@code drainNanos} for the last ACKs (Ctrl-C: a person is waiting). */
    void stop(long drainNanos) {
        drainLimitNanos = Math.min(drainLimitNanos, drainNanos);
        long deadline = drainDeadlineNanos;
        if (deadline != 0) {
            drainDeadlineNanos = Math.min(deadline, nanoTime.getAsLong() + drainNanos);
        }
        stopping.set(true);
    }

    /** What the status line and the progress lines show, at {@code nowNanos}. */
    record Status(long readingsSent, long acknowledged, long waiting, long resent, long secondsWithoutAck,
            long drainSecondsLeft, boolean live, long simulatedMillis, double caughtUpShare) {

        /** Whether readings have waited {@link #SILENT_SERVER_NANOS} without an ACK. */
        boolean serverSilent() {
            return secondsWithoutAck * 1_000_000_000L >= SILENT_SERVER_NANOS;
        }
    }

    Status status(long nowNanos) {
        long sent = 0;
        long acked = 0;
        long waiting = 0;
        for (SimMeter m : meters.values()) {
            sent += m.generated;
            acked += m.acked;
            waiting += m.unacked.size();
        }
        long silent = waiting > 0 ? (nowNanos - lastAckNanos) / 1_000_000_000L : 0;
        long deadline = drainDeadlineNanos;
        long drainLeft = deadline == 0 ? -1 : Math.max(0, (deadline - nowNanos + 999_999_999L) / 1_000_000_000L);
        long sim = clock.millis();
        long start = clock.startMillis();
        long wall = clock.wallMillis();
        double share = wall <= start ? 1 : Math.min(1, (sim - start) / (double) (wall - start));
        return new Status(sent, acked, waiting, resent, silent, drainLeft, live, sim, share);
    }

    /** Where the datagrams go: {@code host:port}. */
    String serverText() {
        return servers.isEmpty() ? MeterCommand.hostPort(options.serverHost(), Integer.toString(options.serverPort()))
                : servers.get(current);
    }

    private static InetSocketAddress address(String hostPort) {
        String[] hp = MeterCommand.hostAndPort(hostPort);
        return new InetSocketAddress(hp[0], Integer.parseInt(hp[1]));
    }

    /** With several servers: after {@link #FAILOVER_NANOS} without an ACK while readings wait, the next one. */
    private void failOverIfSilent(long nowNanos) {
        if (servers.size() < 2 || nowNanos - lastAckNanos < FAILOVER_NANOS || nowNanos - lastSwitchNanos < FAILOVER_NANOS
                || allAcknowledged()) {
            return;
        }
        String from = servers.get(current);
        current = (current + 1) % servers.size();
        lastSwitchNanos = nowNanos;
        InetSocketAddress next = address(servers.get(current));
        if (!next.isUnresolved()) {
            server = next;
        }
        System.err.println("no ACK from " + from + " for " + (nowNanos - lastAckNanos) / 1_000_000_000L
                + " s: sending to " + servers.get(current) + " now");
    }

    /** Runs until done; {@code status} is called about once a second with nothing to say but the state. */
    void run(Runnable status) throws IOException {
        servers.add(MeterCommand.hostPort(options.serverHost(), Integer.toString(options.serverPort())));
        servers.addAll(options.fallbackServers());
        server = new InetSocketAddress(options.serverHost(), options.serverPort());
        if (server.isUnresolved()) {
            throw new IOException("cannot resolve the server host '" + options.serverHost()
                    + "': check --server or SERVER_HOST");
        }
        long deadline = options.duration() == null ? Long.MAX_VALUE
                : nanoTime.getAsLong() + options.duration().toNanos();
        long nextStatus = nanoTime.getAsLong();
        lastAckNanos = nextStatus;
        lastResolveNanos = nextStatus;
        lastSwitchNanos = nextStatus;
        try (DatagramChannel ch = DatagramChannel.open(); Selector selector = Selector.open()) {
            channel = ch;
            ch.configureBlocking(false);
            ch.bind(null);
            ch.register(selector, SelectionKey.OP_READ);
            while (true) {
                long nowNanos = nanoTime.getAsLong();
                boolean generating = !stopping.get() && nowNanos < deadline && !due.isEmpty();
                if (generating) {
                    produceDue(nowNanos);
                }
                sendHeld(nowNanos, !generating);
                if (!generating && drainDeadlineNanos == 0) {
                    drainDeadlineNanos = nowNanos + (options.legacy() || allAcknowledged() ? 1 : drainLimitNanos);
                    faults.releaseHeldBack(this::send);
                }
                long drainUntil = drainDeadlineNanos == 0 ? Long.MAX_VALUE : drainDeadlineNanos;
                receiveAcks();
                resolveAgainIfSilent(nowNanos);
                failOverIfSilent(nowNanos);
                resendDue(nowNanos);
                if (nowNanos >= nextStatus) {
                    status.run();
                    nextStatus = nowNanos + 1_000_000_000L;
                }
                if (!generating && (allAcknowledged() || nowNanos >= drainUntil)) {
                    break;
                }
                long waitNanos = Math.min(200_000_000L, generating && !due.isEmpty()
                        ? clock.nanosUntil(due.peek().nextDueMillis) : 50_000_000L);
                selector.select(Math.max(1, waitNanos / 1_000_000));
                selector.selectedKeys().clear();
            }
            faults.releaseHeldBack(this::send);
        }
    }

    /**
     * While no ACK comes, looks the server's name up again every 10 s: a server container that was
     * restarted or moved may have a new address behind the same name.
     */
    private void resolveAgainIfSilent(long nowNanos) {
        if (nowNanos - lastAckNanos < SILENT_SERVER_NANOS || nowNanos - lastResolveNanos < SILENT_SERVER_NANOS) {
            return;
        }
        lastResolveNanos = nowNanos;
        InetSocketAddress fresh = address(serverText());
        if (!fresh.isUnresolved()) {
            server = fresh;
        }
    }

    private boolean allAcknowledged() {
        for (SimMeter m : meters.values()) {
            if (!m.unacked.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** Takes every reading that is due in simulated time. */
    private void produceDue(long nowNanos) {
        long now = clock.millis();
        if (!live && clock.realTime()) {
            goLive(now);
        }
        long interval = (live ? options.liveInterval() : options.interval()).toMillis();
        while (!due.isEmpty() && due.peek().nextDueMillis <= now) {
            SimMeter meter = due.poll();
            take(meter, meter.nextDueMillis, interval, nowNanos);
            meter.nextDueMillis += interval;
            if (options.count() == null || meter.generated < options.count()) {
                due.add(meter);
            }
        }
    }

    /**
     * The simulated clock has caught up with now: from here readings come every {@code --live-interval},
     * so no meter waits out the rest of a long catching-up interval.
     */
    private void goLive(long nowMillis) {
        sendHeld(0, true); // the last catch-up batches go before the first live reading, in order
        live = true;
        long liveMillis = options.liveInterval().toMillis();
        List<SimMeter> waiting = new ArrayList<>(due);
        due.clear();
        for (SimMeter m : waiting) {
            // spread over one live interval, so a fleet does not report in lock-step
            long phase = meters.size() == 1 ? 0 : Math.floorMod(m.id * 7919, liveMillis);
            m.nextDueMillis = Math.max(m.lastMillis + liveMillis, nowMillis + phase); // a due catch-up step is now
            due.add(m);
        }
    }

    private void take(SimMeter meter, long atMillis, long intervalMillis, long nowNanos) {
        double watts = Math.max(0, profile.watts(Instant.ofEpochMilli(atMillis).atZone(zone), meter.random)
                + offsetWatts);
        meter.watts = watts;
        long elapsed = meter.lastMillis == Long.MIN_VALUE ? intervalMillis : atMillis - meter.lastMillis;
        meter.lastMillis = atMillis;
        long delta = Math.round(watts * elapsed / 3600); // W x ms / 3600 = mWh
        if (options.legacy()) {
            delta = Math.round(delta / 100.0) * 100; // the legacy counter has 0.1 Wh steps
        }
        meter.energyMwh += delta;
        meter.generated++;
        if (options.legacy()) {
            send(LegacyDatagramCodec.encode(meter.id, atMillis / 1000, meter.energyMwh / 100f));
            return; // legacy meters cannot ask for ACKs
        }
        Reading reading = new Reading(meter.nextSequence++ & 0xFFFF_FFFFL, atMillis, meter.energyMwh,
                (int) Math.round(watts));
        meter.keep(reading, nowNanos);
        if (live) {
            sendBatch(meter, List.of(reading)); // a backlog, if any, goes out by resendDue, oldest first
            return;
        }
        if (meter.held.isEmpty()) {
            meter.heldSinceNanos = nowNanos;
            holding.add(meter);
        }
        meter.held.add(reading);
        if (meter.held.size() == RESEND_BATCH) {
            sendHeld(meter);
        }
    }

    /** Sends the readings held while catching up: those held long enough, or all of them. */
    private void sendHeld(long nowNanos, boolean all) {
        for (java.util.Iterator<SimMeter> it = holding.iterator(); it.hasNext();) {
            SimMeter meter = it.next();
            if (meter.held.isEmpty()) {
                it.remove(); // sent when its batch was full
            } else if (all || live || nowNanos - meter.heldSinceNanos >= CATCH_UP_FLUSH_NANOS) {
                sendHeld(meter);
                it.remove();
            }
        }
    }

    private void sendHeld(SimMeter meter) {
        sendBatch(meter, List.copyOf(meter.held));
        meter.held.clear();
    }

    /**
     * Resends, for each meter, the oldest unacknowledged readings that waited long enough. The wait
     * doubles (up to 8 s) while no ACK comes, so a slow or absent server is not flooded with resends.
     */
    private void resendDue(long nowNanos) {
        for (SimMeter meter : meters.values()) {
            if (meter.unacked.isEmpty() || nowNanos - meter.unacked.peekFirst().lastSentNanos() < meter.resendAfterNanos) {
                continue;
            }
            long wait = meter.resendAfterNanos;
            meter.resendAfterNanos = Math.min(SimMeter.MAX_RESEND_NANOS, wait * 2);
            // the oldest unacknowledged readings, in the order they were taken (ACKs may leave holes)
            List<Reading> batch = new ArrayList<>(RESEND_BATCH);
            List<SimMeter.Unacked> resent = new ArrayList<>(RESEND_BATCH);
            for (SimMeter.Unacked u : meter.unacked) {
                if (batch.size() == RESEND_BATCH || nowNanos - u.lastSentNanos() < wait) {
                    break;
                }
                batch.add(u.reading());
                resent.add(u);
            }
            for (int i = 0; i < resent.size(); i++) {
                meter.unacked.pollFirst();
            }
            for (int i = resent.size() - 1; i >= 0; i--) {
                meter.unacked.addFirst(new SimMeter.Unacked(resent.get(i).reading(), nowNanos));
            }
            this.resent += batch.size();
            sendBatch(meter, batch);
        }
    }

    private void sendBatch(SimMeter meter, List<Reading> readings) {
        ReadingBatch batch = new ReadingBatch(meter.id, readings, key == null ? Integrity.CRC32C : Integrity.HMAC, true);
        out.clear();
        V1Codec.encodeReadings(batch, key, out);
        out.flip();
        byte[] datagram = new byte[out.remaining()];
        out.get(datagram);
        send(datagram);
    }

    private void send(byte[] datagram) {
        faults.send(datagram, bytes -> {
            try {
                channel.send(ByteBuffer.wrap(bytes), server);
                datagramsSent++;
            } catch (IOException e) {
                // the socket's buffer is full or the network is down: the ACK logic resends it
            }
        });
    }

    /** Reads every ACK and refusal waiting on the socket and applies it to its meter. */
    private void receiveAcks() throws IOException {
        while (true) {
            ackBuffer.clear();
            if (channel.receive(ackBuffer) == null) {
                return;
            }
            ackBuffer.flip();
            MessageType type = V1Codec.replyType(ackBuffer);
            if (type == MessageType.ACK && V1Codec.decodeAck(ackBuffer, key) instanceof DecodeResult.Ok<Ack> ok) {
                SimMeter meter = meters.get(ok.value().meterId());
                if (meter != null) {
                    meter.acknowledge(ok.value());
                    lastAckNanos = nanoTime.getAsLong();
                }
            } else if (type == MessageType.REFUSAL
                    && V1Codec.decodeRefusal(ackBuffer, key) instanceof DecodeResult.Ok<Refusal> ok) {
                SimMeter meter = meters.get(ok.value().meterId());
                if (meter != null) {
                    meter.refused(ok.value());
                }
            }
        }
    }

    /** {@code {"<id>": {"kwh", "sent", "acked", "refused"}}}: what each meter ended with (the ground truth). */
    Map<String, Map<String, Object>> report() {
        Map<String, Map<String, Object>> report = new LinkedHashMap<>();
        for (SimMeter m : meters.values()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("kwh", java.math.BigDecimal.valueOf(m.energyMwh, 6));
            entry.put("sent", m.generated);
            entry.put("acked", m.acked);
            entry.put("refused", m.refused);
            report.put(Long.toString(m.id), entry);
        }
        return report;
    }

    /**
     * What happened to the datagrams, unambiguously: how many the meters made, how many fault
     * injection dropped before sending, sent twice or held back and sent late, and how many went out.
     */
    static String datagramSummary(long made, long lost, long duplicated, long reordered, long sent, long resentReadings) {
        String resends = resentReadings == 0 ? "" : " (" + resentReadings + " readings resent)";
        if (lost == 0 && duplicated == 0 && reordered == 0) {
            return sent + " datagrams sent" + resends;
        }
        return made + " datagrams made" + resends + ": " + lost + " dropped on purpose and never sent (--loss), "
                + duplicated + " sent twice (--duplicate), " + reordered + " held back and sent late (--reorder); "
                + sent + " sent in all";
    }

    void printSummary(PrintWriter out) {
        if (meters.size() <= 10) {
            for (SimMeter m : meters.values()) {
                out.printf("meter %d: final cumulative %s kWh (readings sent %d, acknowledged %d%s)%n", m.id,
                        java.math.BigDecimal.valueOf(m.energyMwh, 6).toPlainString(), m.generated, m.acked,
                        m.refused == 0 ? "" : ", refused by the server " + m.refused);
            }
        }
        long total = meters.values().stream().mapToLong(m -> m.energyMwh).sum();
        long unacked = meters.values().stream().mapToLong(m -> m.unacked.size()).sum();
        out.printf("fleet of %d: %s kWh in all; %s; %d readings unacknowledged%n", meters.size(),
                java.math.BigDecimal.valueOf(total, 6).toPlainString(),
                datagramSummary(faults.made, faults.lost, faults.duplicated, faults.reordered, datagramsSent, resent),
                unacked);
        out.flush();
    }
}
