package org.gridmeter.server.ingest;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.gridmeter.protocol.DatagramDecoder;
import org.gridmeter.protocol.DecodeResult;
import org.gridmeter.protocol.Integrity;
import org.gridmeter.protocol.Reading;
import org.gridmeter.protocol.ReadingBatch;
import org.gridmeter.protocol.RejectReason;
import org.gridmeter.server.cluster.Envelope;
import org.gridmeter.server.cluster.Ownership;
import org.gridmeter.server.cluster.Partitions;
import org.gridmeter.server.metrics.ServerMetrics;
import org.gridmeter.server.users.UserDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a datagram between the socket and the writer's queue: decode, then the server's
 * own checks (authentication policy, clock skew), then a non-blocking offer to the writer. Every
 * datagram ends counted as accepted or rejected with a reason. No Netty types: the handler passes
 * a {@link ByteBuffer}. Thread-safe; called on the UDP event loop, so it never blocks.
 */
public final class IngestPipeline {

    /** The server's rejection reasons, beyond the codec's {@link RejectReason}s. */
    public static final String AUTH_REQUIRED = "auth_required";
    public static final String FUTURE_TIMESTAMP = "future_timestamp";
    public static final String QUEUE_FULL = "queue_full";
    public static final String RATE_LIMITED = "rate_limited";
    /** Cluster: no live node holds the meter's partition (a fail-over is under way); the meter resends. */
    public static final String NO_OWNER = "no_owner";
    /** Cluster: forwarded here, or queued, for a partition this node does not hold (it just moved). */
    public static final String NOT_OWNER = "not_owner";
    /** Cluster: a datagram that looks like a node-to-node envelope but fails its check. */
    public static final String BAD_ENVELOPE = "bad_envelope";
    public static final List<String> SERVER_REASONS = List.of(AUTH_REQUIRED, FUTURE_TIMESTAMP, RATE_LIMITED,
            QUEUE_FULL, NO_OWNER, NOT_OWNER, BAD_ENVELOPE);

    private static final Logger log = LoggerFactory.getLogger(IngestPipeline.class);

    private final DatagramDecoder decoder;
    private final UserDirectory users;
    private final BatchSink writer;
    private final ServerMetrics metrics;
    private final Clock clock;
    private final long maxFutureSkewMillis;
    private final WarnLimiter warnings;
    private final DatagramLog recent;
    /** {@code --max-rate}: so one meter flooding cannot take the writer from the others. */
    private final org.gridmeter.server.net.RateLimit<Long> rateLimit;

    /** Sends bytes as one datagram from the ingest socket. */
    public interface RawSender {
        void send(byte[] datagram, InetSocketAddress to);
    }

    /** A lone server's, or a cluster node's view of who handles each meter. */
    private volatile Ownership ownership = Ownership.ALONE;
    private volatile Envelope envelope;
    private volatile RawSender out;

    /**
     * @param maxRate  datagrams a second accepted from one meter ({@code --max-rate})
     * @param nanoTime the monotonic ticker the rate limit is measured with
     * @param recent   where every datagram and its outcome is recorded (the last few are kept)
     */
    public IngestPipeline(UserDirectory users, boolean legacyEnabled, Duration maxFutureSkew, int maxRate,
            BatchSink writer, ServerMetrics metrics, Clock clock, java.util.function.LongSupplier nanoTime,
            DatagramLog recent) {
        this.recent = recent;
        this.rateLimit = new org.gridmeter.server.net.RateLimit<>(maxRate, nanoTime);
        this.decoder = new DatagramDecoder(users, legacyEnabled);
        this.users = users;
        this.writer = writer;
        this.metrics = metrics;
        this.clock = clock;
        this.maxFutureSkewMillis = maxFutureSkew.toMillis();
        this.warnings = new WarnLimiter(log, clock);
    }

    /**
     * Makes this the ingest path of a cluster node (docs/scaling.md): datagrams of meters another
     * node owns are sealed in an {@link Envelope} and sent to it through {@code out}; envelopes from
     * other nodes are opened here.
     */
    public void cluster(Ownership view, Envelope sealer, RawSender sender) {
        this.envelope = sealer;
        this.out = sender;
        this.ownership = view;
    }

    /** Every reason a datagram can be rejected for, codec and server alike (the metric's labels). */
    public static List<String> allReasons() {
        List<String> reasons = new java.util.ArrayList<>();
        for (RejectReason r : RejectReason.values()) {
            reasons.add(r.label());
        }
        reasons.addAll(SERVER_REASONS);
        return reasons;
    }

