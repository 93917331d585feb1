package org.gridmeter.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./gridmeter demo}, as a person runs it: it starts, its curl lines answer, Ctrl-C stops it all. */
class DemoTest {

    private static final Pattern CURL_GET = Pattern.compile("^\\s+curl -s '?(http://localhost:\\d+/[^' ]*)'?$");

    @TempDir
    Path dir;

    @Test
    void demoStartsAnswersItsCurlLinesAndStopsCleanlyOnCtrlC() throws Exception {
        int udp;
        int http;
        try (DatagramSocket u = new DatagramSocket(0); ServerSocket t = new ServerSocket(0)) {
            udp = u.getLocalPort();
            http = t.getLocalPort();
        }
        ProcessBuilder builder = new ProcessBuilder(LauncherTest.ROOT.resolve("gridmeter").toString(), "demo")
                .directory(LauncherTest.ROOT.toFile()).redirectErrorStream(true);
        builder.environment().put("GRIDMETER_UDP_PORT", Integer.toString(udp));
        builder.environment().put("GRIDMETER_HTTP_PORT", Integer.toString(http));
        builder.environment().put("GRIDMETER_DATA_DIR", dir.toString());
        Process demo = builder.start();
        List<String> output = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(demo.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    output.add(line);
                }
            } catch (java.io.IOException ignored) {
                // the demo ended
            }
        });
        reader.start();
        try {
            await().atMost(Duration.ofMinutes(3)).until(() -> output.stream().anyMatch(l -> l.contains("Ctrl-C")));
            List<ProcessHandle> children = new ArrayList<>(demo.descendants().toList());
            assertThat(children).as("the server and two meter processes").hasSizeGreaterThanOrEqualTo(3);

            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<String> urls = new ArrayList<>();
            for (String line : output) {
                Matcher m = CURL_GET.matcher(line);
                if (m.matches()) {
                    urls.add(m.group(1));
                }
            }
            assertThat(urls).hasSizeGreaterThanOrEqualTo(8);
            for (String url : urls) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(url + " -> " + r.body()).isEqualTo(200);
            }
            URI user1 = URI.create("http://localhost:" + http + "/usuario/?id=1");
            await().atMost(Duration.ofSeconds(30)).until(() -> client.send(HttpRequest.newBuilder(user1).build(),
                    HttpResponse.BodyHandlers.ofString()).body().contains("\"online\":true"));

            new ProcessBuilder("kill", "-INT", Long.toString(demo.pid())).start().waitFor(10, TimeUnit.SECONDS);

            assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as("demo stopped: %s", output).isTrue();
            assertThat(demo.exitValue()).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> children.stream().noneMatch(ProcessHandle::isAlive));
            assertThat(output).anyMatch(l -> l.contains("stopped"));
        } finally {
            demo.descendants().forEach(ProcessHandle::destroyForcibly);
            demo.destroyForcibly();
        }
    }
}
