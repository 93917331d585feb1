package org.gridmeter.server.http;

import java.util.function.Consumer;

/** Where an event-stream response gets its frames. */
@FunctionalInterface
public interface EventSource {

    /**
     * Starts producing Server-Sent Events frames ({@code "event: x\ndata: {...}\n\n"}) into
     * {@code sink}, from any thread; closing the returned handle stops them.
     */
    AutoCloseable open(Consumer<String> sink);
}
