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
        out.printf("%s sending to %s:%d every %s of %s time (%s profile%s)%s%n",
                options.fleetSize() == 1 ? "Meter " + options.firstId() : options.fleetSize() + " meters "
                        + options.firstId() + "-" + options.lastId(), options.serverHost(), options.serverPort(),
                Durations.format(options.interval()), options.start() == null && options.speed() == 1 ? "real"
                        : "simulated", options.profile(), options.legacy() ? ", legacy datagrams" : "",
                options.speed() > 1 ? ", " + options.speed() + "x from " + options.start() : "");
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            fleet.stop();
            try {
                finished.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "meter-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Terminal terminal = interactive ? Terminal.start(fleet, System.in, out) : null;
        long[] lastProgress = {nanoTime.getAsLong()};
        try {
            fleet.run(() -> {
                if (terminal != null) {
                    terminal.status();
                } else if (nanoTime.getAsLong() - lastProgress[0] >= 10_000_000_000L) {
                    lastProgress[0] = nanoTime.getAsLong();
                    long sent = fleet.meters().stream().mapToLong(m -> m.generated).sum();
                    long acked = fleet.meters().stream().mapToLong(m -> m.acked).sum();
                    out.printf("progress: %d readings sent, %d acknowledged, %d datagrams%n", sent, acked,
                            fleet.datagramsSent());
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
        commandLine.getErr().println("gridmeter meter: " + message);
        commandLine.getErr().println("Run './gridmeter meter --help' for every flag and its environment variable.");
        return 2;
    }
}
