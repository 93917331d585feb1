package org.gridmeter.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Collects what a process prints, line by line, as it prints it, for tests that wait on its output. */
final class ProcessLines {

    private ProcessLines() {
    }

    /** Reads {@code process}'s output into {@code lines} (thread-safe list) on a daemon thread until it ends. */
    static void follow(Process process, List<String> lines) {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "process-lines");
        reader.setDaemon(true);
        reader.start();
    }
}
