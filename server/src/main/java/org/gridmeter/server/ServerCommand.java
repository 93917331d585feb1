package org.gridmeter.server;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.time.ZoneId;
import java.util.concurrent.Callable;
import org.gridmeter.protocol.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/**
 * The {@code gridmeter server} command line: every flag in docs/running.md, each also settable by
 * {@code GRIDMETER_<NAME>} (see {@link EnvDefaults}). Parsing only; {@link Main} runs the result.
 */
@Command(name = "gridmeter server", mixinStandardHelpOptions = true, version = "GridMeter server 0.1.0",
        sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Receives meter datagrams over UDP, stores every reading durably in SQLite (or PostgreSQL), and answers the /usuario "
                    + "HTTP API over TCP.",
            "Every flag can also be set by the environment variable named in its description; a flag on the "
                    + "command line wins over the variable, which wins over the default."},
        footer = {"", "Example: ./gridmeter server --data-dir /var/lib/gridmeter --zone America/Sao_Paulo"})
final class ServerCommand implements Callable<ServerConfig> {

    @Option(names = "--udp-port", defaultValue = "18000", paramLabel = "PORT",
            description = "UDP port for meter datagrams; 0 picks a free one. Env GRIDMETER_UDP_PORT. Default ${DEFAULT-VALUE}.")
    int udpPort;

    @Option(names = "--http-port", defaultValue = "15000", paramLabel = "PORT",
            description = "TCP port of the HTTP API; 0 picks a free one. Env GRIDMETER_HTTP_PORT. Default ${DEFAULT-VALUE}.")
    int httpPort;

    @Option(names = "--bind", defaultValue = "0.0.0.0", paramLabel = "ADDRESS",
            description = "Address both ports bind to. Env GRIDMETER_BIND. Default ${DEFAULT-VALUE}.")
    String bind;

    @Option(names = "--data-dir", defaultValue = "./data", paramLabel = "DIR",
            description = "Where the database and the admin token live. Env GRIDMETER_DATA_DIR. Default ${DEFAULT-VALUE}.")
    Path dataDir;

    @Option(names = "--zone", defaultValue = "system", paramLabel = "ZONE", converter = ZoneConverter.class,
            description = "Billing time zone (e.g. America/Sao_Paulo): days, months and cycles. "
                    + "Env GRIDMETER_ZONE. Default: the system zone.")
    ZoneId zone;

    @Option(names = "--closing-day", defaultValue = "10", paramLabel = "DAY",
            description = "Day of the month invoices close (1-31; past a short month's end, its last day). "
                    + "Env GRIDMETER_CLOSING_DAY. Default ${DEFAULT-VALUE}.")
    int closingDay;

    @Option(names = "--legacy-datagrams", defaultValue = "true", arity = "0..1", paramLabel = "BOOL",
            description = "Accept the original 36-byte Python datagrams. Env GRIDMETER_LEGACY_DATAGRAMS. "
                    + "Default ${DEFAULT-VALUE}.")
    boolean legacyDatagrams;

    @Option(names = "--max-future-skew", defaultValue = "5m", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Reject readings this far ahead of the server clock. Env GRIDMETER_MAX_FUTURE_SKEW. "
                    + "Default ${DEFAULT-VALUE}.")
    Duration maxFutureSkew;

    @Option(names = "--orphan-limit", defaultValue = "10000", paramLabel = "METERS",
            description = "How many unregistered meters' readings are kept. Env GRIDMETER_ORPHAN_LIMIT. "
                    + "Default ${DEFAULT-VALUE}.")
    int orphanLimit;

    @Option(names = "--commit-interval", defaultValue = "200ms", paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "Readings are durable within this time. Env GRIDMETER_COMMIT_INTERVAL. Default ${DEFAULT-VALUE}.")
    Duration commitInterval;

    @Option(names = "--close-grace", defaultValue = "24h", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "A meter silent this long past a cycle's end gets an estimated invoice. "
                    + "Env GRIDMETER_CLOSE_GRACE. Default ${DEFAULT-VALUE}.")
    Duration closeGrace;

    @Option(names = "--excess-kwh", defaultValue = "150", paramLabel = "KWH",
            description = "Excess alert: open cycle above the mean of past invoices by this much. "
                    + "Env GRIDMETER_EXCESS_KWH. Default ${DEFAULT-VALUE}.")
    BigDecimal excessKwh;

    @Option(names = "--excess-kw", defaultValue = "5", paramLabel = "KW",
            description = "Excess alert: average power over 15 minutes above this. Env GRIDMETER_EXCESS_KW. "
                    + "Default ${DEFAULT-VALUE}.")
    BigDecimal excessKw;

    @Option(names = "--variation-kwh", defaultValue = "100", paramLabel = "KWH",
            description = "Variation alert: open cycle above the last invoice by this much. "
                    + "Env GRIDMETER_VARIATION_KWH. Default ${DEFAULT-VALUE}.")
    BigDecimal variationKwh;

    @Option(names = "--offline-after", defaultValue = "1m", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "A meter silent this long is offline. Env GRIDMETER_OFFLINE_AFTER. Default ${DEFAULT-VALUE}.")
    Duration offlineAfter;

    @Option(names = "--admin-token", paramLabel = "TOKEN",
            description = "Bearer token for routes that change state (at least 16 characters). Env GRIDMETER_ADMIN_TOKEN. "
                    + "Default: generated on first start into <data-dir>/admin-token.")
    String adminToken;

