package org.gridmeter.meter;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.gridmeter.protocol.Durations;

/**
 * What a meter without a terminal prints as it runs (a log, the demo's screen), one line at a
 * time: progress while the simulated clock catches up, once when it is live, a progress line every
 * 10 s, a warning when the server stops answering, and a countdown while it waits for the last
 * ACKs. With a terminal the same facts go into {@link Terminal}'s status line instead.
 */
final class Progress {

    private static final long CATCH_UP_EVERY_NANOS = 2_000_000_000L;
    private static final long PROGRESS_EVERY_NANOS = 10_000_000_000L;
    private static final long COUNTDOWN_EVERY_NANOS = 5_000_000_000L;
    private static final DateTimeFormatter SIMULATED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT);

    private final MeterFleet fleet;
    private final PrintWriter out;
    private final MeterOptions options;
    private final ZoneId zone;
    private long lastLineNanos;
    private boolean started;
    private boolean liveSaid;
    private boolean warned;
    private boolean drainSaid;

    Progress(MeterFleet fleet, MeterOptions options, ZoneId zone, PrintWriter out) {
        this.fleet = fleet;
        this.options = options;
        this.zone = zone;
        this.out = out;
    }

    /** Called about once a second by the fleet: prints whatever is due. */
    void tick(long nowNanos) {
        if (!started) {
            started = true;
            lastLineNanos = nowNanos - PROGRESS_EVERY_NANOS; // the first line is due at once
        }
        MeterFleet.Status s = fleet.status(nowNanos);
        if (s.drainSecondsLeft() >= 0) {
            if (s.waiting() > 0 && (!drainSaid || nowNanos - lastLineNanos >= COUNTDOWN_EVERY_NANOS)) {
                print(nowNanos, drainText(s, fleet.serverText()));
                drainSaid = true;
            }
            return;
        }
        if (s.serverSilent() && !warned) {
            print(nowNanos, "warning: " + silentText(s, fleet.serverText()));
            warned = true;
        } else if (warned && s.secondsWithoutAck() == 0) {
            print(nowNanos, "ACKs from " + fleet.serverText() + " again");
            warned = false;
        }
        if (!s.live()) {
            if (nowNanos - lastLineNanos >= CATCH_UP_EVERY_NANOS) {
                print(nowNanos, catchingUpText(s, zone));
            }
        } else if (!liveSaid) {
            print(nowNanos, liveText(options));
            liveSaid = true;
        } else if (nowNanos - lastLineNanos >= PROGRESS_EVERY_NANOS) {
            print(nowNanos, "progress: " + countsText(s));
        }
    }

    private void print(long nowNanos, String line) {
        out.println(line);
        out.flush();
        lastLineNanos = nowNanos;
    }

    static String catchingUpText(MeterFleet.Status s, ZoneId zone) {
        return String.format(Locale.ROOT, "catching up: simulated clock at %s, %.0f%% of the way to now; %s",
                SIMULATED.format(Instant.ofEpochMilli(s.simulatedMillis()).atZone(zone)), s.caughtUpShare() * 100,
                countsText(s));
    }

    static String liveText(MeterOptions options) {
        return "live: the simulated clock is at now; a reading every " + Durations.format(options.liveInterval())
                + " from here";
    }

    static String countsText(MeterFleet.Status s) {
        return String.format(Locale.ROOT, "%d readings sent, %d acknowledged, %d waiting for an ACK, %d resent",
                s.readingsSent(), s.acknowledged(), s.waiting(), s.resent());
    }

    static String silentText(MeterFleet.Status s, String server) {
        return "no ACK from " + server + " for " + s.secondsWithoutAck() + " s: is the GridMeter server running there "
                + "(./gridmeter server, or --server HOST:PORT)? The readings are kept and resent.";
    }

    static String drainText(MeterFleet.Status s, String server) {
        return "stopping: waiting for the ACKs of " + s.waiting() + " readings from " + server + ", "
                + s.drainSecondsLeft() + " s left";
    }
}
