package org.gridmeter.meter;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.gridmeter.protocol.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** The {@code gridmeter meter} command line: parsing into {@link MeterOptions} only. */
@Command(name = "gridmeter meter", mixinStandardHelpOptions = true, version = "GridMeter meter simulator 0.1.0",
        sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Simulates one electricity meter, or a fleet of them in one process, sending readings to a GridMeter "
                    + "server over UDP.",
            "Flags win over the environment variables named below, which win over the defaults."},
        footer = {"", "Examples:",
            "  ./gridmeter meter --id 1",
            "  ./gridmeter meter --ids 1-1000 --interval 5s --seed 42",
            "  METER_ID=7 SERVER_HOST=192.0.2.10 ./gridmeter meter"})
final class MeterCommand implements Callable<MeterOptions> {

    static final String DEFAULT_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 18000;

    private final Supplier<String> idPrompt;

    /** @param idPrompt asks a person for the meter id, or {@code null} when there is no terminal */
    MeterCommand(Supplier<String> idPrompt) {
        this.idPrompt = idPrompt;
    }

    @Option(names = "--id", paramLabel = "N",
            description = "Meter (= user) id. Env METER_ID. Asked for on a terminal if neither --id nor --ids is given.")
    Long id;

    @Option(names = "--ids", paramLabel = "A-B",
            description = "A fleet of meters A to B in one process. Env METER_IDS.")
    String ids;

    @Option(names = "--server", defaultValue = DEFAULT_HOST + ":" + DEFAULT_PORT, paramLabel = "HOST[:PORT]",
            description = "Where datagrams go; HOST alone means port " + DEFAULT_PORT + ". Several, comma-separated "
                    + "(the nodes of a cluster): the meters send to the first and move to the next when no ACK came for "
                    + "3 s. Env SERVER_HOST and SERVER_PORT. Default ${DEFAULT-VALUE}.")
    String server;

    @Option(names = "--interval", defaultValue = "5s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Time between readings (simulated time). Env METER_INTERVAL. Default ${DEFAULT-VALUE}.")
    Duration interval;

