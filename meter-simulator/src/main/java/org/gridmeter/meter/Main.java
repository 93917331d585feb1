package org.gridmeter.meter;

import java.io.Console;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.ZoneId;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.gridmeter.protocol.Durations;
import java.util.Map;
import java.util.function.Supplier;
import org.gridmeter.protocol.FlagErrors;
import picocli.CommandLine;

/** {@code gridmeter meter}: parses flags and environment into {@link MeterOptions} and runs the meters. */
public final class Main {

    /** On Ctrl-C or SIGTERM, how long the meter waits for the last ACKs before it prints its summary and exits. */
    static final long CTRL_C_DRAIN_NANOS = 10_000_000_000L;

    private Main() {
    }

    public static void main(String[] args) {
        Console console = System.console();
        Supplier<String> prompt = console == null ? null : () -> console.readLine("Meter id: ");
        PrintWriter out = new PrintWriter(System.out, true);
        System.exit(run(args, System.getenv(), prompt, out, new PrintWriter(System.err, true)));
    }

    static int run(String[] args, Map<String, String> env, Supplier<String> prompt, PrintWriter out, PrintWriter err) {
        return run(args, env, prompt, out, err, Clock.systemUTC(), System::nanoTime, ZoneId.systemDefault());
    }

    /** As {@link #run(String[], Map, Supplier, PrintWriter, PrintWriter)} with the given wall clock, ticker and zone. */
    static int run(String[] args, Map<String, String> env, Supplier<String> prompt, PrintWriter out, PrintWriter err,
            Clock clock, java.util.function.LongSupplier nanoTime, ZoneId zone) {
        Parsed parsed = parse(args, env, prompt, out, err, clock, zone);
        if (parsed.options() == null) {
            return parsed.exitCode();
        }
        MeterOptions options = parsed.options();
        MeterFleet fleet = new MeterFleet(options, clock, nanoTime, zone);
        boolean interactive = prompt != null; // a terminal on stdin
        out.println(startLine(options, zone));
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            fleet.stop(CTRL_C_DRAIN_NANOS); // a person pressed Ctrl-C (or the container is stopping): do not linger
            try {
                finished.await(CTRL_C_DRAIN_NANOS / 1_000_000_000L + 5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "meter-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Terminal terminal = interactive ? Terminal.start(fleet, System.in, out, nanoTime) : null;
        Progress progress = interactive ? null : new Progress(fleet, options, zone, out);
        try {
            fleet.run(() -> {
                if (terminal != null) {
                    terminal.status();
                } else {
                    progress.tick(nanoTime.getAsLong());
                }
            });
        } catch (IOException e) {
            err.println("gridmeter meter: " + e.getMessage());
            return 1;
        } finally {
            if (terminal != null) {
                terminal.close();
            }
            fleet.printSummary(out);
            if (options.report() != null) {
                try {
                    new ObjectMapper().enable(com.fasterxml.jackson.core.JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
                            .writerWithDefaultPrettyPrinter().writeValue(options.report().toFile(),
                            fleet.report());
                    out.println("report written to " + options.report());
                } catch (IOException e) {
                    err.println("gridmeter meter: could not write the report to " + options.report() + ": "
                            + e.getMessage());
                }
            }
            finished.countDown();
        }
        return 0;
    }

    /** What the meter says when it starts: who sends where, how often, on which clock. */
    static String startLine(MeterOptions options, ZoneId zone) {
        String who = options.fleetSize() == 1 ? "Meter " + options.firstId()
                : options.fleetSize() + " meters " + options.firstId() + "-" + options.lastId();
        String how = " (" + options.profile() + " profile" + (options.legacy() ? ", legacy datagrams" : "") + ")";
        String live = "every " + Durations.format(options.liveInterval());
        if (options.start() == null) {
            return who + " sending to " + options.serverHost() + ":" + options.serverPort() + " " + live + how;
        }
        String from = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", java.util.Locale.ROOT)
                .format(options.start().atZone(zone));
        return who + " sending to " + options.serverHost() + ":" + options.serverPort() + ": catching up from " + from
                + " at " + new java.math.BigDecimal(options.speed()).stripTrailingZeros().toPlainString()
                + "x, a reading every " + Durations.format(options.interval()) + " of simulated time, then " + live
                + " live" + how;
    }

    /** The outcome of parsing: options, or none with the exit status (help printed, or bad flags). */
    record Parsed(MeterOptions options, int exitCode) {
    }

    static Parsed parse(String[] args, Map<String, String> env, Supplier<String> prompt, PrintWriter out,
            PrintWriter err) {
        return parse(args, env, prompt, out, err, Clock.systemUTC(), ZoneId.systemDefault());
    }

    /** Parses with {@code --start} read against {@code clock} and {@code zone}. */
    static Parsed parse(String[] args, Map<String, String> env, Supplier<String> prompt, PrintWriter out,
            PrintWriter err, Clock clock, ZoneId zone) {
        CommandLine cmd = new CommandLine(new MeterCommand(prompt))
                .registerConverter(java.time.Instant.class, new MeterCommand.StartConverter(clock, zone))
                .setDefaultValueProvider(new MeterEnvDefaults(env))
                .setOut(out)
                .setErr(err)
                .setParameterExceptionHandler((e, ignored) -> usageError(e.getCommandLine(), describe(e)))
                .setExecutionExceptionHandler((e, commandLine, ignored) -> usageError(commandLine, e.getMessage()));
        int exitCode = cmd.execute(args);
        return new Parsed(cmd.getExecutionResult(), exitCode);
    }

    /** A flag's bad value in the user's terms (see {@link FlagErrors}); picocli's own text otherwise. */
    private static String describe(CommandLine.ParameterException e) {
        if (e.getArgSpec() instanceof CommandLine.Model.OptionSpec option && e.getValue() != null && e.getCause() != null) {
            Throwable cause = e.getCause() instanceof CommandLine.TypeConversionException ? null : e.getCause();
            return FlagErrors.invalidValue(option.longestName(), e.getValue(), option.type(), option.defaultValue(), cause);
        }
        return e.getMessage();
    }

    private static int usageError(CommandLine commandLine, String message) {
        // one line: in a container log it is the line people see
        commandLine.getErr().println("gridmeter meter: " + message + " (--help lists every flag and its variable)");
        return 2;
    }
}
