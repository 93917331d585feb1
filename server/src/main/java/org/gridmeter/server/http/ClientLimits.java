package org.gridmeter.server.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.function.LongSupplier;
import org.gridmeter.server.net.RateLimit;

/**
 * What one client address may take of the HTTP side: {@code --http-rate} requests a second (a burst
 * of as many) and {@code --max-streams-per-client} event streams open at once. Behind a reverse
 * proxy every client is the proxy's address: raise both there (docs/security.md). Thread-safe.
 */
final class ClientLimits {

    private final RateLimit<InetAddress> requests;
    private final int maxStreams;
    /** Streams open per address; streams open rarely, so one lock will do. */
    private final java.util.Map<InetAddress, Integer> streams = new java.util.HashMap<>();

    ClientLimits(int requestsPerSecond, int maxStreams, LongSupplier nanoTime) {
        this.requests = new RateLimit<>(requestsPerSecond, nanoTime);
        this.maxStreams = maxStreams;
    }

    /** Takes a request's token: 0 if allowed, else the seconds to wait ({@code Retry-After}, at least 1). */
    long retryAfterSeconds(SocketAddress client) {
        InetAddress address = address(client);
        if (address == null) {
            return 0;
        }
        long nanos = requests.take(address);
        return nanos == 0 ? 0 : Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
    }

    /** Opens a stream for the client if it has fewer than the cap open; {@code false} if not. */
    synchronized boolean openStream(SocketAddress client) {
        InetAddress address = address(client);
        if (address == null) {
            return true;
        }
        int open = streams.getOrDefault(address, 0);
        if (open >= maxStreams) {
            return false;
        }
        streams.put(address, open + 1);
        return true;
    }

    /** A stream {@link #openStream} allowed has ended. */
    synchronized void closeStream(SocketAddress client) {
        InetAddress address = address(client);
        if (address != null) {
            streams.computeIfPresent(address, (a, open) -> open <= 1 ? null : open - 1);
        }
    }

    int maxStreams() {
        return maxStreams;
    }

    private static InetAddress address(SocketAddress client) {
        return client instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }
}
