package org.gridmeter.server.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.gridmeter.protocol.Reading.NO_POWER;
import static org.gridmeter.protocol.Reading.NO_SEQUENCE;

import java.util.List;
import org.gridmeter.server.usage.ConsumptionChain.Decision;
import org.junit.jupiter.api.Test;

class ConsumptionChainTest {

    private final ConsumptionChain chain = new ConsumptionChain();

    @Test
    void firstReadingCountsFromZero() {
        assertThat(chain.feed(1000, 5_000, 0, 100)).containsExactly(new Decision(1000, 5_000, ReadingKind.NORMAL, null, 1000));
    }

    @Test
    void consumptionIsTheDifferenceOfCumulativeValues() {
        chain.feed(1000, 5_000, 0, 100);

        assertThat(chain.feed(6000, 7_500, 1, 100)).containsExactly(new Decision(6000, 2_500, ReadingKind.NORMAL, null, 1000));
        assertThat(chain.levelMwh()).isEqualTo(7_500);
    }

    @Test
    void aSequenceRestartWithALowerValueIsAResetAtOnce() {
        chain.feed(1000, 90_000, 41, 100);

        List<Decision> decisions = chain.feed(6000, 300, 0, 100);

        assertThat(decisions).containsExactly(new Decision(6000, 300, ReadingKind.RESET, null, 1000));
        assertThat(chain.feed(11_000, 900, 1, 100)).containsExactly(new Decision(11_000, 600, ReadingKind.NORMAL, null, 6000));
    }

    @Test
    void aTransientDropIsAGlitchAndNeverASpike() {
        chain.feed(1000, 90_000, 1, 100);

        assertThat(chain.feed(6000, 0, 2, 100)).containsExactly(new Decision(6000, 0, ReadingKind.PENDING, null, 6000));
        assertThat(chain.feed(11_000, 90_400, 3, 100)).containsExactly(
                new Decision(6000, 0, ReadingKind.GLITCH, null, 6000),
                new Decision(11_000, 400, ReadingKind.NORMAL, null, 1000));
    }

    @Test
    void twoReadingsBelowTheOldLevelMeanTheCounterWasResetAtTheFirst() {
        chain.feed(1000, 90_000, NO_SEQUENCE, NO_POWER);

        chain.feed(6000, 200, NO_SEQUENCE, NO_POWER);
        List<Decision> decisions = chain.feed(11_000, 700, NO_SEQUENCE, NO_POWER);

        assertThat(decisions).extracting(Decision::timestampMillis, Decision::deltaMwh, Decision::kind)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(6000L, 200L, ReadingKind.RESET),
                        org.assertj.core.groups.Tuple.tuple(11_000L, 500L, ReadingKind.NORMAL));
    }

    @Test
    void consumptionIsSpreadFromTheLastLevelSoAGlitchInBetweenDoesNotCutTheInterval() {
        chain.feed(1000, 90_000, 1, 100);
        chain.feed(6000, 0, 2, 100);

        Decision after = chain.feed(11_000, 90_400, 3, 100).get(1);

        assertThat(after.fromMillis()).isEqualTo(1000);
    }

    @Test
    void legacyMetersGetTheirPowerFromConsumption() {
        chain.feed(0, 0, NO_SEQUENCE, NO_POWER);

        // 1,000 mWh in 5 s = 3.6 J / 5 ms ... 1 Wh in 5 s is 720 W.
        Decision d = chain.feed(5000, 1000, NO_SEQUENCE, NO_POWER).get(0);

        assertThat(d.derivedPowerW()).isEqualTo(720);
    }

    @Test
    void resumesExactlyFromItsSavedState() {
        ConsumptionChain resumed = new ConsumptionChain(new ConsumptionChain.Point(1000, 90_000, 5),
                new ConsumptionChain.Point(6000, 10, 6), 6);

        assertThat(resumed.feed(11_000, 95_000, 7, 1)).extracting(Decision::kind)
                .containsExactly(ReadingKind.GLITCH, ReadingKind.NORMAL);
    }
}
