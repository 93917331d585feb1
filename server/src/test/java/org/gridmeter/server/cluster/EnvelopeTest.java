package org.gridmeter.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EnvelopeTest {

    private final byte[] key = "a cluster key of thirty-two byte".getBytes(StandardCharsets.US_ASCII);
    private final Envelope envelope = new Envelope(key);
    private final InetSocketAddress meter = new InetSocketAddress("192.0.2.7", 40123);

    @Test
    void aSealedDatagramOpensToTheSameMeterAddressAndBytes() {
        byte[] inner = {0x47, 0x4D, 1, 1, 9, 8, 7};
        byte[] sealed = envelope.seal(Envelope.FORWARD, meter, ByteBuffer.wrap(inner));

        assertThat(Envelope.looksLikeOne(ByteBuffer.wrap(sealed))).isTrue();
        Envelope.Opened opened = envelope.open(ByteBuffer.wrap(sealed));
        assertThat(opened.kind()).isEqualTo(Envelope.FORWARD);
        assertThat(opened.meter()).isEqualTo(meter);
        byte[] back = new byte[opened.inner().remaining()];
        opened.inner().get(back);
        assertThat(back).isEqualTo(inner);
    }

    @Test
    void anIpv6MeterAndAReplyRoundTrip() {
        InetSocketAddress v6 = new InetSocketAddress("2001:db8::5", 18000);
        Envelope.Opened opened = envelope.open(ByteBuffer.wrap(envelope.seal(Envelope.REPLY, v6, ByteBuffer.wrap(new byte[] {1}))));
        assertThat(opened.kind()).isEqualTo(Envelope.REPLY);
        assertThat(opened.meter()).isEqualTo(v6);
    }

    @Test
    void anyChangedByteOrAnotherKeyIsRefused() {
        byte[] sealed = envelope.seal(Envelope.FORWARD, meter, ByteBuffer.wrap(new byte[] {1, 2, 3, 4}));
        for (int i = 4; i < sealed.length; i++) {
            byte[] damaged = sealed.clone();
            damaged[i] ^= 0x01;
            assertThat(envelope.open(ByteBuffer.wrap(damaged))).as("byte %d changed", i).isNull();
        }
        byte[] other = key.clone();
        other[0] ^= 1;
        assertThat(new Envelope(other).open(ByteBuffer.wrap(sealed))).isNull();
        assertThat(envelope.open(ByteBuffer.wrap(new byte[] {0x47, 0x4D, 0x46, 0x57, 1}))).isNull();
    }

    @Test
    void meterIdsFallIntoSixtyFourPartitionsByRemainder() {
        assertThat(Partitions.of(17)).isEqualTo(17);
        assertThat(Partitions.of(81)).isEqualTo(17);
        assertThat(Partitions.of(0xFFFF_FFFFL)).isEqualTo(63);
        assertThat(ClusterMember.in(java.util.List.of(1, 2)).test(65)).isTrue();
        assertThat(ClusterMember.in(java.util.List.of(1, 2)).test(67)).isFalse();
    }
}
