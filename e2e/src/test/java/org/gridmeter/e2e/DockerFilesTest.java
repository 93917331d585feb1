package org.gridmeter.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile and compose file read as text, without an engine: what they copy exists, the ports
 * and variables are the documented ones and the programs know them. {@link DockerTest} builds and
 * runs them with a real engine; CI also runs {@code docker-compose config -q}.
 */
class DockerFilesTest {

    private static final Path DOCKERFILE = LauncherTest.ROOT.resolve("docker/Dockerfile");
    private static String serverHelp;
    private static String meterHelp;

    /** A build stage: its name and its instructions, continuation lines joined. */
    record Stage(String name, List<String> instructions) {
    }

    @BeforeAll
    static void helps() throws Exception {
        serverHelp = LauncherTest.launch("server", "--help").output();
        meterHelp = LauncherTest.launch("meter", "--help").output();
    }

    static Map<String, Stage> stages() throws Exception {
        Map<String, Stage> stages = new LinkedHashMap<>();
        Stage current = null;
        String text = Files.readString(DOCKERFILE).replaceAll("\\\\\\n\\s*", " ");
        for (String line : text.split("\n")) {
            String l = line.trim();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            Matcher from = Pattern.compile("FROM \\S+ AS (\\S+)").matcher(l);
            if (from.matches()) {
                current = new Stage(from.group(1), new ArrayList<>());
                stages.put(current.name(), current);
            } else if (current != null) {
                current.instructions().add(l);
            }
        }
        return stages;
    }

    @Test
    void everyPathTheBuildCopiesExists() throws Exception {
        List<String> sources = new ArrayList<>();
        for (Stage stage : stages().values()) {
            for (String i : stage.instructions()) {
                if (i.startsWith("COPY ") && !i.contains("--from=")) {
                    String[] parts = i.split("\\s+");
                    for (int p = 1; p < parts.length - 1; p++) {
                        if (!parts[p].contains("[")) { // a pattern (host-built jars) may match nothing
                            sources.add(parts[p]);
                        }
                    }
                }
            }
        }
        assertThat(sources).contains("pom.xml", "server/src", "meter-simulator/src", "protocol/src");
        for (String source : sources) {
            assertThat(LauncherTest.ROOT.resolve(source)).as("COPY %s", source).exists();
        }
        for (String module : List.of("protocol", "server", "meter-simulator", "bench", "e2e")) {
            assertThat(sources).as("the reactor needs every module's POM").contains(module + "/pom.xml");
        }
    }

    @Test
    void serverImageExposesTheContractsPortsAndKnownVariables() throws Exception {
        Stage server = stages().get("server");
        assertThat(server.instructions()).contains("EXPOSE 18000/udp 15000/tcp");
        for (String variable : envNames(server)) {
            assertThat(variable).startsWith("GRIDMETER_");
            assertThat(serverHelp).as("the server knows %s", variable).contains(variable);
        }
        assertThat(String.join("\n", server.instructions())).contains("GRIDMETER_DATA_DIR=/data", "VOLUME [\"/data\"]",
                "ENTRYPOINT [\"java\", \"-jar\", \"/app/gridmeter-server.jar\"]", "HEALTHCHECK");
    }

    @Test
    void meterImageUsesTheMetersVariables() throws Exception {
        Stage meter = stages().get("meter");
        for (String variable : envNames(meter)) {
            assertThat(meterHelp).as("the meter knows %s", variable).contains(variable);
        }
        assertThat(String.join("\n", meter.instructions()))
                .contains("ENTRYPOINT [\"java\", \"-jar\", \"/app/gridmeter-meter.jar\"]");
    }

    @Test
    void composeRunsTheServerAndThreeMetersOnTheContractsPorts() throws Exception {
        JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(LauncherTest.ROOT.resolve("docker/compose.yaml")
                .toFile());
        JsonNode services = compose.get("services");
        JsonNode server = services.get("server");
        assertThat(server.get("ports")).extracting(JsonNode::asText)
                .containsExactlyInAnyOrder("${GRIDMETER_UDP_PORT:-18000}:18000/udp",
                        "${GRIDMETER_HTTP_PORT:-15000}:15000/tcp");
        assertThat(server.get("volumes").get(0).asText()).endsWith(":" + server.get("environment")
                .get("GRIDMETER_DATA_DIR").asText());
        assertThat(server.get("healthcheck").get("test").toString()).contains("HealthCheck");
        assertThat(server.get("build").get("dockerfile").asText()).isEqualTo("docker/Dockerfile");
        assertThat(server.get("build").get("args").fieldNames()).toIterable()
                .containsExactlyInAnyOrder("BUILD_IMAGE", "RUNTIME_IMAGE", "JARS");
        assertThat(services.get("setup").get("command").toString()).as("the demo registers users 1-3")
                .contains("\"1\"", "\"3\"");
        server.get("environment").fieldNames().forEachRemaining(v -> assertThat(serverHelp).contains(v));
        List<String> meterIds = new ArrayList<>();
        for (String name : List.of("meter1", "meter2", "meter3")) {
            JsonNode env = services.get(name).get("environment");
            meterIds.add(env.get("METER_ID").asText());
            assertThat(env.get("SERVER_HOST").asText()).isEqualTo("server");
            assertThat(env.get("SERVER_PORT").asText()).isEqualTo("18000");
            env.fieldNames().forEachRemaining(v -> assertThat(meterHelp).contains(v));
        }
        assertThat(meterIds).containsExactly("1", "2", "3");
    }

    private static List<String> envNames(Stage stage) {
        List<String> names = new ArrayList<>();
        for (String i : stage.instructions()) {
            if (i.startsWith("ENV ")) {
                Matcher m = Pattern.compile("(\\w+)=").matcher(i.substring(4));
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        assertThat(names).isNotEmpty();
        return names;
    }
}
