package org.gridmeter.meter;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Loss, duplication and reordering of outgoing datagrams, for demos and tests: a lost datagram is
 * never sent, a duplicated one is sent twice, a reordered one is held back and sent after the next.
 */
final class FaultInjector {

    private final double loss;
    private final double duplicate;
    private final double reorder;
    private final Random random;
    private final List<byte[]> heldBack = new ArrayList<>();
    /** Datagrams offered to {@link #send}. */
    long made;
    long lost;
    long duplicated;
    long reordered;

    FaultInjector(double loss, double duplicate, double reorder, long seed) {
        this.loss = loss;
        this.duplicate = duplicate;
        this.reorder = reorder;
        this.random = new Random(seed ^ 0x5DEECE66DL);
    }

    /** Passes {@code datagram} to {@code send} zero, one or two times, now or after the next one. */
    void send(byte[] datagram, Consumer<byte[]> send) {
        made++;
        if (random.nextDouble() < loss) {
            lost++;
        } else if (random.nextDouble() < reorder) {
            reordered++;
            heldBack.add(datagram);
            return; // goes out after the next datagram
        } else {
            send.accept(datagram);
            if (random.nextDouble() < duplicate) {
                duplicated++;
                send.accept(datagram);
            }
        }
        releaseHeldBack(send);
    }

    /** Sends what was held back. */
    void releaseHeldBack(Consumer<byte[]> send) {
        if (!heldBack.isEmpty()) {
            List<byte[]> late = new ArrayList<>(heldBack);
            heldBack.clear();
            late.forEach(send);
        }
    }
}
