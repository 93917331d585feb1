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

    private final MeterOptions options;
    private final SimClock clock;
    private final java.util.function.LongSupplier nanoTime;
    private final LoadProfile profile;
    private final ZoneId zone;
    private final byte[] key;
    private final FaultInjector faults;
    private final Map<Long, SimMeter> meters = new LinkedHashMap<>();
    private final PriorityQueue<SimMeter> due = new PriorityQueue<>((a, b) -> Long.compare(a.nextDueMillis, b.nextDueMillis));
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final ByteBuffer ackBuffer = ByteBuffer.allocate(Wire.MAX_DATAGRAM_SIZE);
    private final ByteBuffer out = ByteBuffer.allocate(Wire.MAX_DATAGRAM_SIZE);
    private volatile double offsetWatts;
    private long datagramsSent;
    private DatagramChannel channel;
    private InetSocketAddress server;

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

    long datagramsSent() {
        return datagramsSent;
    }

    FaultInjector faults() {
        return faults;
    }

    /** Asks {@link #run} to stop taking readings, wait for the last ACKs and return. Any thread. */
    void stop() {
        stopping.set(true);
    }

    /** Runs until done; {@code status} is called about once a second with nothing to say but the state. */
    void run(Runnable status) throws IOException {
        server = new InetSocketAddress(options.serverHost(), options.serverPort());
        if (server.isUnresolved()) {
            throw new IOException("cannot resolve the server host '" + options.serverHost()
                    + "': check --server or SERVER_HOST");
        }
        long deadline = options.duration() == null ? Long.MAX_VALUE
                : nanoTime.getAsLong() + options.duration().toNanos();
        long nextStatus = nanoTime.getAsLong();
        try (DatagramChannel ch = DatagramChannel.open(); Selector selector = Selector.open()) {
            channel = ch;
            ch.configureBlocking(false);
            ch.bind(null);
            ch.register(selector, SelectionKey.OP_READ);
            long drainUntil = Long.MAX_VALUE;
            while (true) {
                long nowNanos = nanoTime.getAsLong();
                boolean generating = !stopping.get() && nowNanos < deadline && !due.isEmpty();
                if (generating) {
                    produceDue(nowNanos);
                } else if (drainUntil == Long.MAX_VALUE) {
                    drainUntil = nowNanos + (options.legacy() ? 0 : DRAIN_NANOS);
                    faults.releaseHeldBack(this::send);
                }
                receiveAcks();
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
        long interval = options.interval().toMillis();
        while (!due.isEmpty() && due.peek().nextDueMillis <= now) {
            SimMeter meter = due.poll();
            take(meter, meter.nextDueMillis, interval, nowNanos);
            meter.nextDueMillis += interval;
            if (options.count() == null || meter.generated < options.count()) {
                due.add(meter);
            }
        }
    }

    private void take(SimMeter meter, long atMillis, long intervalMillis, long nowNanos) {
        double watts = Math.max(0, profile.watts(Instant.ofEpochMilli(atMillis).atZone(zone), meter.random)
                + offsetWatts);
        meter.watts = watts;
        long delta = Math.round(watts * intervalMillis / 3600); // W x ms / 3600 = mWh
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
        sendBatch(meter, List.of(reading)); // a backlog, if any, goes out by resendDue, oldest first
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
        out.printf("fleet of %d: %s kWh in all, %d datagrams sent (%d lost, %d duplicated, %d reordered on purpose), "
                + "%d readings unacknowledged%n", meters.size(), java.math.BigDecimal.valueOf(total, 6).toPlainString(),
                datagramsSent, faults.lost, faults.duplicated, faults.reordered, unacked);
        out.flush();
    }
}
