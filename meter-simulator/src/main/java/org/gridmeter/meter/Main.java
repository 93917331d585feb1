package org.gridmeter.meter;

import java.io.Console;
import java.io.PrintWriter;
import java.util.Map;
import java.util.function.Supplier;
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
        Parsed parsed = parse(args, env, prompt, out, err);
        if (parsed.options() == null) {
            return parsed.exitCode();
        }
        out.println("GridMeter meter configuration: " + parsed.options());
        out.println("Sending readings is wired in by issue #5 (meter simulator); this build only checks flags.");
        return 0;
    }

    /** The outcome of parsing: options, or none with the exit status (help printed, or bad flags). */
    record Parsed(MeterOptions options, int exitCode) {
    }

    static Parsed parse(String[] args, Map<String, String> env, Supplier<String> prompt, PrintWriter out,
            PrintWriter err) {
        CommandLine cmd = new CommandLine(new MeterCommand(prompt))
                .setDefaultValueProvider(new MeterEnvDefaults(env))
                .setOut(out)
                .setErr(err)
                .setParameterExceptionHandler((e, ignored) -> usageError(e.getCommandLine(), e.getMessage()))
                .setExecutionExceptionHandler((e, commandLine, ignored) -> usageError(commandLine, e.getMessage()));
        int exitCode = cmd.execute(args);
        return new Parsed(cmd.getExecutionResult(), exitCode);
    }

    private static int usageError(CommandLine commandLine, String message) {
        commandLine.getErr().println("gridmeter meter: " + message);
        commandLine.getErr().println("Run './gridmeter meter --help' for every flag and its environment variable.");
        return 2;
    }
}
