package org.gridmeter.protocol;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.zip.CRC32C;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The integrity functions of the format, over a region of a buffer, leaving the buffer's position
 * and limit as they were. Thread-safe: the JDK engines are kept per thread.
 */
final class Checksums {

    private static final ThreadLocal<Mac> HMAC = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance(Wire.HMAC_ALGORITHM);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK lacks " + Wire.HMAC_ALGORITHM, e);
        }
    });

    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK lacks MD5", e);
        }
    });

    private Checksums() {
    }

    /** CRC-32C (Castagnoli) of bytes {@code from..to-1}, as an unsigned 32-bit value. */
    static long crc32c(ByteBuffer buf, int from, int to) {
        CRC32C crc = new CRC32C();
        int position = buf.position();
        int limit = buf.limit();
        try {
            buf.limit(to).position(from);
            crc.update(buf);
        } finally {
            buf.limit(limit).position(position);
        }
        return crc.getValue();
    }

    /** The full 32-byte HMAC-SHA256 of bytes {@code from..to-1} with {@code key}. */
    static byte[] hmacSha256(byte[] key, ByteBuffer buf, int from, int to) {
        Mac mac = HMAC.get();
        int position = buf.position();
        int limit = buf.limit();
        try {
            mac.init(new SecretKeySpec(key, Wire.HMAC_ALGORITHM));
            buf.limit(to).position(from);
            mac.update(buf);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("HMAC key rejected: " + e.getMessage(), e);
        } finally {
            buf.limit(limit).position(position);
        }
    }

    /** Whether the {@code length}-byte tag at {@code offset} equals the start of {@code expected}, in constant time. */
    static boolean tagMatches(ByteBuffer buf, int offset, byte[] expected, int length) {
        int diff = 0;
        for (int i = 0; i < length; i++) {
            diff |= buf.get(offset + i) ^ expected[i];
        }
        return diff == 0;
    }

    /** The 16-byte MD5 digest of bytes {@code from..to-1}. */
    static byte[] md5(ByteBuffer buf, int from, int to) {
        MessageDigest md5 = MD5.get();
        int position = buf.position();
        int limit = buf.limit();
        try {
            buf.limit(to).position(from);
            md5.update(buf);
            return md5.digest();
        } finally {
            buf.limit(limit).position(position);
        }
    }
}
