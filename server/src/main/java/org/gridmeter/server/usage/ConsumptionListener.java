package org.gridmeter.server.usage;

/**
 * Told every change of consumption, as it is decided or decided again: the rollups, the open
 * billing cycle and the power windows follow it. Called on the writer thread, inside its open
 * transaction; must not block.
 */
@FunctionalInterface
public interface ConsumptionListener {

    /**
     * {@code deltaMwh} (negative to take back an earlier decision) was consumed evenly over
     * {@code (fromMillis, toMillis]}, or at {@code toMillis} when the two are equal.
     */
    void consumed(long meterId, long fromMillis, long toMillis, long deltaMwh);

    /** Listens to nothing. */
    ConsumptionListener NONE = (meterId, fromMillis, toMillis, deltaMwh) -> { };
}
