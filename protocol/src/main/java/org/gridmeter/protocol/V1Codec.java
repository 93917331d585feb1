package org.gridmeter.protocol;

import static org.gridmeter.protocol.Wire.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes and decodes version-1 datagrams (readings, ACKs and refusals). Pure functions over
 * {@link ByteBuffer}s in big-endian order; decoding reads absolutely from the buffer's position to
 * its limit and never moves them. Thread-safe.
 */
public final class V1Codec {

    /** Smallest valid readings datagram: header, one reading, CRC. */
    public static final int MIN_READINGS_SIZE = HEADER_SIZE + READING_SIZE + CRC_SIZE;
    /** Smallest valid ACK datagram: header, one range, CRC. */
    public static final int MIN_ACK_SIZE = HEADER_SIZE + ACK_RANGE_SIZE + CRC_SIZE;
    /** The largest ACK or refusal: header, reason byte, {@link Wire#MAX_RANGES} ranges, a tag. */
    public static final int MAX_REPLY_SIZE = HEADER_SIZE + 1 + MAX_RANGES * ACK_RANGE_SIZE + TAG_SIZE;


    private V1Codec() {
    }

    /**
     * Writes {@code batch} at {@code out}'s position and advances it.
     *
     * @param key the meter's HMAC key; required when {@code batch.integrity()} is {@link Integrity#HMAC}
     * @return the number of bytes written
     * @throws IllegalArgumentException if the batch does not fit one datagram or cannot be encoded so
     */
    public static int encodeReadings(ReadingBatch batch, byte[] key, ByteBuffer out) {
        int flags = integrityFlag(batch.integrity(), key)
                | (batch.hasExport() ? FLAG_EXPORT : 0)
                | (batch.ackRequested() ? FLAG_ACK_REQUEST : 0);
        int count = batch.readings().size();
        if (count > maxReadings(flags)) {
            throw new IllegalArgumentException("readings: " + count + " (expected: 1.." + maxReadings(flags)
                    + " with these flags, to stay within " + MAX_DATAGRAM_SIZE + " bytes)");
        }
        requireBigEndian(out);
        int start = out.position();
        putHeader(out, MessageType.READINGS, flags, count, batch.meterId());
        for (Reading r : batch.readings()) {
            if (r.sequence() == Reading.NO_SEQUENCE || !r.hasPower()) {
                throw new IllegalArgumentException("version 1 needs a sequence and a power in every reading: " + r);
            }
            out.putInt((int) r.sequence());
            out.putLong(r.timestampMillis());
            out.putLong(r.energyMwh());
            out.putInt(r.powerW());
            if ((flags & FLAG_EXPORT) != 0) {
                out.putLong(r.hasExport() ? r.exportedMwh() : 0);
            }
        }
        putTrailer(out, start, flags, key);
        return out.position() - start;
    }

    /** Encodes {@code batch} into a new array of exactly the datagram's length. */
    public static byte[] encodeReadings(ReadingBatch batch, byte[] key) {
        return toArray(ByteBuffer.allocate(MAX_DATAGRAM_SIZE), buf -> encodeReadings(batch, key, buf));
    }