    @Option(names = "--read-auth", defaultValue = "false", arity = "0..1", paramLabel = "BOOL",
            description = "Reading needs a token too: each user's routes that user's token_leitura (or the admin "
                    + "token), fleet-wide routes the admin token. Env GRIDMETER_READ_AUTH. Default ${DEFAULT-VALUE}.")
    boolean readAuth;

    @Option(names = "--max-rate", defaultValue = "50", paramLabel = "PER_SECOND",
            description = "Datagrams per second accepted from one meter, with a burst of as many (a batch counts once); "
                    + "the rest are dropped and counted as rate_limited. Env GRIDMETER_MAX_RATE. Default ${DEFAULT-VALUE}.")
    int maxRate;

    @Option(names = "--store", defaultValue = "sqlite", paramLabel = "URL",
            description = "Where readings are kept: sqlite (a file in the data directory) or "
                    + "postgresql://host:port/database?user=NAME (the password from GRIDMETER_STORE_PASSWORD or "
                    + "PGPASSWORD, never here). Env GRIDMETER_STORE. Default ${DEFAULT-VALUE}.")
    String store;

    @Option(names = "--retention", defaultValue = "400d", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long raw readings are kept. Env GRIDMETER_RETENTION. Default ${DEFAULT-VALUE}.")
    Duration retention;

    @Option(names = "--max-connections", defaultValue = "10000", paramLabel = "N",
            description = "Open HTTP connections accepted at once. Env GRIDMETER_MAX_CONNECTIONS. Default ${DEFAULT-VALUE}.")
    int maxConnections;

    @Option(names = "--idle-timeout", defaultValue = "30s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Idle HTTP connections are closed after this. Env GRIDMETER_IDLE_TIMEOUT. Default ${DEFAULT-VALUE}.")
    Duration idleTimeout;

    @Option(names = "--http-rate", defaultValue = "2000", paramLabel = "PER_SECOND",
            description = "HTTP requests per second from one client address, with a burst of as many; faster ones get "
                    + "429 with Retry-After. Env GRIDMETER_HTTP_RATE. Default ${DEFAULT-VALUE}.")
    int httpRate;

    @Option(names = "--max-streams-per-client", defaultValue = "20", paramLabel = "N",
            description = "Event streams (tempo-real) open at once from one client address; more get 429. "
                    + "Env GRIDMETER_MAX_STREAMS_PER_CLIENT. Default ${DEFAULT-VALUE}.")
    int maxStreamsPerClient;

    @Option(names = "--key-grace", defaultValue = "10m", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long a meter's old key is still accepted after PUT /usuario/chave/ gives it a new one. "
                    + "Env GRIDMETER_KEY_GRACE. Default ${DEFAULT-VALUE}.")
    Duration keyGrace;

    @Option(names = "--checkpoint-interval", defaultValue = "2s", paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "How often every changed meter state is saved; after a crash the readings logged since "
                    + "are replayed on start (longer: fewer writes, a longer replay). "
                    + "Env GRIDMETER_CHECKPOINT_INTERVAL. Default ${DEFAULT-VALUE}.")
    Duration checkpointInterval;

    @Option(names = "--node-id", paramLabel = "NAME",
            description = "Run as one node of several sharing the PostgreSQL --store (docs/scaling.md): meters are "
                    + "split between the live nodes, any node takes any meter's datagrams and answers for any user. "
                    + "Env GRIDMETER_NODE_ID. Default: a lone server.")
    String nodeId;

    @Option(names = "--lease-timeout", defaultValue = "10s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "With --node-id: a node that has not renewed its partitions for this long loses them to "
                    + "the others. Env GRIDMETER_LEASE_TIMEOUT. Default ${DEFAULT-VALUE}.")
    Duration leaseTimeout;

    @Option(names = "--node-address", paramLabel = "HOST",
            description = "With --node-id: where the other nodes reach this one (its UDP and HTTP ports). "
                    + "Env GRIDMETER_NODE_ADDRESS. Default: the --bind address, or this host's address with 0.0.0.0.")
    String nodeAddress;

    /** The environment the flags' defaults come from; the store's password is read from it, never from a flag. */
    private final Map<String, String> env;

    ServerCommand(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    private String storePassword() {
        String password = env.get("GRIDMETER_STORE_PASSWORD");
        return password != null ? password : env.get("PGPASSWORD");
    }

    @Override
    public ServerConfig call() {
        return new ServerConfig(bind, udpPort, httpPort, dataDir, zone, closingDay, legacyDatagrams, maxFutureSkew,
                orphanLimit, commitInterval, closeGrace, excessKwh, excessKw, variationKwh, offlineAfter, adminToken,
                readAuth, maxRate, store, storePassword(), retention, maxConnections, idleTimeout, httpRate,
                maxStreamsPerClient, keyGrace, ServerConfig.Tuning.DEFAULTS.withCheckpointInterval(checkpointInterval),
                new ServerConfig.Cluster(nodeId, leaseTimeout, nodeAddress));
    }

    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return Durations.parse(value);
        }
    }

    static final class ZoneConverter implements ITypeConverter<ZoneId> {
        @Override
        public ZoneId convert(String value) {
            if (value.equals("system")) {
                return ZoneId.systemDefault();
            }
            try {
                return ZoneId.of(value.trim());
            } catch (java.time.DateTimeException e) {
                throw new IllegalArgumentException("'" + value + "' is not a time zone (expected: a region of the tz "
                        + "database such as America/Sao_Paulo, an offset such as -03:00, UTC, or system)");
            }
        }
    }
}
