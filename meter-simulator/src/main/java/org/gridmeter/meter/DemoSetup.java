package org.gridmeter.meter;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * For {@code ./gridmeter demo}: registers users {@code first..last} on a running server unless they
 * exist. Usage: {@code DemoSetup <http-base-url> <admin-token-file> <first> <last>}; the token is
 * {@code GRIDMETER_ADMIN_TOKEN} when set (as the server would use it), else the file's.
 */
public final class DemoSetup {

    private static final String[] NAMES = {"ana", "bruno", "carla", "davi", "elisa", "fabio"};

    private DemoSetup() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: DemoSetup <http-base-url> <admin-token-file> <first-id> <last-id>");
            System.exit(2);
        }
        String base = args[0];
        String fromEnv = System.getenv("GRIDMETER_ADMIN_TOKEN");
        String token = fromEnv != null && !fromEnv.isBlank() ? fromEnv.trim()
                : Files.readString(Path.of(args[1]), StandardCharsets.UTF_8).trim();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1).build();
        for (long id = Long.parseLong(args[2]); id <= Long.parseLong(args[3]); id++) {
            HttpResponse<String> existing = http.send(HttpRequest.newBuilder(URI.create(base + "/usuario/?id=" + id))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (existing.statusCode() == 200) {
                System.out.println("user " + id + " exists already");
                continue;
            }
            String name = NAMES[(int) ((id - 1) % NAMES.length)];
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/usuario/cadastro/"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"id\": " + id + ", \"nome\": \"" + name
                            + "\", \"endereco\": \"rua " + (char) ('a' + (id - 1) % 26) + ", " + id + "\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (created.statusCode() != 201) {
                System.err.println("could not register user " + id + ": " + created.statusCode() + " " + created.body());
                System.exit(1);
            }
            System.out.println("registered user " + id + " (" + name + ")");
        }
    }
}
