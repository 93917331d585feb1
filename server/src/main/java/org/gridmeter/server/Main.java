package org.gridmeter.server;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.Map;
import org.gridmeter.protocol.FlagErrors;
import picocli.CommandLine;

/** {@code gridmeter server}: parses flags and environment into a {@link ServerConfig} and runs the server. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Parses and runs; returns the process exit status. Separate from {@link #main} for tests. */
    static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        Parsed parsed = parse(args, env, out, err);
        if (parsed.config() == null) {
            return parsed.exitCode();
        }
        ServerConfig config = parsed.config();
        GridMeterServer server;
        try {
            server = GridMeterServer.start(config, Clock.systemUTC());
        } catch (GridMeterServer.StartupException e) {
            err.println("gridmeter server: could not start: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            err.println("gridmeter server: could not start: " + e + ". The log above says more; if it does not help, "
                    + "report it with that log.");
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "gridmeter-shutdown"));
        out.println("GridMeter server: UDP " + server.udpAddress().getPort() + ", HTTP http://localhost:"
                + server.httpAddress().getPort() + "/usuario/, data in " + config.dataDir().toAbsolutePath().normalize()
                + ". Admin token: " + (config.adminToken() != null ? "the one given by --admin-token"
                : "in " + config.dataDir().resolve(AdminToken.FILE_NAME)) + ". Ctrl-C stops it.");
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** The outcome of parsing: a configuration, or none with the exit status (help printed, or bad flags). */
    record Parsed(ServerConfig config, int exitCode) {
    }

    static Parsed parse(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        CommandLine cmd = new CommandLine(new ServerCommand(env))
                .setDefaultValueProvider(new EnvDefaults(env))
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
        commandLine.getErr().println("gridmeter server: " + message);
        commandLine.getErr().println("Run './gridmeter server --help' for every flag and its environment variable.");
        return 2;
    }
}