    /**
     * Decodes a readings datagram.
     *
     * @param keys finds the meter's key when the datagram is authenticated
     */
    public static DecodeResult<ReadingBatch> decodeReadings(ByteBuffer buf, KeyLookup keys) {
        requireBigEndian(buf);
        int base = buf.position();
        int length = buf.remaining();
        DecodeResult<ReadingBatch> header = checkHeader(buf, MessageType.READINGS, MIN_READINGS_SIZE);
        if (header != null) {
            return header;
        }
        int flags = buf.get(base + OFFSET_FLAGS) & 0xFF;
        int count = buf.get(base + OFFSET_COUNT) & 0xFF;
        int readingSize = readingSize(flags);
        int expected = HEADER_SIZE + count * readingSize + trailerSize(flags);
        if (count == 0 || length != expected) {
            return DecodeResult.rejected(RejectReason.LENGTH_MISMATCH, "length: " + length + " with count " + count
                    + " (expected: " + HEADER_SIZE + " + count * " + readingSize + " + " + trailerSize(flags)
                    + ", count >= 1)");
        }
        long meterId = Integer.toUnsignedLong(buf.getInt(base + OFFSET_METER_ID));
        boolean previousKey = false;
        DecodeResult<ReadingBatch> integrity = checkTrailer(buf, flags, meterId, keys::keyFor);
        if (integrity != null && integrity instanceof DecodeResult.Rejected<ReadingBatch> r
                && r.reason() == RejectReason.BAD_TAG && keys.previousKeyFor(meterId) != null) {
            // a key being changed: the meter may still sign with the one before, for a while
            previousKey = checkTrailer(buf, flags, meterId, keys::previousKeyFor) == null;
            integrity = previousKey ? null : integrity;
        }
        if (integrity != null) {
            return integrity;
        }
        if (meterId == 0) {
            return DecodeResult.rejected(RejectReason.VALUE_OUT_OF_RANGE, "meter id: 0 (expected: 1..4294967295)");
        }
        List<Reading> readings = new ArrayList<>(count);
        for (int i = 0, at = base + HEADER_SIZE; i < count; i++, at += readingSize) {
            long sequence = Integer.toUnsignedLong(buf.getInt(at + READING_OFFSET_SEQUENCE));
            long timestamp = buf.getLong(at + READING_OFFSET_TIMESTAMP);
            long energy = buf.getLong(at + READING_OFFSET_ENERGY);
            int power = buf.getInt(at + READING_OFFSET_POWER);
            long exported = (flags & FLAG_EXPORT) != 0 ? buf.getLong(at + READING_OFFSET_EXPORTED) : Reading.NO_EXPORT;
            if (timestamp < 0 || timestamp > MAX_TIMESTAMP_MILLIS) {
                return DecodeResult.rejected(RejectReason.VALUE_OUT_OF_RANGE, "reading " + i + " timestamp: "
                        + timestamp + " (expected: 0.." + MAX_TIMESTAMP_MILLIS + ")");
            }
            if (energy < 0) {
                return DecodeResult.rejected(RejectReason.VALUE_OUT_OF_RANGE,
                        "reading " + i + " energy: " + energy + " mWh (expected: >= 0)");
            }
            if (exported < 0 && (flags & FLAG_EXPORT) != 0) {
                return DecodeResult.rejected(RejectReason.VALUE_OUT_OF_RANGE,
                        "reading " + i + " exported energy: " + exported + " mWh (expected: >= 0)");
            }
            if (power == Reading.NO_POWER) {
                return DecodeResult.rejected(RejectReason.VALUE_OUT_OF_RANGE,
                        "reading " + i + " power: " + power + " W (expected: > " + Reading.NO_POWER + ")");
            }
            readings.add(new Reading(sequence, timestamp, energy, power, exported));
        }
        Integrity integrityKind = (flags & FLAG_AUTH) != 0 ? Integrity.HMAC : Integrity.CRC32C;
        return DecodeResult.ok(new ReadingBatch(meterId, readings, integrityKind, (flags & FLAG_ACK_REQUEST) != 0,
                previousKey));
    }

    /**
     * Writes an ACK at {@code out}'s position and advances it: every range of {@code ack}, in order.
     *
     * @param key the meter's key to authenticate the ACK with, or {@code null} for a CRC-32C trailer
     * @return the number of bytes written
     */
    public static int encodeAck(Ack ack, byte[] key, ByteBuffer out) {
        return encodeReply(MessageType.ACK, ack.meterId(), null, ack.ranges(), key, out);
    }

    /** Encodes an ACK into a new array of exactly the datagram's length. */
    public static byte[] encodeAck(Ack ack, byte[] key) {
        return toArray(ByteBuffer.allocate(MAX_DATAGRAM_SIZE), buf -> encodeAck(ack, key, buf));
    }

    /** Writes a refusal at {@code out}'s position and advances it; see {@link #encodeAck(Ack, byte[], ByteBuffer)}. */
    public static int encodeRefusal(Refusal refusal, byte[] key, ByteBuffer out) {
        return encodeReply(MessageType.REFUSAL, refusal.meterId(), refusal.reason(), refusal.ranges(), key, out);
    }

    /** Encodes a refusal into a new array of exactly the datagram's length. */
    public static byte[] encodeRefusal(Refusal refusal, byte[] key) {
        return toArray(ByteBuffer.allocate(MAX_DATAGRAM_SIZE), buf -> encodeRefusal(refusal, key, buf));
    }

    private static int encodeReply(MessageType type, long meterId, RefusalReason reason, List<SequenceRange> ranges,
            byte[] key, ByteBuffer out) {
        requireBigEndian(out);
        int flags = key != null ? FLAG_AUTH : 0;
        int start = out.position();
        putHeader(out, type, flags, ranges.size(), meterId);
        if (reason != null) {
            out.put(reason.byteValue());
        }
        for (SequenceRange r : ranges) {
            out.putInt((int) r.first());
            out.putInt((int) r.last());
        }
        putTrailer(out, start, flags, key);
        return out.position() - start;
    }

    /**
     * The type of a server-to-meter datagram (byte 3), so a meter knows which decoder to call;
     * {@code null} if it is too short to have one or is not a version-1 datagram.
     */
    public static MessageType replyType(ByteBuffer buf) {
        int base = buf.position();
        if (buf.remaining() < HEADER_SIZE || (buf.getShort(base + OFFSET_MAGIC) & 0xFFFF) != MAGIC
                || buf.get(base + OFFSET_VERSION) != VERSION_1) {
            return null;
        }
        return MessageType.valueOf(buf.get(base + OFFSET_TYPE));
    }

