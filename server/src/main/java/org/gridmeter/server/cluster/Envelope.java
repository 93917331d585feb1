package org.gridmeter.server.cluster;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A datagram carried between two nodes of a cluster (protocol/PROTOCOL.md, "Between nodes"): a
 * meter's datagram a node passes to the partition's owner ({@link #FORWARD}), or the owner's ACK or
 * refusal for the forwarding node to pass to the meter ({@link #REPLY}). Layout, big-endian:
 * magic {@code "GMFW"}, version 1, kind, address length (4 or 16), the meter's address, its port
 * (2 bytes), the inner datagram, then 16 bytes of HMAC-SHA256 over everything before under the
 * cluster's key, so no one outside the cluster can make a node store or send on its behalf.
 */
public final class Envelope {

    public static final int MAGIC = 0x474D4657; // "GMFW"
    public static final byte FORWARD = 1;
    public static final byte REPLY = 2;
    private static final int TAG = 16;

    /** An envelope that passed its check. */
    public record Opened(byte kind, InetSocketAddress meter, ByteBuffer inner) {
    }

    /** One MAC per thread (the UDP event loop, the writer), keyed once: making one per datagram costs more than the rest. */
    private final ThreadLocal<Mac> macs;

    Envelope(byte[] key) {
        SecretKeySpec spec = new SecretKeySpec(key, "HmacSHA256");
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(spec);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
            }
        });
    }

    /** Whether the bytes from the buffer's position start like an envelope (its magic). */
    public static boolean looksLikeOne(ByteBuffer datagram) {
        return datagram.remaining() >= 4 && datagram.getInt(datagram.position()) == MAGIC;
    }

    public byte[] seal(byte kind, InetSocketAddress meter, ByteBuffer inner) {
        byte[] address = meter.getAddress().getAddress();
        ByteBuffer out = ByteBuffer.allocate(4 + 3 + address.length + 2 + inner.remaining() + TAG);
        out.putInt(MAGIC).put((byte) 1).put(kind).put((byte) address.length).put(address)
                .putShort((short) meter.getPort()).put(inner.duplicate());
        out.put(tag(out.array(), out.position()));
        return out.array();
    }

    /** The envelope's contents, or {@code null} if it is malformed or its tag is wrong. */
    public Opened open(ByteBuffer datagram) {
        ByteBuffer in = datagram.slice();
        if (in.remaining() < 4 + 3 + 4 + 2 + TAG || in.getInt() != MAGIC || in.get() != 1) {
            return null;
        }
        byte kind = in.get();
        int length = in.get();
        if ((kind != FORWARD && kind != REPLY) || (length != 4 && length != 16) || in.remaining() < length + 2 + TAG) {
            return null;
        }
        byte[] bytes = new byte[in.limit()];
        in.get(0, bytes);
        int body = bytes.length - TAG;
        byte[] expected = tag(bytes, body);
        byte[] given = java.util.Arrays.copyOfRange(bytes, body, bytes.length);
        if (!MessageDigest.isEqual(expected, given)) {
            return null;
        }
        byte[] address = java.util.Arrays.copyOfRange(bytes, 7, 7 + length);
        int port = ((bytes[7 + length] & 0xFF) << 8) | (bytes[8 + length] & 0xFF);
        try {
            return new Opened(kind, new InetSocketAddress(InetAddress.getByAddress(address), port),
                    ByteBuffer.wrap(bytes, 9 + length, body - 9 - length).slice());
        } catch (UnknownHostException e) {
            return null; // cannot happen for 4 or 16 bytes
        }
    }

    private byte[] tag(byte[] bytes, int length) {
        Mac mac = macs.get();
        mac.update(bytes, 0, length);
        return java.util.Arrays.copyOf(mac.doFinal(), TAG); // doFinal resets the MAC for the next datagram
    }
}