    @Option(names = "--live-interval", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Time between readings once the simulated clock has caught up with now (e.g. 5m while "
                    + "catching up, 5s live). Env METER_LIVE_INTERVAL. Default: --interval.")
    Duration liveInterval;

    @Option(names = "--profile", defaultValue = "residencial", paramLabel = "P", converter = ProfileConverter.class,
            description = "residencial, comercial or constante:<kW>. Env METER_PROFILE. Default ${DEFAULT-VALUE}.")
    Profile profile;

    @Option(names = "--seed", paramLabel = "N",
            description = "Seed for a deterministic load. Env METER_SEED. Default: random.")
    Long seed;

    @Option(names = "--start", paramLabel = "T",
            description = "Simulated clock start: 2026-08-01, 2026-08-01T06:00, an ISO instant, or -90d "
                    + "(90 days ago). Env METER_START. Default: now.")
    Instant start;

    @Option(names = "--speed", defaultValue = "1", paramLabel = "X",
            description = "The simulated clock runs X times faster until it reaches now, then in real time. "
                    + "Env METER_SPEED. Default ${DEFAULT-VALUE}.")
    double speed;

    @Option(names = "--loss", defaultValue = "0", paramLabel = "P", converter = ProbabilityConverter.class,
            description = "Fault injection: drop this share of datagrams (0.2 or 20%%). Default 0.")
    double loss;

    @Option(names = "--duplicate", defaultValue = "0", paramLabel = "P", converter = ProbabilityConverter.class,
            description = "Fault injection: send this share of datagrams twice. Default 0.")
    double duplicate;

    @Option(names = "--reorder", defaultValue = "0", paramLabel = "P", converter = ProbabilityConverter.class,
            description = "Fault injection: hold back this share of datagrams and send them late. Default 0.")
    double reorder;

    @Option(names = "--legacy", defaultValue = "false", arity = "0..1", paramLabel = "BOOL",
            description = "Send the original 36-byte datagrams. Env METER_LEGACY. Default ${DEFAULT-VALUE}.")
    boolean legacy;

    @Option(names = "--key", paramLabel = "HEX",
            description = "HMAC key (32-128 hex digits): authenticate datagrams. Env METER_KEY.")
    String key;

    @Option(names = "--count", paramLabel = "N", description = "Stop after N readings per meter. Default: no limit.")
    Long count;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop after this long (wall clock). Default: no limit.")
    Duration duration;

    @Option(names = "--report", paramLabel = "FILE",
            description = "On exit, write {\"<id>\": {\"kwh\", \"sent\", \"acked\", \"refused\"}} as JSON to FILE.")
    Path report;

    @Override
    public MeterOptions call() {
        long first;
        long last;
        if (ids != null) {
            if (id != null) {
                throw new IllegalArgumentException("--id and --ids: give one or the other");
            }
            String[] parts = ids.trim().split("-", -1);
            try {
                first = Long.parseLong(parts[0].trim());
                last = parts.length == 1 ? first : Long.parseLong(parts[1].trim());
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                throw new IllegalArgumentException("--ids: '" + ids + "' (expected: A-B, two whole numbers, e.g. --ids 1-1000)");
            }
            if (parts.length > 2) {
                throw new IllegalArgumentException("--ids: '" + ids + "' (expected: A-B, two whole numbers, e.g. --ids 1-1000)");
            }
        } else {
            long single = id != null ? id : promptForId();
            first = single;
            last = single;
        }
        List<String> servers = new ArrayList<>();
        for (String one : server.split(",")) {
            String[] hostPort = hostAndPort(one);
            try {
                int port = hostPort[1] == null ? DEFAULT_PORT : Integer.parseInt(hostPort[1]);
                if (port < 1 || port > 65_535) {
                    throw new NumberFormatException();
                }
                servers.add(hostPort(hostPort[0], Integer.toString(port)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--server: '" + one.trim() + "' (expected: HOST or HOST:PORT, e.g. "
                        + "192.0.2.10 or 127.0.0.1:18000; without a port, " + DEFAULT_PORT + "; several, comma-separated)");
            }
        }
        String[] primary = hostAndPort(servers.get(0));
        return new MeterOptions(first, last, primary[0], Integer.parseInt(primary[1]), interval, liveInterval, profile, seed,
                start, speed, loss, duplicate, reorder, legacy, key, count, duration, report,
                servers.subList(1, servers.size()));
    }

    /** {@code host:port}, an IPv6 host in brackets: what {@link #hostAndPort} reads back. */
    static String hostPort(String host, String port) {
        return (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }

    /** {@code HOST}, {@code HOST:PORT}, {@code [v6]:PORT} or a bare IPv6 address: {host, port or null}. */
    static String[] hostAndPort(String text) {
        String t = text.trim();
        String host;
        String port = null;
        if (t.startsWith("[") && t.indexOf(']') > 0) {
            host = t.substring(1, t.indexOf(']'));
            String rest = t.substring(t.indexOf(']') + 1);
            port = rest.startsWith(":") ? rest.substring(1) : rest.isEmpty() ? null : rest;
        } else if (t.indexOf(':') >= 0 && t.indexOf(':') == t.lastIndexOf(':')) {
            host = t.substring(0, t.indexOf(':'));
            port = t.substring(t.indexOf(':') + 1);
        } else {
            host = t; // a name, an IPv4 address or a bare IPv6 address
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("--server: '" + text + "' has no host (expected: HOST or HOST:PORT, "
                    + "e.g. 127.0.0.1:18000)");
        }
        return new String[] {host, port};
    }

    private long promptForId() {
        if (idPrompt == null) {
            throw new IllegalArgumentException("no meter id: set METER_ID (e.g. docker run -e METER_ID=7 …) or "
                    + "METER_IDS=A-B for a fleet, or give --id N or --ids A-B");
        }
        String answer = idPrompt.get();
        try {
            return Long.parseLong(answer == null ? "" : answer.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("meter id: '" + answer + "' (expected: a whole number from 1, e.g. 7)");
        }
    }

    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return Durations.parse(value);
        }
    }

    static final class ProfileConverter implements ITypeConverter<Profile> {
        @Override
        public Profile convert(String value) {
            return Profile.parse(value);
        }
    }

    static final class ProbabilityConverter implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            String v = value.trim();
            try {
                return v.endsWith("%") ? Double.parseDouble(v.substring(0, v.length() - 1)) / 100 : Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + value + "' (expected: a probability such as 0.2 or 20%)");
            }
        }
    }

    /** {@code --start}: a date or time in {@code zone}, an instant, or {@code -90d} before {@code clock}'s now. */
    static final class StartConverter implements ITypeConverter<Instant> {
        private final java.time.Clock clock;
        private final ZoneId zone;

        StartConverter(java.time.Clock clock, ZoneId zone) {
            this.clock = clock;
            this.zone = zone;
        }

        @Override
        public Instant convert(String value) {
            String v = value.trim();
            try {
                if (v.equals("now")) {
                    return null;
                } else if (v.startsWith("-")) {
                    return clock.instant().minus(Durations.parse(v.substring(1)));
                } else if (v.length() == 10) {
                    return LocalDate.parse(v).atStartOfDay(zone).toInstant();
                } else if (v.endsWith("Z") || v.matches(".*[+-]\\d\\d:\\d\\d$")) {
                    return OffsetDateTime.parse(v.endsWith("Z") ? v.substring(0, v.length() - 1) + "+00:00" : v)
                            .toInstant();
                }
                return LocalDateTime.parse(v).atZone(zone).toInstant();
            } catch (DateTimeParseException | IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + value
                        + "' (expected: 2026-08-01, 2026-08-01T06:00, 2026-08-01T06:00:00Z or -90d)");
            }
        }
    }
}