    /**
     * Decodes an ACK datagram (the meter's side), with every range it carries.
     *
     * @param key the meter's key, or {@code null} if it has none
     */
    public static DecodeResult<Ack> decodeAck(ByteBuffer buf, byte[] key) {
        DecodeResult<Reply> reply = decodeReply(buf, MessageType.ACK, key);
        if (reply instanceof DecodeResult.Rejected<Reply> r) {
            return DecodeResult.rejected(r.reason(), r.detail());
        }
        Reply ok = reply.orElseThrow();
        return DecodeResult.ok(new Ack(ok.meterId, ok.ranges));
    }

    /**
     * Decodes a refusal datagram (the meter's side).
     *
     * @param key the meter's key, or {@code null} if it has none
     */
    public static DecodeResult<Refusal> decodeRefusal(ByteBuffer buf, byte[] key) {
        DecodeResult<Reply> reply = decodeReply(buf, MessageType.REFUSAL, key);
        if (reply instanceof DecodeResult.Rejected<Reply> r) {
            return DecodeResult.rejected(r.reason(), r.detail());
        }
        Reply ok = reply.orElseThrow();
        return DecodeResult.ok(new Refusal(ok.meterId, ok.reason, ok.ranges));
    }

    /** What ACKs and refusals share. */
    private record Reply(long meterId, RefusalReason reason, List<SequenceRange> ranges) {
    }

    private static DecodeResult<Reply> decodeReply(ByteBuffer buf, MessageType type, byte[] key) {
        requireBigEndian(buf);
        int base = buf.position();
        int length = buf.remaining();
        int reasonSize = type == MessageType.REFUSAL ? 1 : 0;
        DecodeResult<Reply> header = checkHeader(buf, type, MIN_ACK_SIZE + reasonSize);
        if (header != null) {
            return header;
        }
        int flags = buf.get(base + OFFSET_FLAGS) & 0xFF;
        int count = buf.get(base + OFFSET_COUNT) & 0xFF;
        int expected = HEADER_SIZE + reasonSize + count * ACK_RANGE_SIZE + trailerSize(flags);
        if (count == 0 || length != expected || (flags & ~FLAG_AUTH) != 0) {
            return DecodeResult.rejected(RejectReason.LENGTH_MISMATCH, type + " length: " + length + " with count "
                    + count + " and flags 0x" + Integer.toHexString(flags) + " (expected: " + (HEADER_SIZE + reasonSize)
                    + " + count * " + ACK_RANGE_SIZE + " + " + trailerSize(flags) + ", count >= 1, flags 0 or 1)");
        }
        long meterId = Integer.toUnsignedLong(buf.getInt(base + OFFSET_METER_ID));
        DecodeResult<Reply> integrity = checkTrailer(buf, flags, meterId, id -> key);
        if (integrity != null) {
            return integrity;
        }
        if (meterId == 0) {
            return DecodeResult.rejected(RejectReason.VALUE_OUT_OF_RANGE, type + " meter id: 0 (expected: 1..4294967295)");
        }
        RefusalReason reason = null;
        if (reasonSize == 1) {
            byte code = buf.get(base + OFFSET_REFUSAL_REASON);
            reason = RefusalReason.valueOf(code);
            if (reason == null) {
                return DecodeResult.rejected(RejectReason.VALUE_OUT_OF_RANGE, "refusal reason: 0x"
                        + Integer.toHexString(code & 0xFF) + " (expected: 0x01 conflict or 0x02 too_old)");
            }
        }
        List<SequenceRange> ranges = new ArrayList<>(count);
        for (int i = 0, at = base + HEADER_SIZE + reasonSize; i < count; i++, at += ACK_RANGE_SIZE) {
            long first = Integer.toUnsignedLong(buf.getInt(at));
            long last = Integer.toUnsignedLong(buf.getInt(at + 4));
            if (first > last) {
                return DecodeResult.rejected(RejectReason.VALUE_OUT_OF_RANGE, type + " range " + i + ": " + first
                        + ".." + last + " (expected: first <= last; a range never wraps)");
            }
            ranges.add(new SequenceRange(first, last));
        }
        return DecodeResult.ok(new Reply(meterId, reason, ranges));
    }

