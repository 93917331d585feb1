package org.gridmeter.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.gridmeter.protocol.Datagrams.wrap;

import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Feeds 100,000+ random and mutated datagrams to the server's decoder: each must come back as a
 * value or a rejection reason, never an exception, and each value must re-encode to the very bytes
 * it came from (so nothing is silently misread).
 */
class DatagramFuzzTest {

    private static final int CASES = 120_000;
    private final DatagramDecoder decoder = new DatagramDecoder(Datagrams.KEYS, true);

    @Test
    void randomAndMutatedDatagramsOnlyEverYieldAValueOrAReason() {
        Random random = new Random(0x6D65746572L);
        Map<RejectReason, Integer> reasons = new EnumMap<>(RejectReason.class);
        int decoded = 0;
        for (int i = 0; i < CASES; i++) {
            byte[] input = switch (i % 4) {
                case 0 -> randomBytes(random);
                case 1 -> mutate(random, validDatagram(random));
                case 2 -> deepMutation(random);
                default -> structuredGarbage(random);
            };
            DecodeResult<ReadingBatch> result = decoder.decode(wrap(input.clone()));
            if (result instanceof DecodeResult.Ok<ReadingBatch> ok) {
                decoded++;
                assertFaithful(ok.value(), input, i);
            } else if (result instanceof DecodeResult.Rejected<ReadingBatch> rejected) {
                assertThat(rejected.detail()).isNotBlank();
                reasons.merge(rejected.reason(), 1, Integer::sum);
            }
        }
        assertThat(decoded).as("some mutations leave a valid datagram: the faithfulness check ran").isPositive();
        assertThat(reasons.keySet()).containsAll(java.util.EnumSet.complementOf(
                java.util.EnumSet.of(RejectReason.LEGACY_DISABLED)));
    }

    /** A version-1 value re-encodes to its very bytes; a legacy one (padding is not kept) to its id and time. */
    private static void assertFaithful(ReadingBatch batch, byte[] input, int i) {
        if (batch.integrity() != Integrity.LEGACY_MD5) {
            assertThat(Datagrams.encode(batch)).as("case %d re-encodes to its input", i).isEqualTo(input);
            return;
        }
        java.nio.ByteBuffer le = java.nio.ByteBuffer.wrap(input).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThat(batch.meterId()).isEqualTo(Integer.toUnsignedLong(le.getInt(0)));
        assertThat(batch.readings().get(0).timestampMillis()).isEqualTo(le.getLong(8) * 1000);
    }

    private static byte[] randomBytes(Random random) {
        byte[] bytes = new byte[random.nextInt(1500)];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] validDatagram(Random random) {
        if (random.nextInt(8) == 0) {
            return LegacyDatagramCodec.encode(1 + random.nextInt(1000), random.nextInt(2_000_000_000),
                    random.nextFloat() * 1e6f);
        }
        return Datagrams.encode(Datagrams.randomBatch(random));
    }

    /** Bit flips, byte overwrites, truncation and extension of a valid datagram. */
    private static byte[] mutate(Random random, byte[] valid) {
        byte[] bytes = valid;
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            switch (random.nextInt(4)) {
                case 0 -> bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
                case 1 -> bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                case 2 -> bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
                default -> bytes = java.util.Arrays.copyOf(bytes, bytes.length + 1 + random.nextInt(64));
            }
            if (bytes.length == 0) {
                return bytes;
            }
        }
        return bytes;
    }

    /** A mutated header or reading whose CRC is repaired, so the checks past the CRC are exercised. */
    private static byte[] deepMutation(Random random) {
        ReadingBatch batch = Datagrams.randomBatch(random);
        if (batch.integrity() == Integrity.HMAC) {
            batch = new ReadingBatch(batch.meterId(), batch.readings(), Integrity.CRC32C, batch.ackRequested());
        }
        byte[] bytes = Datagrams.encode(batch);
        int at = random.nextInt(bytes.length - Wire.CRC_SIZE);
        if (random.nextBoolean()) {
            bytes[at] ^= (byte) (1 << random.nextInt(8));
        } else {
            java.nio.ByteBuffer.wrap(bytes).put(at, (byte) 0x80); // sign bits: negative values
        }
        return Datagrams.withFixedCrc(bytes);
    }

    /** A valid-looking header with random rest, sometimes of a length the count agrees with. */
    private static byte[] structuredGarbage(Random random) {
        byte[] bytes = randomBytes(random);
        if (bytes.length >= Wire.HEADER_SIZE + Wire.CRC_SIZE) {
            bytes[0] = 0x47;
            bytes[1] = 0x4D;
            bytes[2] = random.nextInt(10) == 0 ? (byte) random.nextInt(4) : Wire.VERSION_1;
            bytes[3] = random.nextInt(10) == 0 ? (byte) random.nextInt(4) : MessageType.READINGS.byteValue();
            bytes[4] = (byte) random.nextInt(random.nextInt(10) == 0 ? 256 : 8);
        }
        return bytes;
    }
}
