package org.gridmeter.meter;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultInjectorTest {

    @Test
    void losesDuplicatesAndReordersAboutTheAskedShares() {
        FaultInjector faults = new FaultInjector(0.2, 0.1, 0.1, 1);
        List<Integer> sent = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            faults.send(new byte[] {(byte) i, (byte) (i >> 8)}, d -> sent.add((d[0] & 0xFF) | (d[1] & 0xFF) << 8));
        }
        faults.releaseHeldBack(d -> sent.add((d[0] & 0xFF) | (d[1] & 0xFF) << 8));

        assertThat(faults.lost).isBetween(1800L, 2200L);
        assertThat(sent.size()).isEqualTo(10_000 - faults.lost + faults.duplicated);
        int outOfOrder = 0;
        for (int i = 1; i < sent.size(); i++) {
            outOfOrder += sent.get(i) < sent.get(i - 1) ? 1 : 0;
        }
        assertThat(outOfOrder).as("held-back datagrams arrive after later ones").isPositive();
    }

    @Test
    void withoutFaultsEverythingGoesOutOnceInOrder() {
        FaultInjector none = new FaultInjector(0, 0, 0, 1);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            none.send(new byte[] {(byte) i}, sent::add);
        }
        assertThat(sent).hasSize(100);
        for (int i = 0; i < 100; i++) {
            assertThat(sent.get(i)[0]).isEqualTo((byte) i);
        }
    }
}