    /** The header checks shared by every type: size bounds, magic, version, type, flags. */
    private static <T> DecodeResult<T> checkHeader(ByteBuffer buf, MessageType expectedType, int minSize) {
        int base = buf.position();
        int length = buf.remaining();
        if (length > MAX_DATAGRAM_SIZE) {
            return DecodeResult.rejected(RejectReason.OVERSIZE,
                    "length: " + length + " (expected: at most " + MAX_DATAGRAM_SIZE + ")");
        }
        if (length < minSize) {
            return DecodeResult.rejected(RejectReason.TOO_SHORT,
                    "length: " + length + " (expected: " + minSize + ".." + MAX_DATAGRAM_SIZE + ")");
        }
        int magic = buf.getShort(base + OFFSET_MAGIC) & 0xFFFF;
        if (magic != MAGIC) {
            return DecodeResult.rejected(RejectReason.BAD_MAGIC,
                    "magic: 0x" + Integer.toHexString(magic) + " (expected: 0x" + Integer.toHexString(MAGIC) + ")");
        }
        byte version = buf.get(base + OFFSET_VERSION);
        if (version != VERSION_1) {
            return DecodeResult.rejected(RejectReason.UNKNOWN_VERSION,
                    "version: " + (version & 0xFF) + " (expected: " + VERSION_1 + ")");
        }
        byte type = buf.get(base + OFFSET_TYPE);
        if (MessageType.valueOf(type) != expectedType) {
            return DecodeResult.rejected(RejectReason.UNKNOWN_TYPE, "type: 0x" + Integer.toHexString(type & 0xFF)
                    + " (expected: 0x0" + expectedType.byteValue() + ", " + expectedType + ")");
        }
        int flags = buf.get(base + OFFSET_FLAGS) & 0xFF;
        if ((flags & ~KNOWN_FLAGS) != 0) {
            return DecodeResult.rejected(RejectReason.UNKNOWN_FLAGS, "flags: 0x" + Integer.toHexString(flags)
                    + " (expected: only bits 0x" + Integer.toHexString(KNOWN_FLAGS) + ")");
        }
        return null;
    }

    /** Verifies the CRC-32C or the HMAC tag at the end of the datagram; {@code null} if it holds. */
    private static <T> DecodeResult<T> checkTrailer(ByteBuffer buf, int flags, long meterId, KeyLookup keys) {
        int base = buf.position();
        int end = buf.limit();
        if ((flags & FLAG_AUTH) == 0) {
            long expected = Checksums.crc32c(buf, base, end - CRC_SIZE);
            long actual = Integer.toUnsignedLong(buf.getInt(end - CRC_SIZE));
            return expected == actual ? null : DecodeResult.rejected(RejectReason.BAD_CRC, "crc32c: 0x"
                    + Long.toHexString(actual) + " (expected: 0x" + Long.toHexString(expected) + ")");
        }
        byte[] key = keys.keyFor(meterId);
        if (key == null) {
            return DecodeResult.rejected(RejectReason.UNKNOWN_KEY, "meter " + meterId
                    + " sent an authenticated datagram but has no key (register one with chave_medidor)");
        }
        byte[] tag = Checksums.hmacSha256(key, buf, base, end - TAG_SIZE);
        return Checksums.tagMatches(buf, end - TAG_SIZE, tag, TAG_SIZE) ? null
                : DecodeResult.rejected(RejectReason.BAD_TAG, "HMAC tag of meter " + meterId
                        + " does not match its key");
    }

    private static void putHeader(ByteBuffer out, MessageType type, int flags, int count, long meterId) {
        out.putShort((short) MAGIC);
        out.put(VERSION_1);
        out.put(type.byteValue());
        out.put((byte) flags);
        out.put((byte) count);
        out.putInt((int) meterId);
    }

    private static void putTrailer(ByteBuffer out, int start, int flags, byte[] key) {
        int end = out.position();
        if ((flags & FLAG_AUTH) != 0) {
            out.put(Checksums.hmacSha256(key, out, start, end), 0, TAG_SIZE);
        } else {
            out.putInt((int) Checksums.crc32c(out, start, end));
        }
    }

    private static int integrityFlag(Integrity integrity, byte[] key) {
        return switch (integrity) {
            case CRC32C -> 0;
            case HMAC -> {
                if (key == null || key.length == 0) {
                    throw new IllegalArgumentException("key: missing (an HMAC datagram needs the meter's key)");
                }
                yield FLAG_AUTH;
            }
            case LEGACY_MD5 -> throw new IllegalArgumentException(
                    "integrity: LEGACY_MD5 (use LegacyDatagramCodec for legacy datagrams)");
        };
    }

    private static void requireBigEndian(ByteBuffer buf) {
        if (buf.order() != ByteOrder.BIG_ENDIAN) {
            throw new IllegalArgumentException("byte order: " + buf.order() + " (expected: BIG_ENDIAN)");
        }
    }

    private static byte[] toArray(ByteBuffer scratch, java.util.function.ToIntFunction<ByteBuffer> encoder) {
        int length = encoder.applyAsInt(scratch);
        byte[] bytes = new byte[length];
        scratch.flip().get(bytes);
        return bytes;
    }
}
