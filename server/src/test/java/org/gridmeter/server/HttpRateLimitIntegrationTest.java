package org.gridmeter.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --http-rate} and {@code --max-streams-per-client} against the real server, with clients on
 * different loopback addresses (127.0.0.1, 127.0.0.2, ...): the one hammering gets 429 with
 * Retry-After, the others are answered as before.
 */
class HttpRateLimitIntegrationTest {

    @TempDir
    Path dir;

    @Test
    void aClientHammeringGets429WhileOthersAreAnsweredQuickly() throws Exception {
        try (TestServer server = TestServer.start(dir, "--http-rate", "200")) {
            InetSocketAddress http = server.server.httpAddress();
            AtomicBoolean hammering = new AtomicBoolean(true);
            AtomicInteger limited = new AtomicInteger();
            AtomicInteger answered = new AtomicInteger();
            List<String> retryAfter = Collections.synchronizedList(new ArrayList<>());
            Thread hammer = new Thread(() -> {
                try (RawHttp client = new RawHttp(http, "127.0.0.1")) {
                    while (hammering.get()) {
                        RawHttp.Reply reply = client.write(RawHttp.get("/saude")).read();
                        if (reply.status() == 429) {
                            limited.incrementAndGet();
                            retryAfter.add(reply.headers().get("retry-after"));
                        } else {
                            answered.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            hammer.start();
            // the others are measured while the hammering client is being refused
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> limited.get() > 0);

            List<Long> others = new ArrayList<>();
            for (int round = 0; round < 40; round++) { // four other clients, each well under the rate
                for (String address : List.of("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5")) {
                    try (RawHttp client = new RawHttp(http, address)) {
                        long start = System.nanoTime();
                        RawHttp.Reply reply = client.write(RawHttp.get("/usuario/")).read();
                        others.add(System.nanoTime() - start);
                        assertThat(reply.status()).as(address).isEqualTo(200);
                    }
                }
            }
            hammering.set(false);
            hammer.join();

            assertThat(limited.get()).as("the hammering client was limited").isPositive();
            assertThat(answered.get()).as("... after its burst of 200").isGreaterThanOrEqualTo(200);
            assertThat(retryAfter).allMatch(v -> v != null && Long.parseLong(v) >= 1);
            Collections.sort(others);
            long p99 = others.get((int) Math.ceil(others.size() * 0.99) - 1);
            assertThat(p99 / 1_000_000).as("the other clients' p99, ms").isLessThan(50);

            RawHttp.Reply body = new RawHttp(http, "127.0.0.1").write(RawHttp.get("/saude")).read();
            if (body.status() == 429) {
                assertThat(TestServer.json(body.body()).get("erro").asText()).isEqualTo("muitas_requisicoes");
                assertThat(TestServer.json(body.body()).get("mensagem").asText()).contains("--http-rate");
            }
        }
    }

    @Test
    void eventStreamsPerClientAreCapped() throws Exception {
        try (TestServer server = TestServer.start(dir, "--max-streams-per-client", "2")) {
            InetSocketAddress http = server.server.httpAddress();
            try (RawHttp first = new RawHttp(http, "127.0.0.1"); RawHttp second = new RawHttp(http, "127.0.0.1");
                    RawHttp third = new RawHttp(http, "127.0.0.1"); RawHttp other = new RawHttp(http, "127.0.0.2")) {
                first.write(RawHttp.get("/tempo-real/resumo"));
                second.write(RawHttp.get("/usuario/tempo-real/"));
                assertThat(first.read().status()).isEqualTo(200);
                assertThat(second.read().status()).isEqualTo(200);
                RawHttp.Reply refused = third.write(RawHttp.get("/tempo-real/resumo")).read();
                assertThat(refused.status()).isEqualTo(429);
                assertThat(TestServer.json(refused.body()).get("erro").asText()).isEqualTo("muitos_fluxos");
                assertThat(refused.headers()).containsKey("retry-after");
                assertThat(other.write(RawHttp.get("/tempo-real/resumo")).read().status())
                        .as("another address is not affected").isEqualTo(200);

                first.close(); // a stream closed makes room for another
                org.awaitility.Awaitility.await().until(() -> {
                    try (RawHttp again = new RawHttp(http, "127.0.0.1")) {
                        return again.write(RawHttp.get("/tempo-real/resumo")).read().status() == 200;
                    }
                });
            }
        }
    }
}
