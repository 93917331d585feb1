package org.gridmeter.server.ingest;

import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * Logs the first rejection of each reason at once (with the reason, the sender and what was wrong),
 * then at most one line a second per reason, saying how many were suppressed since the last line,
 * so a flood of bad datagrams cannot flood the log. Thread-safe.
 */
final class WarnLimiter {

    /** Where a warning line goes. */
    @FunctionalInterface
    interface Sink {
        void warn(String reason, Object source, String detail, long suppressed);
    }

    static final long INTERVAL_MILLIS = 1000;

    /** One reason's state: whether and when it last logged, and how many it held back since. */
    private static final class Slot {
        private boolean logged;
        private long lastLogged;
        private long suppressed;
    }

    private final Sink sink;
    private final Clock clock;
    private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();

    WarnLimiter(Sink sink, Clock clock) {
        this.sink = sink;
        this.clock = clock;
    }

    /** Logs to {@code log} at WARN: {@code event=datagram_rejected reason=... from=... detail="..."}. */
    WarnLimiter(Logger log, Clock clock) {
        this((reason, source, detail, suppressed) -> log.warn(
                "event=datagram_rejected reason={} from={} detail=\"{}\" suppressed_since_last={}",
                reason, source, detail, suppressed), clock);
    }

    void warn(String reason, String detail, Object source) {
        Slot slot = slots.computeIfAbsent(reason, r -> new Slot());
        long now = clock.millis();
        long suppressed;
        synchronized (slot) {
            if (slot.logged && now - slot.lastLogged < INTERVAL_MILLIS) {
                slot.suppressed++;
                return;
            }
            slot.logged = true;
            slot.lastLogged = now;
            suppressed = slot.suppressed;
            slot.suppressed = 0;
        }
        sink.warn(reason, source, detail, suppressed);
    }
}
