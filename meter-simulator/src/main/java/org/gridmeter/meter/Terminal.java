package org.gridmeter.meter;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The interactive meter, like the original's menu: {@code +} raises the load by 500 W, {@code -}
 * lowers it, {@code 0} resets it, {@code q} quits; a status line shows the power and cumulative
 * energy. Keys act at once: the terminal is put in character mode with {@code stty} while it runs.
 */
final class Terminal implements AutoCloseable {

    static final double STEP_WATTS = 500;

    private final MeterFleet fleet;
    private final PrintWriter out;
    private final String savedMode;
    private final java.util.function.LongSupplier nanoTime;

    private Terminal(MeterFleet fleet, PrintWriter out, String savedMode, java.util.function.LongSupplier nanoTime) {
        this.fleet = fleet;
        this.out = out;
        this.savedMode = savedMode;
        this.nanoTime = nanoTime;
    }

    /** Starts reading keys from {@code in} on a daemon thread. */
    static Terminal start(MeterFleet fleet, InputStream in, PrintWriter out, java.util.function.LongSupplier nanoTime) {
        String saved = stty("-g");
        if (saved != null) {
            stty("-icanon", "-echo", "min", "1");
        }
        Terminal terminal = new Terminal(fleet, out, saved, nanoTime);
        Thread keys = new Thread(() -> terminal.readKeys(in), "meter-keys");
        keys.setDaemon(true);
        keys.start();
        out.println("Keys: + raise the load 500 W, - lower it, 0 reset it, q quit.");
        return terminal;
    }

    private void readKeys(InputStream in) {
        try {
            for (int c = in.read(); c != -1; c = in.read()) {
                switch (c) {
                    case '+', '=' -> fleet.adjustLoad(STEP_WATTS);
                    case '-', '_' -> fleet.adjustLoad(-STEP_WATTS);
                    case '0' -> fleet.adjustLoad(0);
                    case 'q', 'Q' -> {
                        fleet.stop();
                        out.println();
                        out.println("Quitting: waiting up to 60 s for the ACKs of the readings sent (Ctrl-C to stop now).");
                        status();
                        return;
                    }
                    default -> {
                        continue;
                    }
                }
                status();
            }
        } catch (IOException e) {
            // the terminal went away: keep running without keys
        }
    }

    /** Rewrites the status line. */
    void status() {
        SimMeter m = fleet.meters().iterator().next();
        MeterFleet.Status s = fleet.status(nanoTime.getAsLong());
        out.print("\r" + line(fleet.meters().size() == 1 ? "meter " + m.id : fleet.meters().size() + " meters",
                m.watts, fleet.offsetWatts(), m.energyMwh, s, fleet.serverText()) + "\033[K");
        out.flush();
    }

    /** The status line: power, load offset, kWh, counts, and a warning or the quitting countdown when there is one. */
    static String line(String who, double watts, double offsetWatts, long energyMwh, MeterFleet.Status s, String server) {
        String line = String.format(java.util.Locale.ROOT, "%s: %.3f kW (load %+.1f kW)  %s kWh  sent %d  acknowledged %d"
                + "  waiting %d  resent %d", who, watts / 1000, offsetWatts / 1000,
                java.math.BigDecimal.valueOf(energyMwh, 6).toPlainString(), s.readingsSent(), s.acknowledged(),
                s.waiting(), s.resent());
        if (s.drainSecondsLeft() >= 0) {
            return line + "  | quitting: waiting for " + s.waiting() + " ACKs from " + server + ", "
                    + s.drainSecondsLeft() + " s left (Ctrl-C to stop now)";
        } else if (s.serverSilent()) {
            return line + "  | no ACK from " + server + " for " + s.secondsWithoutAck() + " s: is the server running?";
        }
        return line;
    }

    @Override
    public void close() {
        out.println();
        if (savedMode != null) {
            stty(savedMode);
        }
    }

    /** Runs {@code stty} on the controlling terminal; its output, or {@code null} if that failed. */
    private static String stty(String... args) {
        try {
            String[] command = new String[args.length + 1];
            command[0] = "stty";
            System.arraycopy(args, 0, command, 1, args.length);
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/tty")))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 ? output : null;
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }
}
