package org.gridmeter.server.usage;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * How a change is made durable outside the ingest path (a user registered, a tariff set): by the
 * single writer, which owns the write connection and every meter's state. Callable from any thread.
 */
public interface Transactions {

    /**
     * Runs {@code work} on the writer thread in a transaction of its own and commits it; then runs
     * {@code applied} on the writer thread (memory follows the store only after the commit) and
     * completes the future with {@code work}'s result. A failure rolls the transaction back and
     * completes the future exceptionally; {@code applied} does not run.
     */
    <T> CompletableFuture<T> submit(Callable<T> work, Consumer<T> applied);
}
