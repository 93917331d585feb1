package org.gridmeter.server.events;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Fans live events out to subscribers (open event streams). Publishing happens on the writer thread
 * after the commit that stored what the event reports; subscribers must not block (they hand the
 * event to their connection's event loop). Thread-safe.
 */
public final class EventBus {

    private record Subscriber(Long meterId, Consumer<Event> consumer) {
    }

    private final CopyOnWriteArrayList<Subscriber> subscribers = new CopyOnWriteArrayList<>();

    /**
     * Subscribes to the events of {@code meterId}, or of every meter if {@code null}; closing the
     * returned handle unsubscribes.
     */
    public AutoCloseable subscribe(Long meterId, Consumer<Event> consumer) {
        Subscriber s = new Subscriber(meterId, consumer);
        subscribers.add(s);
        return () -> subscribers.remove(s);
    }

    /** Whether anyone listens: lets the writer skip building events nobody reads. */
    public boolean hasSubscribers() {
        return !subscribers.isEmpty();
    }

    /** How many subscribers listen (open event streams). */
    public int subscribers() {
        return subscribers.size();
    }

    public void publish(Event event) {
        for (Subscriber s : subscribers) {
            if (s.meterId() == null || s.meterId() == event.meterId()) {
                s.consumer().accept(event);
            }
        }
    }
}
