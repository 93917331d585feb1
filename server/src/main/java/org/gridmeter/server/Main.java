package org.gridmeter.server;

import java.io.PrintWriter;
import java.util.Map;
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
        out.println("GridMeter server configuration: " + parsed.config());
        out.println("Ingest and the HTTP API are wired in by issue #3 (server core); this build only checks flags.");
        return 0;
    }

    /** The outcome of parsing: a configuration, or none with the exit status (help printed, or bad flags). */
    record Parsed(ServerConfig config, int exitCode) {
    }

    static Parsed parse(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        CommandLine cmd = new CommandLine(new ServerCommand())
                .setDefaultValueProvider(new EnvDefaults(env))
                .setOut(out)
                .setErr(err)
                .setParameterExceptionHandler((e, ignored) -> usageError(e.getCommandLine(), e.getMessage()))
                .setExecutionExceptionHandler((e, commandLine, ignored) -> usageError(commandLine, e.getMessage()));
        int exitCode = cmd.execute(args);
        return new Parsed(cmd.getExecutionResult(), exitCode);
    }

    private static int usageError(CommandLine commandLine, String message) {
        commandLine.getErr().println("gridmeter server: " + message);
        commandLine.getErr().println("Run './gridmeter server --help' for every flag and its environment variable.");
        return 2;
    }
}
