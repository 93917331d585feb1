package org.gridmeter.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The README and docs/ say what the programs do: their links resolve and their flag tables match --help. */
class DocsTest {

    private static final Pattern LINK = Pattern.compile("\\]\\(([^)#:]+)(#[^)]*)?\\)");
    private static final Pattern FLAG = Pattern.compile("--[a-z][a-z-]+");

    private static List<Path> pages() throws Exception {
        List<Path> pages = new ArrayList<>(List.of(LauncherTest.ROOT.resolve("README.md"),
                LauncherTest.ROOT.resolve("protocol/PROTOCOL.md")));
        try (Stream<Path> docs = Files.list(LauncherTest.ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).forEach(pages::add);
        }
        return pages;
    }

    @Test
    void everyRelativeLinkPointsAtAFileThatExists() throws Exception {
        for (Path page : pages()) {
            Matcher m = LINK.matcher(Files.readString(page));
            while (m.find()) {
                assertThat(page.getParent().resolve(m.group(1))).as("%s links to %s", page, m.group(1)).exists();
            }
        }
    }

    @Test
    void theMeterFlagTableListsExactlyTheFlagsOfMeterHelp() throws Exception {
        String help = MeterSimulatorTest.runMeter(List.of("--help"));
        Set<String> inHelp = flags(help);
        inHelp.removeAll(Set.of("--help", "--version"));
        String running = Files.readString(LauncherTest.ROOT.resolve("docs/running.md"));
        String table = running.substring(running.indexOf("| flag | env | default | meaning |"),
                running.indexOf("**Reliability.**"));

        assertThat(flags(table)).isEqualTo(inHelp);
    }

    @Test
    void everyServerFlagTheDocsNameExists() throws Exception {
        String help = LauncherTest.launch("server", "--help").output();
        Set<String> documented = new TreeSet<>();
        for (Path page : pages()) {
            String text = Files.readString(page);
            Matcher server = Pattern.compile("`(--[a-z][a-z-]+)`").matcher(text);
            while (server.find()) {
                documented.add(server.group(1));
            }
        }
        Set<String> known = flags(help);
        known.addAll(flags(MeterSimulatorTest.runMeter(List.of("--help"))));
        known.addAll(Set.of("--fast")); // the demo's own flag (./gridmeter demo --help)

        assertThat(known).containsAll(documented);
    }

    private static Set<String> flags(String text) {
        Set<String> flags = new TreeSet<>();
        Matcher m = FLAG.matcher(text);
        while (m.find()) {
            flags.add(m.group());
        }
        return flags;
    }
}
