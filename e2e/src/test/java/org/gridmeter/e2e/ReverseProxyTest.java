package org.gridmeter.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reverse-proxy example of docs/security.md, as written (docs/proxy/nginx-gridmeter.conf with its
 * placeholders filled): Debian's nginx in front of the real server, TLS with a certificate made for
 * the test, the API through it, and an event stream that arrives frame by frame (not buffered).
 */
class ReverseProxyTest {

    private static final Path NGINX = Path.of("/usr/sbin/nginx");

    @TempDir
    Path dir;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void theDocumentedNginxConfigurationServesTheApiAndStreamsOverTls() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(NGINX), "the reverse-proxy test needs nginx: apt-get install -y nginx");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-keyout", key.toString(),
                "-out", cert.toString()).redirectErrorStream(true).start();
        openssl.getInputStream().readAllBytes();
        assertThat(openssl.waitFor()).as("openssl made a certificate").isZero();

        // behind a proxy every client is the proxy: the server's per-address limits are raised, nginx limits per client
        try (ServerProcess server = ServerProcess.start(dir.resolve("data"), "--http-rate", "100000",
                "--max-streams-per-client", "1000")) {
            server.register(1);
            int https = freePort();
            String site = Files.readString(LauncherTest.ROOT.resolve("docs/proxy/nginx-gridmeter.conf"))
                    .replace("__GRIDMETER_HOST_PORT__", "127.0.0.1:" + server.httpPort)
                    .replace("__HTTPS_PORT__", "127.0.0.1:" + https).replace("__SERVER_NAME__", "localhost")
                    .replace("__CERT__", cert.toString()).replace("__KEY__", key.toString());
            assertThat(site).doesNotContain("__");
            Files.writeString(dir.resolve("gridmeter.conf"), site);
            Path tmp = Files.createDirectories(dir.resolve("nginx-tmp"));
            Files.writeString(dir.resolve("nginx.conf"), String.join("\n",
                    "user root;", "daemon off;", "worker_processes 1;", "pid " + dir.resolve("nginx.pid") + ";",
                    "error_log " + dir.resolve("nginx-error.log") + ";", "events {}", "http {",
                    "  access_log off;", "  client_body_temp_path " + tmp + "/body;",
                    "  proxy_temp_path " + tmp + "/proxy;", "  fastcgi_temp_path " + tmp + "/fastcgi;",
                    "  uwsgi_temp_path " + tmp + "/uwsgi;", "  scgi_temp_path " + tmp + "/scgi;",
                    "  include " + dir.resolve("gridmeter.conf") + ";", "}", ""));
            Process nginx = new ProcessBuilder(NGINX.toString(), "-c", dir.resolve("nginx.conf").toString(),
                    "-p", dir.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile())
                    .start();
            try {
                HttpClient client = HttpClient.newBuilder().sslContext(trusting(cert))
                        .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
                URI base = URI.create("https://localhost:" + https);
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> client.send(
                        HttpRequest.newBuilder(base.resolve("/saude")).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode() == 200);

                HttpResponse<String> user = client.send(HttpRequest.newBuilder(base.resolve("/usuario/?id=1")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(user.statusCode()).isEqualTo(200);
                assertThat(user.body()).contains("\"id\":1");
                HttpResponse<String> page = client.send(HttpRequest.newBuilder(base.resolve("/")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(page.headers().firstValue("content-security-policy")).isPresent();

                List<String> lines = new CopyOnWriteArrayList<>();
                HttpResponse<InputStream> stream = client.send(HttpRequest.newBuilder(base.resolve(
                        "/tempo-real/resumo")).build(), HttpResponse.BodyHandlers.ofInputStream());
                assertThat(stream.statusCode()).isEqualTo(200);
                Thread reader = new Thread(() -> {
                    try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(stream.body()))) {
                        for (String line = in.readLine(); line != null; line = in.readLine()) {
                            lines.add(line);
                        }
                    } catch (Exception closed) {
                        // the test ended
                    }
                });
                reader.setDaemon(true);
                reader.start();
                await().atMost(Duration.ofSeconds(6)).until(() -> lines.stream()
                        .filter(l -> l.equals("event: resumo")).count() >= 3); // one a second: nothing held back
                stream.body().close();
            } finally {
                nginx.destroy();
                nginx.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static SSLContext trusting(Path cert) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            store.setCertificateEntry("test", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
