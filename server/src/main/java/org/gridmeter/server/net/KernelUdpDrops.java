package org.gridmeter.server.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Datagrams the kernel dropped because a UDP socket's receive buffer was full: they never reach the
 * server, so only the kernel can count them. Linux keeps the count per socket in the {@code drops}
 * column of {@code /proc/net/udp} and {@code /proc/net/udp6}; this sums it over the sockets bound to
 * one local port. Elsewhere (no such files) it reads 0.
 */
public final class KernelUdpDrops {

    private static final List<Path> TABLES = List.of(Path.of("/proc/net/udp"), Path.of("/proc/net/udp6"));

    private final int port;
    private final List<Path> tables;

    KernelUdpDrops(int port, List<Path> tables) {
        this.port = port;
        this.tables = tables;
    }

    /** The drops of the sockets bound to {@code port} on this machine. */
    public static KernelUdpDrops forPort(int port) {
        return new KernelUdpDrops(port, TABLES);
    }

    /** Drops counted since the sockets were opened; 0 if the kernel does not say. */
    public long count() {
        long drops = 0;
        for (Path table : tables) {
            try {
                drops += count(Files.readString(table), port);
            } catch (IOException | RuntimeException e) {
                // not Linux, or /proc not mounted: nothing to count from
            }
        }
        return drops;
    }

    /**
     * Sums the {@code drops} column of the table's sockets whose local port is {@code port}. A row:
     * {@code sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout
     * inode ref pointer drops}, the local address as hex {@code ADDRESS:PORT}.
     */
    static long count(String table, int port) {
        String portHex = ":" + String.format(Locale.ROOT, "%04X", port);
        long drops = 0;
        for (String line : table.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 13 && f[0].endsWith(":") && f[1].endsWith(portHex)) {
                drops += Long.parseLong(f[12]);
            }
        }
        return drops;
    }
}
