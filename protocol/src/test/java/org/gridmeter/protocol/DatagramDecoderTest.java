package org.gridmeter.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.gridmeter.protocol.Datagrams.wrap;
import static org.gridmeter.protocol.V1CodecTest.reason;

import java.util.List;
import org.junit.jupiter.api.Test;

class DatagramDecoderTest {

    private final byte[] legacy = LegacyDatagramCodec.encode(3, 1_700_000_000L, 100f);
    private final byte[] v1 = V1Codec.encodeReadings(
            new ReadingBatch(3, List.of(new Reading(0, 1_700_000_000_000L, 10_000, 500)), Integrity.CRC32C, false),
            null);

    @Test
    void thirtySixBytesAreLegacyAndLongerDatagramsAreVersion1() {
        DatagramDecoder decoder = new DatagramDecoder(KeyLookup.NONE, true);

        assertThat(decoder.decode(wrap(legacy)).orElseThrow().integrity()).isEqualTo(Integrity.LEGACY_MD5);
        assertThat(decoder.decode(wrap(v1)).orElseThrow().integrity()).isEqualTo(Integrity.CRC32C);
    }

    @Test
    void legacyDatagramsAreRejectedWhenTurnedOff() {
        DatagramDecoder decoder = new DatagramDecoder(KeyLookup.NONE, false);

        assertThat(reason(decoder.decode(wrap(legacy)))).isEqualTo(RejectReason.LEGACY_DISABLED);
        assertThat(decoder.decode(wrap(v1)).orElseThrow().meterId()).isEqualTo(3);
    }
}
