package org.gridmeter.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.math.BigDecimal;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The images, built from docker/Dockerfile and run by a real Docker engine: a server container with
 * a volume, meter containers with client ids and a fleet container, a kill and a restart, and the
 * compose demo. Needs a running engine and a local base image (docker/base-image.sh; .ci/run makes
 * both); skipped, saying what to install, without them. Everything it creates carries the label
 * {@code gridmeter-e2e=<run>} and is removed at the end, and while it runs DOCKER-USER rules keep
 * the containers' traffic off the external interface.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DockerTest {

    private static final String DOCKER = Files.isExecutable(Path.of("/usr/bin/docker")) ? "/usr/bin/docker" : "docker";
    private static final String BASE = System.getenv().getOrDefault("GRIDMETER_DOCKER_BASE",
            "local/gridmeter-base:bookworm-jre17");
    private static final String TOKEN = "docker-e2e-admin-token-0123456789";
    private static final int FLEET_FIRST = 100;
    private static final int FLEET_LAST = 599;

    private final String run = Long.toHexString(System.nanoTime() & 0xFFFFFFFFL);
    private final String label = "gridmeter-e2e=" + run;
    private final String serverImage = "gridmeter-server:e2e-" + run;
    private final String meterImage = "gridmeter-meter:e2e-" + run;
    private final List<List<String>> firewall = new ArrayList<>();
    private final java.util.Set<String> danglingBefore = new java.util.HashSet<>();
    /** Whether the engine, the base image and iptables were there (otherwise the class was skipped). */
    private boolean engine;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** Exit status and combined output of a command. */
    record Result(int exitCode, String output) {
    }

    static Result exec(List<String> command, Map<String, String> env, Duration timeout) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .directory(LauncherTest.ROOT.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("DOCKER_BUILDKIT", "0");
        builder.environment().put("COMPOSE_DOCKER_CLI_BUILD", "0");
        builder.environment().putAll(env);
        Process p = builder.start();
        Path out = Files.createTempFile("docker-e2e", ".out");
        try {
            Thread copier = new Thread(() -> {
                try {
                    Files.copy(p.getInputStream(), out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                } catch (java.io.IOException ignored) {
                    // the process ended
                }
            });
            copier.start();
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out after " + timeout + ": " + command);
            }
            copier.join(5000);
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static Result docker(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(DOCKER));
        command.addAll(List.of(args));
        return exec(command, Map.of(), Duration.ofMinutes(3));
    }

    /** {@code docker args...}, which must succeed; its output, trimmed. */
    private static String ok(String... args) throws Exception {
        Result r = docker(args);
        assertThat(r.exitCode()).as("docker %s: %s", String.join(" ", args), r.output()).isZero();
        return r.output().trim();
    }

    @BeforeAll
    void engineBaseImageAndFirewall() throws Exception {
        Result info;
        try {
            info = docker("info", "--format", "{{.ServerVersion}}");
        } catch (java.io.IOException e) {
            info = new Result(127, e.getMessage()); // no docker client at all
        }
        Assumptions.assumeTrue(info.exitCode() == 0, "no Docker engine answers: apt-get install -y docker.io "
                + "docker-compose mmdebstrap, start /usr/sbin/dockerd, then docker/base-image.sh (.ci/run does all "
                + "of it)");
        Assumptions.assumeTrue(docker("image", "inspect", BASE).exitCode() == 0, "no base image " + BASE
                + ": run docker/base-image.sh (needs mmdebstrap), or set GRIDMETER_DOCKER_BASE to a local image "
                + "with a Java 17 runtime");
        Assumptions.assumeTrue(exec(List.of("iptables", "-L", "DOCKER-USER", "-n"), Map.of(), Duration.ofSeconds(30))
                .exitCode() == 0, "iptables cannot list the DOCKER-USER chain: apt-get install -y iptables, run as root");
        // keep every container's traffic on this machine: nothing in or out through the external interface
        Result route = exec(List.of("ip", "route", "show", "default"), Map.of(), Duration.ofSeconds(30));
        java.util.regex.Matcher dev = java.util.regex.Pattern.compile("\\bdev (\\S+)").matcher(route.output());
        if (dev.find()) {
            for (String direction : List.of("-i", "-o")) {
                List<String> rule = List.of("DOCKER-USER", direction, dev.group(1), "-m", "comment", "--comment",
                        label, "-j", "DROP");
                List<String> insert = new ArrayList<>(List.of("iptables", "-I"));
                insert.addAll(rule);
                assertThat(exec(insert, Map.of(), Duration.ofSeconds(30)).exitCode()).isZero();
                firewall.add(rule);
            }
        }
        engine = true;
        danglingBefore.addAll(ids("image", "ls", "-aq", "--filter", "dangling=true"));
        for (String target : List.of("server", "meter")) {
            ok("build", "-q", "-f", "docker/Dockerfile", "--build-arg", "BUILD_IMAGE=" + BASE, "--build-arg",
                    "RUNTIME_IMAGE=" + BASE, "--build-arg", "JARS=host", "--label", label, "--target", target,
                    "-t", target.equals("server") ? serverImage : meterImage, ".");
        }
    }

    @AfterAll
    void removeWhatTheTestCreated() throws Exception {
        if (!engine) {
            return;
        }
        for (String id : ids("container", "ls", "-aq", "--filter", "label=" + label)) {
            docker("container", "rm", "-f", id);
        }
        for (String id : ids("network", "ls", "-q", "--filter", "label=" + label)) {
            docker("network", "rm", id);
        }
        for (String id : ids("volume", "ls", "-q", "--filter", "label=" + label)) {
            docker("volume", "rm", "-f", id);
        }
        docker("image", "rm", "-f", serverImage, meterImage);
        // the legacy builder keeps each build stage as an untagged image: remove the ones our builds left
        for (String id : ids("image", "ls", "-aq", "--filter", "dangling=true")) {
            if (!danglingBefore.contains(id)) {
                docker("image", "rm", "-f", id);
            }
        }
        for (List<String> rule : firewall) {
            List<String> delete = new ArrayList<>(List.of("iptables", "-D"));
            delete.addAll(rule);
            exec(delete, Map.of(), Duration.ofSeconds(30));
        }
    }

    /** The ids {@code docker args...} lists, one per line. */
    private static List<String> ids(String... args) throws Exception {
        String out = docker(args).output().trim();
        return out.isEmpty() ? List.of() : List.of(out.split("\\s+"));
    }

    private String container(String name) {
        return "gm-e2e-" + run + "-" + name;
    }

    /** The host address a container's published port landed on, e.g. {@code 127.0.0.1:49153}. */
    private String published(String container, String port) throws Exception {
        return ok("port", container, port).lines().findFirst().orElseThrow();
    }

    private void awaitHealthy(String container) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() ->
                docker("inspect", "-f", "{{.State.Health.Status}}", container).output().trim().equals("healthy"));
    }

    private JsonNode get(String base, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + base + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s -> %s", path, r.body()).isEqualTo(200);
        return new ObjectMapper().readTree(r.body());
    }

    private void register(String base, long id) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + base + "/usuario/cadastro/"))
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"id\": " + id + ", \"nome\": \"m" + id + "\", \"endereco\": \"rua " + id + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    /** Every user's {@code consumo_total_kwh}, by id. */
    private Map<Long, BigDecimal> totals(String base) throws Exception {
        Map<Long, BigDecimal> totals = new HashMap<>();
        for (JsonNode user : get(base, "/usuario/").get("usuarios")) {
            totals.put(user.get("id").asLong(), user.get("consumo_total_kwh").decimalValue());
        }
        return totals;
    }

    @Test
    void meterContainersAndAFleetAreStoredExactlyAcrossAKilledServer(@TempDir Path reports) throws Exception {
        String network = container("net");
        ok("network", "create", "--label", label, network);
        String volume = container("data");
        ok("volume", "create", "--label", label, volume);
        String server = container("server");
        ok("run", "-d", "--name", server, "--label", label, "--network", network, "--network-alias", "server",
                "-v", volume + ":/data", "-p", "127.0.0.1::18000/udp", "-p", "127.0.0.1::15000/tcp",
                "-e", "GRIDMETER_ADMIN_TOKEN=" + TOKEN, serverImage);
        awaitHealthy(server);
        String api = published(server, "15000/tcp");
        for (long id = 1; id <= 3; id++) {
            register(api, id);
        }
        for (long id = FLEET_FIRST; id <= FLEET_LAST; id++) {
            register(api, id);
        }

        // three students' meters with their client ids, and a fleet of 500 in one container: a reading a
        // second each, 60 of them, kept until acknowledged
        List<String> meters = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            meters.add(container("meter" + id));
            ok("run", "-d", "--name", container("meter" + id), "--label", label, "--network", network,
                    "-v", reports + ":/out", "-e", "METER_ID=" + id, "-e", "SERVER_HOST=server", meterImage,
                    "--interval", "1s", "--count", "60", "--seed", Integer.toString(id), "--report",
                    "/out/meter-" + id + ".json");
        }
        meters.add(container("fleet"));
        ok("run", "-d", "--name", container("fleet"), "--label", label, "--network", network, "-v", reports + ":/out",
                "-e", "METER_IDS=" + FLEET_FIRST + "-" + FLEET_LAST, "-e", "SERVER_HOST=server", meterImage,
                "--interval", "1s", "--count", "60", "--seed", "7", "--report", "/out/fleet.json");
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            Map<Long, BigDecimal> t = totals(api);
            return t.get(1L).signum() > 0 && t.get(2L).signum() > 0 && t.get(3L).signum() > 0
                    && t.get((long) FLEET_LAST).signum() > 0;
        });
        await().atMost(Duration.ofSeconds(60)).until(() -> get(api, "/saude").get("leituras_armazenadas").asLong()
                > 10 * (3 + FLEET_LAST - FLEET_FIRST + 1));

        Map<Long, BigDecimal> beforeKill = totals(api);
        ok("kill", server); // SIGKILL: no shutdown, no last commit
        ok("start", server);
        awaitHealthy(server);
        String apiAfter = published(server, "15000/tcp"); // a restart may publish on other host ports
        Map<Long, BigDecimal> afterRestart = totals(apiAfter);
        for (Map.Entry<Long, BigDecimal> e : beforeKill.entrySet()) {
            assertThat(afterRestart.get(e.getKey())).as("user %d: what was committed before the kill", e.getKey())
                    .isGreaterThanOrEqualTo(e.getValue());
        }

        for (String meter : meters) {
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> ok("inspect", "-f", "{{.State.Running}}", meter).equals("false"));
            assertThat(ok("inspect", "-f", "{{.State.ExitCode}}", meter)).as("%s: %s", meter,
                    docker("logs", meter).output()).isEqualTo("0");
        }
        Map<Long, BigDecimal> end = totals(apiAfter);
        List<Path> files = List.of(reports.resolve("meter-1.json"), reports.resolve("meter-2.json"),
                reports.resolve("meter-3.json"), reports.resolve("fleet.json"));
        int checked = 0;
        for (Path file : files) {
            for (var entry : (Iterable<Map.Entry<String, JsonNode>>) new ObjectMapper().readTree(file.toFile())::fields) {
                JsonNode meter = entry.getValue();
                assertThat(meter.get("acked").asLong()).as("meter %s: its backlog drained", entry.getKey())
                        .isEqualTo(meter.get("sent").asLong()).isEqualTo(60);
                assertThat(end.get(Long.parseLong(entry.getKey()))).as("meter %s: the server's total", entry.getKey())
                        .isEqualByComparingTo(meter.get("kwh").decimalValue());
                checked++;
            }
        }
        assertThat(checked).isEqualTo(3 + FLEET_LAST - FLEET_FIRST + 1);
    }

    @Test
    void aMeterContainerWithoutAnIdSaysWhatToSetInOneLine() throws Exception {
        Result r = docker("run", "--rm", "--label", label, meterImage);

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.output().strip().lines()).singleElement().asString().contains("set METER_ID");
    }

    @Test
    void composeGivesAWorkingDemoAndDownLeavesNothing() throws Exception {
        Assumptions.assumeTrue(exec(List.of("docker-compose", "version"), Map.of(), Duration.ofSeconds(30))
                .exitCode() == 0, "docker-compose not found: apt-get install -y docker-compose");
        int udp;
        int tcp;
        try (DatagramSocket u = new DatagramSocket(0); ServerSocket t = new ServerSocket(0)) {
            udp = u.getLocalPort();
            tcp = t.getLocalPort();
        }
        String project = "gme2e" + run;
        Map<String, String> env = Map.of("GRIDMETER_BUILD_IMAGE", BASE, "GRIDMETER_RUNTIME_IMAGE", BASE,
                "GRIDMETER_JARS", "host", "GRIDMETER_TAG", "e2e-" + run + "-compose",
                "GRIDMETER_UDP_PORT", Integer.toString(udp), "GRIDMETER_HTTP_PORT", Integer.toString(tcp),
                "PATH", "/usr/bin:" + System.getenv("PATH"));
        List<String> compose = List.of("docker-compose", "-p", project, "-f", "docker/compose.yaml");
        try {
            List<String> up = new ArrayList<>(compose);
            up.addAll(List.of("up", "-d", "--build"));
            Result started = exec(up, env, Duration.ofMinutes(4));
            assertThat(started.exitCode()).as(started.output()).isZero();

            String api = "127.0.0.1:" + tcp;
            assertThat(get(api, "/saude").get("status").asText()).as("the HTTP port is published").isEqualTo("ok");
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                for (long id = 1; id <= 3; id++) {
                    JsonNode user = http.send(HttpRequest.newBuilder(URI.create("http://" + api + "/usuario/?id=" + id))
                            .build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200
                            ? get(api, "/usuario/?id=" + id) : null;
                    if (user == null || user.get("ultima_leitura").isNull()) {
                        return false;
                    }
                }
                return true;
            });
        } finally {
            List<String> down = new ArrayList<>(compose);
            down.addAll(List.of("down", "-v", "--rmi", "all"));
            Result stopped = exec(down, env, Duration.ofMinutes(3));
            assertThat(stopped.exitCode()).as(stopped.output()).isZero();
        }
        String projectLabel = "label=com.docker.compose.project=" + project;
        assertThat(ok("ps", "-aq", "--filter", projectLabel)).as("no container left").isEmpty();
        assertThat(ok("volume", "ls", "-q", "--filter", projectLabel)).as("no volume left").isEmpty();
        assertThat(ok("network", "ls", "-q", "--filter", projectLabel)).as("no network left").isEmpty();
        assertThat(ok("image", "ls", "-q", "--filter", "reference=gridmeter-*:e2e-" + run + "-compose"))
                .as("no image left").isEmpty();
    }
}