    /**
     * Handles one datagram: the bytes from {@code content}'s position to its limit.
     *
     * @return {@code true} if it was queued for storage
     */
    public boolean onDatagram(ByteBuffer content, InetSocketAddress sender) {
        int start = content.position();
        int length = content.remaining();
        long now = clock.millis();
        Envelope sealer = envelope;
        if (sealer != null && Envelope.looksLikeOne(content)) {
            return onEnvelope(sealer, content, sender, now);
        }
        String reason = handle(content, sender, null, now);
        recent.record(now, sender, content, start, length, reason);
        return reason == null;
    }

    /** A datagram another node forwarded (then {@code via} is that node), or an ACK to pass on to a meter. */
    private boolean onEnvelope(Envelope sealer, ByteBuffer content, InetSocketAddress from, long now) {
        Envelope.Opened opened = sealer.open(content);
        if (opened == null) {
            metrics.datagramsReceived.increment();
            reject(BAD_ENVELOPE, "a node-to-node envelope failed its check (wrong cluster key, or damaged)", from);
            return false;
        }
        if (opened.kind() == Envelope.REPLY) {
            byte[] reply = new byte[opened.inner().remaining()];
            opened.inner().get(reply);
            out.send(reply, opened.meter());
            metrics.repliesRelayed.increment();
            return true;
        }
        ByteBuffer inner = opened.inner();
        int start = inner.position();
        int length = inner.remaining();
        String reason = handle(inner, opened.meter(), from, now);
        recent.record(now, opened.meter(), inner, start, length, reason);
        return reason == null;
    }

    /** The last datagrams and what became of them (GET /debug/datagramas). */
    public DatagramLog recent() {
        return recent;
    }

    /** Decodes, checks and queues one datagram; the reason it was rejected, or {@code null} if it was queued. */
    private String handle(ByteBuffer content, InetSocketAddress sender, InetSocketAddress via, long now) {
        ByteBuffer raw = content.duplicate();
        metrics.datagramsReceived.increment();
        DecodeResult<ReadingBatch> result = decoder.decode(content);
        if (result instanceof DecodeResult.Rejected<ReadingBatch> rejected) {
            return reject(rejected.reason().label(), rejected.detail(), sender);
        }
        ReadingBatch batch = ((DecodeResult.Ok<ReadingBatch>) result).value();
        if (batch.integrity() != Integrity.HMAC && users.keyFor(batch.meterId()) != null) {
            return reject(AUTH_REQUIRED, "meter " + batch.meterId()
                    + " has a key, so its datagrams must carry an HMAC tag", sender);
        }
        long latestAllowed = now + maxFutureSkewMillis;
        for (Reading reading : batch.readings()) {
            if (reading.timestampMillis() > latestAllowed) {
                return reject(FUTURE_TIMESTAMP, "meter " + batch.meterId() + " timestamp " + reading.timestampMillis()
                        + " is more than " + maxFutureSkewMillis + " ms ahead of the server clock", sender);
            }
        }
        if (!rateLimit.allow(batch.meterId())) {
            return reject(RATE_LIMITED, "meter " + batch.meterId() + " sends faster than --max-rate", sender);
        }
        Ownership view = ownership;
        if (!view.local(batch.meterId())) {
            return forward(view, batch.meterId(), raw, sender, via);
        }
        if (!writer.offer(batch, sender, via)) {
            return reject(QUEUE_FULL, "the storage queue is full; the meter should resend", sender);
        }
        metrics.datagramsAccepted.increment();
        return null;
    }

    /** Passes a datagram of a meter this node does not handle to the node that does; {@code null} if sent. */
    private String forward(Ownership view, long meterId, ByteBuffer raw, InetSocketAddress sender,
            InetSocketAddress via) {
        if (via != null) {
            return reject(NOT_OWNER, "node " + via + " forwarded meter " + meterId + " here, but partition "
                    + Partitions.of(meterId) + " moved; the meter resends", sender);
        }
        Ownership.Node owner = view.remoteOwner(meterId);
        if (owner == null) {
            return reject(NO_OWNER, "no live node holds partition " + Partitions.of(meterId) + " of meter " + meterId
                    + " (a fail-over is under way); the meter resends", sender);
        }
        out.send(envelope.seal(Envelope.FORWARD, sender, raw), owner.udp());
        metrics.datagramsForwarded.increment();
        return null;
    }

    private String reject(String reason, String detail, InetSocketAddress sender) {
        metrics.rejected(reason);
        warnings.warn(reason, detail, sender);
        return reason;
    }
}
