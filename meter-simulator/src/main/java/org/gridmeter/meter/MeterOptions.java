package org.gridmeter.meter;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import org.gridmeter.protocol.Durations;

/**
 * What a meter process was told, built once by {@link MeterCommand} from flags and environment.
 *
 * @param firstId     first meter (= user) id of the fleet
 * @param lastId      last meter id, inclusive ({@code firstId} for a single meter)
 * @param liveInterval time between readings once the simulated clock has caught up with now
 * @param start       where the simulated clock starts, or {@code null} for now
 * @param speed       how many times faster than real time the simulated clock runs until it reaches now
 * @param seed        seed of the load, or {@code null} for a random one
 * @param keyHex      HMAC key as hex, or {@code null} to send CRC-protected datagrams
 * @param count       readings per meter before stopping, or {@code null} for no limit
 * @param duration    run time before stopping, or {@code null} for no limit
 * @param report      where to write the final report, or {@code null}
 */
public record MeterOptions(
        long firstId,
        long lastId,
        String serverHost,
        int serverPort,
        Duration interval,
        Duration liveInterval,
        Profile profile,
        Long seed,
        Instant start,
        double speed,
        double loss,
        double duplicate,
        double reorder,
        boolean legacy,
        String keyHex,
        Long count,
        Duration duration,
        Path report,
        java.util.List<String> fallbackServers) {

    public MeterOptions {
        if (firstId < 1 || lastId > 0xFFFF_FFFFL || firstId > lastId) {
            throw new IllegalArgumentException("meter ids: " + firstId + (firstId == lastId ? "" : "-" + lastId)
                    + " (expected: ids from 1 to 4294967295, the first no larger than the last, e.g. --id 7 or --ids 1-1000)");
        }
        Objects.requireNonNull(serverHost, "serverHost");
        fallbackServers = fallbackServers == null ? java.util.List.of() : java.util.List.copyOf(fallbackServers);
        if (serverPort < 1 || serverPort > 65_535) {
            throw new IllegalArgumentException("--server port: " + serverPort + " (expected: a port from 1 to 65535, e.g. --server 127.0.0.1:18000)");
        }
        if (interval.toMillis() < 10) {
            throw new IllegalArgumentException("--interval: " + Durations.format(interval) + " (expected: at least 10ms, e.g. --interval 5s)");
        }
        if (liveInterval == null) {
            liveInterval = interval;
        } else if (liveInterval.toMillis() < 10) {
            throw new IllegalArgumentException("--live-interval: " + Durations.format(liveInterval)
                    + " (expected: at least 10ms, e.g. --live-interval 5s)");
        }
        Objects.requireNonNull(profile, "profile");
        if (!(speed >= 1) || Double.isInfinite(speed)) {
            throw new IllegalArgumentException("--speed: " + speed + " (expected: a number from 1 up, e.g. --speed 60 for an hour a minute)");
        }
        requireProbability("--loss", loss);
        requireProbability("--duplicate", duplicate);
        requireProbability("--reorder", reorder);
        if (keyHex != null) {
            int bytes = keyHex.length() / 2;
            if (keyHex.length() % 2 != 0 || bytes < 16 || bytes > 64 || !keyHex.matches("[0-9a-fA-F]+")) {
                throw new IllegalArgumentException("--key: expected 32 to 128 hex digits (16 to 64 bytes), e.g. the output of openssl rand -hex 32");
            }
            if (legacy) {
                throw new IllegalArgumentException("--key and --legacy: legacy datagrams cannot be authenticated");
            }
        }
        if (count != null && count < 1) {
            throw new IllegalArgumentException("--count: " + count + " (expected: at least 1 reading, e.g. --count 100)");
        }
        if (duration != null && (duration.isNegative() || duration.isZero())) {
            throw new IllegalArgumentException("--duration: " + Durations.format(duration) + " (expected: a duration above 0, e.g. --duration 10m)");
        }
    }

    /** Number of meters in this process. */
    public long fleetSize() {
        return lastId - firstId + 1;
    }

    /** The HMAC key, or {@code null}. */
    public byte[] key() {
        return keyHex == null ? null : HexFormat.of().parseHex(keyHex);
    }

    @Override
    public String toString() {
        return "MeterOptions[ids=" + firstId + "-" + lastId + ", server=" + serverHost + ":" + serverPort
                + ", interval=" + interval + ", liveInterval=" + liveInterval + ", profile=" + profile + ", seed=" + seed + ", start=" + start
                + ", speed=" + speed + ", loss=" + loss + ", duplicate=" + duplicate + ", reorder=" + reorder
                + ", legacy=" + legacy + ", key=" + (keyHex == null ? "none" : "(set)") + ", count=" + count
                + ", duration=" + duration + ", report=" + report + "]";
    }

    private static void requireProbability(String flag, double p) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException(flag + ": " + p + " (expected: a share from 0 up to, not including, 1, e.g. " + flag + " 0.2 or 20%)");
        }
    }
}
