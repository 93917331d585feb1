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
    public static final List<String> SERVER_REASONS = List.of(AUTH_REQUIRED, FUTURE_TIMESTAMP, RATE_LIMITED,
            QUEUE_FULL);

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
        String reason = handle(content, sender, now);
        recent.record(now, sender, content, start, length, reason);
        return reason == null;
    }

    /** The last datagrams and what became of them (GET /debug/datagramas). */
    public DatagramLog recent() {
        return recent;
    }

    /** Decodes, checks and queues one datagram; the reason it was rejected, or {@code null} if it was queued. */
    private String handle(ByteBuffer content, InetSocketAddress sender, long now) {
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
        if (!writer.offer(batch, sender)) {
            return reject(QUEUE_FULL, "the storage queue is full; the meter should resend", sender);
        }
        metrics.datagramsAccepted.increment();
        return null;
    }

    private String reject(String reason, String detail, InetSocketAddress sender) {
        metrics.rejected(reason);
        warnings.warn(reason, detail, sender);
        return reason;
    }
}
