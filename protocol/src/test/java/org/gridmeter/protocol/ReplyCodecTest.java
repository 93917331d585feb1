package org.gridmeter.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.gridmeter.protocol.Datagrams.KEY;
import static org.gridmeter.protocol.Datagrams.hex;
import static org.gridmeter.protocol.Datagrams.wrap;
import static org.gridmeter.protocol.Datagrams.withFixedCrc;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ACKs with several ranges and refusals: golden bytes (computed by PROTOCOL.md's Python), round trips, rejections. */
class ReplyCodecTest {

    /** Meter 7: sequences 20, 25 and 30 stored (a batch sent as 20, 30, 25). */
    private static final String ACK_THREE = "474d0102000300000007000000140000001400000019000000190000001e0000001ed6239ddd";
    /** Meter 7: 0..1 and 4294967294..4294967295 (a batch that wrapped). */
    private static final String ACK_WRAP = "474d01020002000000070000000000000001fffffffeffffffffcd2f942a";
    /** Meter 7: sequence 41 refused, a conflicting duplicate. */
    private static final String REFUSAL_CONFLICT = "474d0103000100000007010000002900000029e02e4afa";

    private static SequenceRange range(long first, long last) {
        return new SequenceRange(first, last);
    }

    @Test
    void ackCarriesEveryRangeToGoldenBytesAndBack() {
        Ack ack = new Ack(7, List.of(range(20, 20), range(25, 25), range(30, 30)));

        assertThat(V1Codec.encodeAck(ack, null)).isEqualTo(hex(ACK_THREE));
        assertThat(V1Codec.decodeAck(wrap(hex(ACK_THREE)), null).orElseThrow()).isEqualTo(ack);
        assertThat(ack.covers(25)).isTrue();
        assertThat(ack.covers(21)).isFalse();
        assertThat(ack.covers(29)).isFalse();
    }

    @Test
    void aWrappedRunIsTwoRanges() {
        Ack ack = new Ack(7, SequenceRange.covering(new long[] {4_294_967_294L, 4_294_967_295L, 0, 1}, 4));

        assertThat(ack.ranges()).containsExactly(range(0, 1), range(4_294_967_294L, 4_294_967_295L));
        assertThat(V1Codec.encodeAck(ack, null)).isEqualTo(hex(ACK_WRAP));
        assertThat(ack.covers(2)).isFalse();
        assertThat(ack.covers(4_294_967_293L)).isFalse();
    }

    @Test
    void refusalNamesItsReasonToGoldenBytesAndBack() {
        Refusal refusal = new Refusal(7, RefusalReason.CONFLICT, List.of(range(41, 41)));

        assertThat(V1Codec.encodeRefusal(refusal, null)).isEqualTo(hex(REFUSAL_CONFLICT));
        assertThat(V1Codec.decodeRefusal(wrap(hex(REFUSAL_CONFLICT)), null).orElseThrow()).isEqualTo(refusal);
        assertThat(V1Codec.replyType(wrap(hex(REFUSAL_CONFLICT)))).isEqualTo(MessageType.REFUSAL);
        assertThat(V1Codec.replyType(wrap(hex(ACK_THREE)))).isEqualTo(MessageType.ACK);
    }

    @Test
    void authenticatedRepliesNeedTheMeterKey() {
        Refusal refusal = new Refusal(9, RefusalReason.TOO_OLD, List.of(range(0, 4_294_967_295L)));
        byte[] bytes = V1Codec.encodeRefusal(refusal, KEY);

        assertThat(V1Codec.decodeRefusal(wrap(bytes), KEY).orElseThrow()).isEqualTo(refusal);
        assertThat(reason(V1Codec.decodeRefusal(wrap(bytes), null))).isEqualTo(RejectReason.UNKNOWN_KEY);
        assertThat(reason(V1Codec.decodeRefusal(wrap(bytes), new byte[] {1}))).isEqualTo(RejectReason.BAD_TAG);
    }

    @Test
    void theLargestAckFitsOneDatagram() {
        List<SequenceRange> ranges = new ArrayList<>();
        for (int i = 0; i < Wire.MAX_RANGES; i++) {
            ranges.add(range(2L * i, 2L * i));
        }
        byte[] bytes = V1Codec.encodeAck(new Ack(7, ranges), KEY);

        assertThat(bytes.length).isLessThanOrEqualTo(Wire.MAX_DATAGRAM_SIZE);
        assertThat(V1Codec.decodeAck(wrap(bytes), KEY).orElseThrow().ranges()).hasSize(Wire.MAX_RANGES);
    }

    @Test
    void rejectsARangeWhoseFirstIsAboveItsLast() {
        byte[] bytes = hex(ACK_WRAP);
        bytes[Wire.HEADER_SIZE + 3] = 5; // the first range becomes 5..1
        assertThat(reason(V1Codec.decodeAck(wrap(withFixedCrc(bytes)), null)))
                .isEqualTo(RejectReason.VALUE_OUT_OF_RANGE);
    }

    @Test
    void rejectsAnUnknownRefusalReasonAndARefusalReadAsAnAck() {
        byte[] bytes = hex(REFUSAL_CONFLICT);
        bytes[Wire.OFFSET_REFUSAL_REASON] = 0x7f;
        assertThat(reason(V1Codec.decodeRefusal(wrap(withFixedCrc(bytes)), null)))
                .isEqualTo(RejectReason.VALUE_OUT_OF_RANGE);
        assertThat(reason(V1Codec.decodeAck(wrap(hex(REFUSAL_CONFLICT)), null))).isEqualTo(RejectReason.UNKNOWN_TYPE);
    }

    @Test
    void rejectsACountThatDisagreesWithTheLength() {
        byte[] bytes = hex(ACK_THREE);
        bytes[Wire.OFFSET_COUNT] = 2;
        assertThat(reason(V1Codec.decodeAck(wrap(withFixedCrc(bytes)), null))).isEqualTo(RejectReason.LENGTH_MISMATCH);
    }

    @Test
    void coveringMergesRunsAndRepeats() {
        assertThat(SequenceRange.covering(new long[] {20, 30, 25}, 3))
                .containsExactly(range(20, 20), range(25, 25), range(30, 30));
        assertThat(SequenceRange.covering(new long[] {3, 1, 2, 2, 7, 8, 99}, 6))
                .containsExactly(range(1, 3), range(7, 8));
        assertThat(SequenceRange.covering(new long[0], 0)).isEmpty();
    }

    private static RejectReason reason(DecodeResult<?> result) {
        return ((DecodeResult.Rejected<?>) result).reason();
    }
}
