package org.gridmeter.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.List;
import org.gridmeter.protocol.Ack;
import org.gridmeter.protocol.Integrity;
import org.gridmeter.protocol.MessageType;
import org.gridmeter.protocol.Reading;
import org.gridmeter.protocol.ReadingBatch;
import org.gridmeter.protocol.Refusal;
import org.gridmeter.protocol.V1Codec;

/** A meter's socket: sends datagrams that ask for ACKs, and reads the server's ACKs and refusals. */
final class TestMeter implements AutoCloseable {

    private final DatagramSocket socket;
    private final InetSocketAddress server;
    private final byte[] key;

    TestMeter(TestServer server, byte[] key) throws IOException {
        this.socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        this.socket.setSoTimeout(5000);
        this.socket.setReceiveBufferSize(4 << 20); // room for a commit's worth of ACKs to many meters at once
        this.server = server.server.udpAddress();
        this.key = key;
    }

    TestMeter(TestServer server) throws IOException {
        this(server, null);
    }

    /** Sends the readings of {@code meter} in one datagram that asks for an ACK. */
    void send(long meter, Reading... readings) {
        byte[] datagram = V1Codec.encodeReadings(new ReadingBatch(meter, List.of(readings),
                key == null ? Integrity.CRC32C : Integrity.HMAC, true), key);
        try {
            socket.send(new DatagramPacket(datagram, datagram.length, server));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next datagram the server sent here, decoded: an {@link Ack} or a {@link Refusal}. */
    Object reply() {
        DatagramPacket packet = new DatagramPacket(new byte[1500], 1500);
        try {
            socket.receive(packet);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no ACK or refusal from the server within 5 s", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ByteBuffer bytes = ByteBuffer.wrap(packet.getData(), 0, packet.getLength());
        MessageType type = V1Codec.replyType(bytes);
        if (type == MessageType.ACK) {
            return V1Codec.decodeAck(bytes, key).orElseThrow();
        }
        if (type == MessageType.REFUSAL) {
            return V1Codec.decodeRefusal(bytes, key).orElseThrow();
        }
        throw new AssertionError("not an ACK or a refusal: type " + type);
    }

    Ack ack() {
        Object reply = reply();
        if (reply instanceof Ack ack) {
            return ack;
        }
        throw new AssertionError("expected an ACK, got " + reply);
    }

    @Override
    public void close() {
        socket.close();
    }
}
