package org.gridmeter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.gridmeter.protocol.Reading;
import org.gridmeter.server.store.SqlStore;
import org.gridmeter.server.users.User;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The dashboard in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver})
 * against the real server: the pages load with no console error, what a datagram does shows within
 * 2 s, a rejected datagram shows with its reason, and the fleet page stays small and quick with
 * 10,000 meters. Screenshots at 1366×768 go to {@code target/screenshots/} (the latest are kept in
 * docs/img/).
 */
class DashboardBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Duration TWO_SECONDS = Duration.ofSeconds(2);

    private static ChromeDriver browser;
    private static Path profile;

    @TempDir
    Path dir;
    private TestServer server;

    @BeforeAll
    static void openBrowser() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
                "the browser tests need Chromium and its WebDriver: apt-get install -y chromium chromium-driver");
        profile = Files.createTempDirectory("gridmeter-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1366,768", "--hide-scrollbars", "--lang=pt-BR", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
        // a 1366×768 page (a projector's), whatever the browser's own frame takes
        long frameWidth = ((Number) js("return window.outerWidth - window.innerWidth")).longValue();
        long frameHeight = ((Number) js("return window.outerHeight - window.innerHeight")).longValue();
        browser.manage().window().setSize(new Dimension(1366 + (int) frameWidth, 768 + (int) frameHeight));
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void closeBrowser() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @AfterEach
    void stopServer() {
        if (browser != null) {
            browser.get("about:blank"); // closes the page's event streams before the server goes
            consoleErrors(); // and forgets what it logged
        }
        if (server != null) {
            server.close();
        }
    }

    private void open(String pathAndQuery) {
        browser.get(server.uri(pathAndQuery).toString());
        await().atMost(Duration.ofSeconds(10)).until(() -> "1".equals(js("return document.body.dataset.pronto")));
    }

    /** What the page logged at error level since the last call (CSP violations and failed loads included). */
    private static List<String> consoleErrors() {
        return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).map(LogEntry::getMessage).toList();
    }

    private static Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    private static void screenshot(String name) throws IOException {
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    private void registerNamed(long id, String nome) {
        String body = "{\"id\": " + id + ", \"nome\": " + TestServer.JSON.valueToTree(nome) + ", \"endereco\": \"Rua "
                + id + ", Recife\"}";
        assertThat(server.post("/usuario/cadastro/", body, TestServer.TOKEN).statusCode()).isEqualTo(201);
    }

    private static Reading at(long seq, long secondsBeforeNow, long mwh, int watts) {
        return new Reading(seq, TestServer.NOW - secondsBeforeNow * 1000, mwh, watts);
    }

    /**
     * The rendered text of the first element {@code css} selects, or "" if none: read in one step
     * in the page, as the pages replace their rows and fields while they update.
     */
    private static String text(String css) {
        Object text = js("const e = document.querySelector(arguments[0]); return e ? e.innerText : null;", css);
        return text == null ? "" : text.toString();
    }

    private static String row(long id) {
        return text("#medidores tr[data-id='" + id + "']");
    }

    private static int count(String css) {
        return ((Number) js("return document.querySelectorAll(arguments[0]).length;", css)).intValue();
    }

    @Test
    void theFleetPageShowsADatagramAndAnAlertWithinTwoSecondsAndRendersNamesAsText() throws Exception {
        server = TestServer.start(dir);
        registerNamed(1, "<b>Ana</b> & Cia");
        registerNamed(2, "Bruno");
        open("/");
        assertThat(text("#medidores tr[data-id='1'] td:nth-child(2)")).isEqualTo("<b>Ana</b> & Cia");
        assertThat(count("#medidores b")).isZero();

        long sent = System.nanoTime();
        server.send(1, at(0, 30, 1_500_000, 1200), at(1, 20, 2_500_000, 1300));
        await().atMost(TWO_SECONDS).until(() -> row(1).contains("2,5 kWh") && row(1).contains("1,3 kW"));
        await().atMost(TWO_SECONDS.minusNanos(System.nanoTime() - sent)).until(() -> Double.parseDouble(
                String.valueOf(js("return document.getElementById('grafico-fluxo').dataset.maximoRecebidos || '0'")))
                > 0);
        assertThat(row(1)).contains("online");

        // 15 minutes at 1 kW, then a minute of 120 kW: the last 15 minutes' average passes 5 kW
        List<Reading> build = new ArrayList<>();
        for (int m = 0; m <= 15; m++) {
            build.add(at(m, (16 - m) * 60L, m * 16_667L, 1000));
        }
        server.sendAll(2, build);
        assertThat(count("#alertas li[data-medidor='2']")).isZero();
        long raised = System.nanoTime();
        server.send(2, at(16, 0, 15 * 16_667L + 2_000_000, 120_000));
        await().atMost(TWO_SECONDS).until(() -> count("#alertas li[data-medidor='2'][data-tipo='excesso']") > 0);
        assertThat(Duration.ofNanos(System.nanoTime() - raised)).isLessThan(TWO_SECONDS);
        assertThat(text("#alertas li[data-medidor='2']"))
                .contains("Consumo excessivo").contains("A potência média").contains("5 kW");
        assertThat(consoleErrors()).isEmpty();
    }

    @Test
    void theUserPageStreamsPowerAndShowsTheNetworkInvoicesAndAlerts() throws Exception {
        server = TestServer.start(dir);
        registerNamed(1, "Ana Souza");
        List<Reading> history = new ArrayList<>();
        long energy = 0;
        long seq = 0;
        // a day of readings every 10 minutes, power rising in the evening
        for (long s = 24 * 3600; s > 15 * 60; s -= 600) {
            int watts = 300 + (int) (900 * Math.max(0, Math.sin((24 * 3600 - s) / 86400.0 * Math.PI * 2)));
            energy += watts * 600L * 1000 / 3600;
            history.add(at(seq++, s, energy, watts));
        }
        for (long s = 15 * 60 - 10; s >= 20; s -= 10) { // the last 15 minutes, every 10 s
            int watts = 800 + (int) (400 * Math.sin(s / 60.0));
            energy += watts * 10L * 1000 / 3600;
            history.add(at(seq++, s, energy, watts));
        }
        server.sendAll(1, history);
        open("/painel/usuario/?id=1");
        assertThat(browser.getTitle()).isEqualTo("GridMeter — Ana Souza");
        Object points = js("return document.getElementById('grafico-potencia').dataset.pontos");
        assertThat(Integer.parseInt(String.valueOf(points))).isBetween(85, 92);
        assertThat(text("#faturas")).contains("aberta");
        assertThat(text("#rede dd[data-campo='datagramas_recebidos']"))
                .isEqualTo(String.valueOf(history.size() / 48 + (history.size() % 48 == 0 ? 0 : 1)));

        long last = seq;
        long sent = System.nanoTime();
        server.send(1, at(last, 5, energy + 3000, 2345));
        await().atMost(TWO_SECONDS).until(() -> "2345".equals(String.valueOf(
                js("return document.getElementById('grafico-potencia').dataset.ultimaPotencia"))));
        await().atMost(TWO_SECONDS.minusNanos(System.nanoTime() - sent))
                .until(() -> text("#u-potencia").equals("2,35 kW"));
        await().atMost(Duration.ofSeconds(3)).until(() -> text("#rede dd[data-campo='ultima_sequencia']")
                .equals(String.valueOf(last)));
        assertThat(consoleErrors()).isEmpty();
        screenshot("painel-usuario.png");
    }

    @Test
    void underReadAuthThePagesAskForATokenAndWorkWithIt() throws Exception {
        server = TestServer.start(dir, "--read-auth");
        String body = "{\"id\": 1, \"nome\": \"Ana\", \"endereco\": \"Rua 1\"}";
        String anaToken = TestServer.json(server.post("/usuario/cadastro/", body, TestServer.TOKEN))
                .get("token_leitura").asText();
        server.send(1, at(0, 30, 1_000_000, 900));
        server.awaitHandled(1);

        browser.get(server.uri("/").toString());
        await().atMost(Duration.ofSeconds(5)).until(() -> (Boolean) js("return !document.getElementById('form-token').hidden"));
        assertThat(text("#erro")).contains("token de administrador");
        consoleErrors(); // the refusals before the token are expected
        browser.findElement(By.id("token")).sendKeys(TestServer.TOKEN);
        browser.findElement(By.cssSelector("#form-token button")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> "1".equals(js("return document.body.dataset.pronto")));
        assertThat(row(1)).contains("Ana").contains("1 kWh");
        assertThat(js("return document.getElementById('form-token').hidden")).isEqualTo(true);
        assertThat(consoleErrors()).isEmpty();

        js("sessionStorage.clear()"); // a user with their own token sees their own page
        browser.get(server.uri("/painel/usuario/?id=1").toString());
        await().atMost(Duration.ofSeconds(5)).until(() -> (Boolean) js("return !document.getElementById('form-token').hidden"));
        browser.findElement(By.id("token")).sendKeys(anaToken);
        browser.findElement(By.cssSelector("#form-token button")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> "1".equals(js("return document.body.dataset.pronto")));
        assertThat(text("#u-nome")).isEqualTo("Ana");
        await().atMost(Duration.ofSeconds(5)).until(() -> text("#estado").equals("ao vivo"));
    }

    @Test
    void thePageReconnectsByItselfWhenTheServerComesBack() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        server = TestServer.start(dir, "--http-port", Integer.toString(port));
        registerNamed(1, "Ana");
        open("/");
        server.close();
        server = null;
        await().atMost(Duration.ofSeconds(10)).until(() -> !text("#estado").equals("ao vivo"));

        server = TestServer.start(dir, "--http-port", Integer.toString(port)); // the same data, the same address
        server.send(1, at(0, 30, 4_200_000, 500));
        await().atMost(Duration.ofSeconds(15)).until(() -> text("#estado").equals("ao vivo")
                && row(1).contains("4,2 kWh"));
    }

    @Test
    void aRejectedDatagramShowsWithItsReason() throws Exception {
        server = TestServer.start(dir);
        server.register(7);
        open("/painel/datagramas/");
        byte[] good = org.gridmeter.protocol.V1Codec.encodeReadings(new org.gridmeter.protocol.ReadingBatch(7,
                List.of(at(0, 10, 1000, 100)), org.gridmeter.protocol.Integrity.CRC32C, false), null);
        byte[] corrupted = good.clone();
        corrupted[20] ^= 0x01;
        server.send(good);
        server.send(corrupted);
        await().atMost(Duration.ofSeconds(3)).until(() -> count("#datagramas tr[data-motivo='bad_crc']") > 0);
        String refused = text("#datagramas tr[data-motivo='bad_crc']");
        assertThat(refused).contains("rejeitado: bad_crc").contains("CRC-32C");
        assertThat(text("#datagramas tr[data-resultado='aceito']"))
                .contains("seq 0").contains("crc32c");
        assertThat(consoleErrors()).isEmpty();
    }

    @Test
    void withTenThousandMetersTheFleetPageRendersInUnderASecondAndUnder300KB() throws Exception {
        int meters = 10_000;
        try (SqlStore store = SqlStore.open(dir)) {
            for (long id = 1; id <= meters; id++) {
                store.users().insert(new User(id, NAMES[(int) (id % NAMES.length)] + " " + id, "Rua " + id, TestServer.NOW,
                        null));
            }
            store.commit();
        }
        server = TestServer.start(dir);
        for (long id = 1; id <= meters; id++) { // every meter heard once (42 waits for its burst, below)
            if (id != 42) {
                server.send(id, at(0, 30, id * 10, (int) (id % 3000)));
            }
        }
        server.awaitHandled(meters - 1);

        open("/");
        double ready = ((Number) js("return performance.getEntriesByName('gridmeter:pronto')[0].startTime")).doubleValue();
        long bytes = ((Number) js("return performance.getEntriesByType('navigation').concat("
                + "performance.getEntriesByType('resource')).reduce((n, e) => n + e.transferSize, 0)")).longValue();
        System.out.printf("fleet page, %,d meters: first summary and table %.0f ms after navigation, %,d bytes "
                + "transferred%n", meters, ready, bytes); // the figure docs and notes quote (target/surefire-reports)
        assertThat(ready).as("ms from navigation to the first summary and table").isLessThan(1000);
        assertThat(bytes).as("bytes transferred").isLessThan(300_000);
        assertThat(count("#medidores tr")).isEqualTo(25);
        assertThat(text("#contagem")).isEqualTo("10.000 medidores");

        browser.findElement(By.cssSelector("th button[data-ordem='consumo']")).click(); // most used first
        await().atMost(TWO_SECONDS).until(() -> count("#medidores tr[data-id='" + meters + "']") == 1);
        browser.findElement(By.id("busca")).sendKeys("Ana");
        await().atMost(TWO_SECONDS).until(() -> text("#contagem").equals("1.000 de 10.000 medidores"));
        browser.findElement(By.id("busca")).clear();
        js("document.getElementById('busca').dispatchEvent(new Event('input'))");
        await().atMost(TWO_SECONDS).until(() -> text("#contagem").equals("10.000 medidores"));
        assertThat(consoleErrors()).isEmpty();

        liveFleetForTheScreenshot(meters);
        screenshot("painel-frota.png");
    }

    private static final String[] NAMES = {"Ana", "Bruno", "Carla", "Diego", "Elisa", "Fábio", "Gabriela", "Heitor",
        "Isabela", "João"};

    /**
     * Ten seconds of a living fleet, so the screenshot shows what a class sees: every meter sending,
     * some datagrams lost, reordered and corrupted on the way, and one meter above its power limit.
     */
    private void liveFleetForTheScreenshot(int meters) {
        List<Reading> burst = new ArrayList<>(); // meter 42: 15 minutes at 1 kW, then 2 kWh in a minute
        for (int m = 0; m <= 15; m++) {
            burst.add(at(m, 60 + (16 - m) * 60L, m * 16_667L, 1000));
        }
        burst.add(at(16, 60, 15 * 16_667L + 2_000_000, 120_000));
        server.sendAll(42, burst);
        long[] energy = new long[meters + 1];
        long start = System.nanoTime();
        for (int second = 1; second <= 10; second++) {
            for (long id = 1; id <= meters; id++) {
                if (id == 42 || id % 97 == 0 && second % 3 == 0) {
                    continue; // lost in transit
                }
                int watts = (int) (200 + (id * 37 + second * 11) % 2800);
                energy[(int) id] += watts * 1000L / 3600;
                server.send(id, new Reading(second, TestServer.NOW - 30_000 + second * 2000L, id * 10 + energy[(int) id],
                        watts));
            }
            server.send(new byte[] {0x47, 0x4d, 0x07, 0x01, 0, 1, 0, 0, 0, 9}); // a truncated datagram
            // paced like a real fleet: one datagram per meter per second (load, not a wait for a condition)
            java.util.concurrent.locks.LockSupport.parkNanos(start + second * 1_000_000_000L - System.nanoTime());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.server.metrics().readingsCommitted.sum()
                >= meters - 1 + burst.size() + 9L * (meters - 1));
    }
}
