package org.gridmeter.server;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Objects;

/**
 * Everything the server can be told, built once from flags and environment variables
 * ({@link ServerCommand}) or directly by tests, and passed down through constructors.
 *
 * @param adminToken the admin bearer token, or {@code null} to use (or generate) {@code <dataDir>/admin-token}
 * @param store      {@code null} or {@code "sqlite"} for the embedded database in {@code dataDir}
 */
public record ServerConfig(
        String bind,
        int udpPort,
        int httpPort,
        Path dataDir,
        ZoneId zone,
        int closingDay,
        boolean legacyDatagrams,
        Duration maxFutureSkew,
        int orphanLimit,
        Duration commitInterval,
        Duration closeGrace,
        BigDecimal excessKwh,
        BigDecimal excessKw,
        BigDecimal variationKwh,
        Duration offlineAfter,
        String adminToken,
        boolean readAuth,
        int maxRate,
        String store,
        Duration retention,
        int maxConnections,
        Duration idleTimeout) {

    public ServerConfig {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(zone, "zone");
        requirePort("--udp-port", udpPort);
        requirePort("--http-port", httpPort);
        if (closingDay < 1 || closingDay > 31) {
            throw new IllegalArgumentException("--closing-day: " + closingDay + " (expected: 1..31)");
        }
        requirePositive("--max-future-skew", maxFutureSkew);
        requirePositive("--commit-interval", commitInterval);
        requirePositive("--close-grace", closeGrace);
        requirePositive("--offline-after", offlineAfter);
        requirePositive("--retention", retention);
        requirePositive("--idle-timeout", idleTimeout);
        if (orphanLimit < 0) {
            throw new IllegalArgumentException("--orphan-limit: " + orphanLimit + " (expected: >= 0)");
        }
        if (maxRate < 1) {
            throw new IllegalArgumentException("--max-rate: " + maxRate + " (expected: >= 1 datagram/s)");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("--max-connections: " + maxConnections + " (expected: >= 1)");
        }
        requirePositive("--excess-kwh", excessKwh);
        requirePositive("--excess-kw", excessKw);
        requirePositive("--variation-kwh", variationKwh);
        if (adminToken != null && adminToken.length() < 16) {
            throw new IllegalArgumentException("--admin-token: too short (expected: at least 16 characters)");
        }
        if (store != null && !store.isBlank() && !store.equals("sqlite")) {
            throw new IllegalArgumentException("--store: '" + store
                    + "' is not supported by this build (expected: sqlite; PostgreSQL arrives with a later release)");
        }
    }

    /** Every field but the admin token, which must never reach a log. */
    @Override
    public String toString() {
        return "ServerConfig[bind=" + bind + ", udpPort=" + udpPort + ", httpPort=" + httpPort + ", dataDir=" + dataDir
                + ", zone=" + zone + ", closingDay=" + closingDay + ", legacyDatagrams=" + legacyDatagrams
                + ", maxFutureSkew=" + maxFutureSkew + ", orphanLimit=" + orphanLimit + ", commitInterval="
                + commitInterval + ", closeGrace=" + closeGrace + ", excessKwh=" + excessKwh + ", excessKw=" + excessKw
                + ", variationKwh=" + variationKwh + ", offlineAfter=" + offlineAfter + ", adminToken="
                + (adminToken == null ? "generated" : "(set)") + ", readAuth=" + readAuth + ", maxRate=" + maxRate
                + ", store=" + store + ", retention=" + retention + ", maxConnections=" + maxConnections
                + ", idleTimeout=" + idleTimeout + "]";
    }

    /** The contract's defaults, with the given data directory; ports as given (0 picks free ones). */
    public static ServerConfig defaults(Path dataDir, int udpPort, int httpPort) {
        return new ServerConfig("0.0.0.0", udpPort, httpPort, dataDir, ZoneId.systemDefault(), 10, true,
                Duration.ofMinutes(5), 10_000, Duration.ofMillis(200), Duration.ofHours(24),
                BigDecimal.valueOf(150), BigDecimal.valueOf(5), BigDecimal.valueOf(100), Duration.ofMinutes(1),
                null, false, 50, null, Duration.ofDays(400), 10_000, Duration.ofSeconds(30));
    }

    /** This configuration with another store setting. */
    public ServerConfig withStore(String newStore) {
        return new ServerConfig(bind, udpPort, httpPort, dataDir, zone, closingDay, legacyDatagrams, maxFutureSkew,
                orphanLimit, commitInterval, closeGrace, excessKwh, excessKw, variationKwh, offlineAfter, adminToken,
                readAuth, maxRate, newStore, retention, maxConnections, idleTimeout);
    }

    private static void requirePort(String flag, int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException(flag + ": " + port + " (expected: 0..65535, 0 picks a free port)");
        }
    }

    private static void requirePositive(String flag, BigDecimal value) {
        Objects.requireNonNull(value, flag);
        if (value.signum() <= 0) {
            throw new IllegalArgumentException(flag + ": " + value.toPlainString() + " (expected: > 0)");
        }
    }

    private static void requirePositive(String flag, Duration d) {
        Objects.requireNonNull(d, flag);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(flag + ": " + d + " (expected: a positive duration)");
        }
    }
}
