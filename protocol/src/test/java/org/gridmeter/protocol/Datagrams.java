package org.gridmeter.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;

/** Test helpers: hex, random readings, and CRC repair for datagrams tampered with on purpose. */
final class Datagrams {

    static final byte[] KEY = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f");
    /** Meter 7 has {@link #KEY}; no other meter has a key. */
    static final KeyLookup KEYS = id -> id == 7 ? KEY : null;

    private Datagrams() {
    }

    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s+", ""));
    }

    static ByteBuffer wrap(byte[] bytes) {
        return ByteBuffer.wrap(bytes);
    }

    /** Recomputes the CRC-32C trailer of a version-1 datagram after its body was changed. */
    static byte[] withFixedCrc(byte[] datagram) {
        CRC32C crc = new CRC32C();
        crc.update(datagram, 0, datagram.length - Wire.CRC_SIZE);
        ByteBuffer.wrap(datagram).putInt(datagram.length - Wire.CRC_SIZE, (int) crc.getValue());
        return datagram;
    }

    static Reading randomReading(Random random, boolean export) {
        return new Reading(
                random.nextInt() & 0xFFFF_FFFFL,
                random.nextLong(Wire.MAX_TIMESTAMP_MILLIS + 1),
                random.nextBoolean() ? random.nextLong(Long.MAX_VALUE) : random.nextInt(10_000_000),
                random.nextInt(Integer.MIN_VALUE + 1, Integer.MAX_VALUE),
                export ? random.nextLong(Long.MAX_VALUE) : Reading.NO_EXPORT);
    }

    /** A random valid batch: any meter id but with a key only for meter 7. */
    static ReadingBatch randomBatch(Random random) {
        boolean auth = random.nextInt(4) == 0;
        boolean export = random.nextInt(4) == 0;
        int flags = (auth ? Wire.FLAG_AUTH : 0) | (export ? Wire.FLAG_EXPORT : 0);
        int count = random.nextInt(3) == 0 ? 1 + random.nextInt(Wire.maxReadings(flags)) : 1;
        List<Reading> readings = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            readings.add(randomReading(random, export));
        }
        long meterId = auth ? 7 : 1 + (random.nextInt() & 0x7FFF_FFFFL);
        return new ReadingBatch(meterId, readings, auth ? Integrity.HMAC : Integrity.CRC32C, random.nextBoolean());
    }

    static byte[] encode(ReadingBatch batch) {
        return V1Codec.encodeReadings(batch, batch.integrity() == Integrity.HMAC ? KEYS.keyFor(batch.meterId()) : null);
    }
}
