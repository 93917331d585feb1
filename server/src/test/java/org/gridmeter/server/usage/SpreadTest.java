package org.gridmeter.server.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SpreadTest {

    @Test
    void spreadsEvenlyOverTheInterval() {
        // 1,000 mWh over (0, 100]: a quarter falls in [0, 25), the rest after
        assertThat(Spread.portion(1000, 0, 100, 0, 25)).isEqualTo(250);
        assertThat(Spread.portion(1000, 0, 100, 25, 1000)).isEqualTo(750);
        assertThat(Spread.portion(1000, 0, 100, 200, 300)).isZero();
    }

    @Test
    void aReadingWithNothingBeforeItIsAPointAtItsTime() {
        assertThat(Spread.portion(500, 100, 100, 0, 100)).isZero();
        assertThat(Spread.portion(500, 100, 100, 100, 101)).isEqualTo(500);
    }

    @Test
    void portionsOfAdjacentWindowsAddUpExactlyAndTakingBackUndoesExactly() {
        Random random = new Random(7);
        for (int i = 0; i < 10_000; i++) {
            long delta = random.nextInt(10_000_000);
            long from = random.nextInt(1_000_000);
            long to = from + 1 + random.nextInt(10_000_000);
            long sum = 0;
            long undo = 0;
            for (long w = from - 900; w < to + 900; w += 900) {
                sum += Spread.portion(delta, from, to, w, w + 900);
                undo += Spread.portion(-delta, from, to, w, w + 900);
                assertThat(Spread.portion(-delta, from, to, w, w + 900)).isEqualTo(-Spread.portion(delta, from, to, w, w + 900));
            }
            assertThat(sum).isEqualTo(delta);
            assertThat(undo).isEqualTo(-delta);
        }
    }

    @Test
    void hugeValuesDoNotOverflow() {
        long delta = Long.MAX_VALUE / 2;
        assertThat(Spread.portion(delta, 0, 4_000_000_000_000L, 0, 2_000_000_000_000L)).isEqualTo(delta / 2);
    }
}
