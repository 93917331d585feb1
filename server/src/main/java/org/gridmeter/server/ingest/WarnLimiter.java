package org.gridmeter.server.ingest;

import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs a warning at most once per second per reason, with how many were suppressed since, so a
 * flood of bad datagrams cannot flood the log. Thread-safe.
 */
final class WarnLimiter {

    private record Slot(AtomicLong lastLogged, AtomicLong suppressed) {
    }

    private final Logger log;
    private final Clock clock;
    private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();

    WarnLimiter(Logger log, Clock clock) {
        this.log = log;
        this.clock = clock;
    }

    void warn(String reason, String detail, Object source) {
        Slot slot = slots.computeIfAbsent(reason, r -> new Slot(new AtomicLong(Long.MIN_VALUE), new AtomicLong()));
        long now = clock.millis();
        long last = slot.lastLogged().get();
        if (now - last >= 1000 && slot.lastLogged().compareAndSet(last, now)) {
            long suppressed = slot.suppressed().getAndSet(0);
            log.warn("event=datagram_rejected reason={} from={} detail=\"{}\" suppressed_since_last={}",
                    reason, source, detail, suppressed);
        } else {
            slot.suppressed().incrementAndGet();
        }
    }
}
