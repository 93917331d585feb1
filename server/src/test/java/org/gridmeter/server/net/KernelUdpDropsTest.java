package org.gridmeter.server.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class KernelUdpDropsTest {

    @Test
    void sumsTheDropsColumnOfTheSocketsOnThePort() {
        String udp = """
                   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
                  101: 0100007F:4A06 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4211 2 0000000000000000 37
                  102: 00000000:4A06 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4212 2 0000000000000000 5
                  103: 0100007F:4A07 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4213 2 0000000000000000 900
                """;
        String udp6 = """
                  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
                 7: 00000000000000000000000000000000:4A06 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4214 2 0000000000000000 1
                """;

        assertThat(KernelUdpDrops.count(udp, 0x4A06)).isEqualTo(42);
        assertThat(KernelUdpDrops.count(udp6, 0x4A06)).isEqualTo(1);
        assertThat(KernelUdpDrops.count(udp, 0x4A08)).isZero();
    }

    @Test
    void countsWhatTheKernelDroppedForASocketThatIsNotRead() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/net/udp")), "Linux only");
        try (DatagramSocket full = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                DatagramSocket sender = new DatagramSocket()) {
            full.setReceiveBufferSize(4096);
            KernelUdpDrops drops = KernelUdpDrops.forPort(full.getLocalPort());
            assertThat(drops.count()).isZero();

            byte[] payload = new byte[200];
            int sent = 2_000;
            for (int i = 0; i < sent; i++) {
                sender.send(new DatagramPacket(payload, payload.length, full.getLocalSocketAddress()));
            }

            assertThat(drops.count()).as("a 4 KiB buffer holds a few datagrams; the kernel drops the rest")
                    .isGreaterThan(sent / 2).isLessThanOrEqualTo(sent);
        }
    }
}
