package org.gridmeter.server.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.gridmeter.server.http.Request;
import org.gridmeter.server.http.Response;
import org.gridmeter.server.http.Router;

/**
 * The dashboard's pages (each one's content set in the frame they share), scripts and styles, read
 * from the jar once at start and served from
 * memory: {@code GET /} (the fleet), {@code /painel/usuario/?id=} (one user), {@code /painel/datagramas}
 * (the last datagrams), and their assets under {@code /painel/}, uPlot included (from its WebJar;
 * the version is the one the POM pins). Nothing comes from elsewhere: the pages work offline. The
 * pages link their assets with {@code ?v=<hash of every asset>}, so assets may be cached for a day
 * and a new server's pages still load the new ones.
 */
final class PainelAssets {

    private static final String ROOT = "painel/";
    private static final String UPLOT_POM = "META-INF/maven/org.webjars.npm/uplot/pom.properties";

    /**
     * A page: its path, the file in {@code painel/} with its content, its title, the part of the
     * navigation it is, and its scripts; {@code moldura.html} is the frame every page shares.
     */
    private record Page(String path, String file, String title, String section, List<String> scripts) {
    }

    private static final List<Page> PAGES = List.of(
            new Page("/", "frota.html", "painel da frota", "frota", List.of("uplot.js", "comum.js", "frota.js")),
            new Page("/painel/usuario", "usuario.html", "usuário", "usuario",
                    List.of("uplot.js", "comum.js", "usuario.js")),
            new Page("/painel/datagramas", "datagramas.html", "últimos datagramas", "datagramas",
                    List.of("comum.js", "datagramas.js")));
    private static final String[] SCRIPTS_AND_STYLES = {
            "painel.css", "comum.js", "frota.js", "usuario.js", "datagramas.js", "icone.svg"};

    private record Asset(String contentType, String body, boolean page) {
    }

    private final Map<String, Asset> assets = new LinkedHashMap<>();

    PainelAssets() {
        Map<String, String> files = new LinkedHashMap<>();
        for (String name : SCRIPTS_AND_STYLES) {
            files.put("/painel/" + name, read(ROOT + name));
        }
        String uplot = "META-INF/resources/webjars/uplot/" + uplotVersion() + "/dist/";
        files.put("/painel/uplot.js", read(uplot + "uPlot.iife.min.js"));
        files.put("/painel/uplot.css", read(uplot + "uPlot.min.css"));
        String version = hash(files.values());
        files.forEach((path, body) -> assets.put(path, new Asset(type(path), body, false)));
        String frame = read(ROOT + "moldura.html");
        for (Page page : PAGES) {
            StringBuilder scripts = new StringBuilder();
            for (String script : page.scripts()) {
                scripts.append("  <script src=\"/painel/").append(script).append("?v={{v}}\" defer></script>\n");
            }
            String html = frame.replace("{{scripts}}", scripts.toString().stripTrailing())
                    .replace("{{titulo}}", page.title())
                    .replace("{{conteudo}}", read(ROOT + page.file()).stripTrailing());
            for (Page other : PAGES) {
                html = html.replace("{{atual:" + other.section() + "}}",
                        other == page ? " aria-current=\"page\"" : "");
            }
            assets.put(page.path(), new Asset("text/html; charset=utf-8", html.replace("{{v}}", version), true));
        }
    }

    /** Adds a GET route for every page and asset. */
    Router.Builder routes(Router.Builder router) {
        for (String path : assets.keySet()) {
            router.get(path, this::serve);
        }
        return router;
    }

    private Response serve(Request request) {
        Asset asset = assets.get(request.path());
        return new Response(200, asset.contentType(), asset.body(),
                Map.of("Cache-Control", asset.page() ? "no-cache" : "public, max-age=86400"));
    }

    private static String type(String path) {
        return path.endsWith(".css") ? "text/css; charset=utf-8"
                : path.endsWith(".svg") ? "image/svg+xml" : "text/javascript; charset=utf-8";
    }

    private static String uplotVersion() {
        Properties pom = new Properties();
        try (InputStream in = resource(UPLOT_POM)) {
            pom.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pom.getProperty("version");
    }

    private static String read(String name) {
        try (InputStream in = resource(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = PainelAssets.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IOException("resource " + name + " is not in the jar: the build left the dashboard out");
        }
        return in;
    }

    private static String hash(Iterable<String> bodies) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String body : bodies) {
                sha.update(body.getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
