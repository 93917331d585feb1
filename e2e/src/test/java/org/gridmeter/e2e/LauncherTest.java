package org.gridmeter.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The {@code gridmeter} launcher at the repository root, run as a user would run it. */
class LauncherTest {

    static final Path ROOT = Path.of(System.getProperty("gridmeter.root", "..")).toAbsolutePath().normalize();

    /** Exit status and combined output of {@code ./gridmeter args...}. */
    record Run(int exitCode, String output) {
    }

    static Run launch(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("gridmeter").toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("launcher finished").isTrue();
        return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    @Test
    void helpListsTheThreeCommands() throws Exception {
        Run run = launch("--help");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("server", "meter", "demo", "--help");
    }

    @Test
    void helpNeedsNoBuild(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        // the launcher alone, with no sources or jars beside it: printing help must not try to build them
        Path launcher = java.nio.file.Files.copy(ROOT.resolve("gridmeter"), dir.resolve("gridmeter"));
        Process process = new ProcessBuilder(launcher.toString(), "--help").directory(dir.toFile())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("Usage: ./gridmeter").doesNotContain("building", "mvn");
        assertThat(dir.resolve("target")).doesNotExist();
    }

    @Test
    void serverHelpPrintsEveryFlagWithItsVariable() throws Exception {
        Run run = launch("server", "--help");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("--udp-port", "GRIDMETER_UDP_PORT", "--closing-day", "GRIDMETER_ZONE");
    }

    @Test
    void meterHelpPrintsEveryFlagWithItsVariable() throws Exception {
        Run run = launch("meter", "--help");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("--ids", "METER_ID", "SERVER_HOST", "--report");
    }

    @Test
    void unknownCommandExitsWith2AndShowsUsage() throws Exception {
        Run run = launch("frobnicate");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.output()).contains("unknown command 'frobnicate'", "Usage: ./gridmeter");
    }
}
