package org.gridmeter.server.cluster;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.gridmeter.server.alerts.Alert;
import org.gridmeter.server.billing.Invoice;
import org.gridmeter.server.events.Event;
import org.gridmeter.server.events.EventBus;
import org.gridmeter.server.usage.MeterSnapshot;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries every node's live events to every other node (docs/scaling.md), so the event streams of
 * any node report every meter: after a commit the owner's events go out with PostgreSQL
 * {@code NOTIFY gridmeter_events} (JSON, several events a notification, each under PostgreSQL's
 * 8,000-byte limit) — only while some other node has an open stream — and each node {@code LISTEN}s
 * and publishes what others sent to its own {@link EventBus}. Two threads with a connection each;
 * the writer only queues ({@link #send} never blocks; beyond the queue, events are dropped and
 * counted: a live view, not a log).
 */
public final class EventRelay implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EventRelay.class);
    static final String CHANNEL = "gridmeter_events";
    /** A notification's payload stays under PostgreSQL's 8,000 bytes. */
    private static final int MAX_PAYLOAD = 7_000;
    static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS, true) // 6.250 stays 6.250
            .setNodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true))
            .registerModule(new SimpleModule().addSerializer(YearMonth.class,
                    new com.fasterxml.jackson.databind.JsonSerializer<YearMonth>() {
                        @Override
                        public void serialize(YearMonth value, JsonGenerator gen, SerializerProvider serializers)
                                throws IOException {
                            gen.writeString(value.toString());
                        }
                    }).addDeserializer(YearMonth.class, new com.fasterxml.jackson.databind.JsonDeserializer<YearMonth>() {
                        @Override
                        public YearMonth deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                            return YearMonth.parse(p.getValueAsString());
                        }
                    }));

    private final String nodeId;
    private final EventBus bus;
    private final Connection sender;
    private final Connection listener;
    private final BlockingQueue<List<Event>> outbox = new ArrayBlockingQueue<>(1_000);
    private final Supplier<Boolean> othersListen;
    private final Thread sending;
    private final Thread listening;
    private volatile boolean running = true;
    private final java.util.concurrent.atomic.LongAdder dropped = new java.util.concurrent.atomic.LongAdder();

    /**
     * @param othersListen whether another live node has an open event stream (the lease keeper knows)
     * @param connections  opens a connection of the relay's own (two are opened)
     */
    public EventRelay(String nodeId, EventBus bus, Supplier<Boolean> othersListen,
            SqlSupplier<Connection> connections) throws SQLException {
        this.nodeId = nodeId;
        this.bus = bus;
        this.othersListen = othersListen;
        this.sender = connections.get();
        this.listener = connections.get();
        try (Statement st = listener.createStatement()) {
            st.execute("LISTEN " + CHANNEL);
        }
        this.sending = new Thread(this::sendLoop, "gridmeter-event-relay-out");
        this.listening = new Thread(this::listenLoop, "gridmeter-event-relay-in");
        sending.setDaemon(true);
        listening.setDaemon(true);
        sending.start();
        listening.start();
    }

    /** Something that opens a connection. */
    public interface SqlSupplier<T> {
        T get() throws SQLException;
    }

    /** Whether the writer should gather events for other nodes. */
    public boolean wanted() {
        return othersListen.get();
    }

    /** Events this node's writer just committed; queued for the other nodes. Never blocks. */
    public void send(List<Event> events) {
        if (!events.isEmpty() && !outbox.offer(events)) {
            dropped.add(events.size());
        }
    }

    /** Events dropped because the outbox was full. */
    public long dropped() {
        return dropped.sum();
    }

    private void sendLoop() {
        try (PreparedStatement notify = sender.prepareStatement("SELECT pg_notify('" + CHANNEL + "', ?)")) {
            while (running) {
                List<Event> events = outbox.poll(200, TimeUnit.MILLISECONDS);
                if (events == null) {
                    continue;
                }
                for (String payload : payloads(nodeId, events)) {
                    notify.setString(1, payload);
                    notify.execute();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException | RuntimeException e) {
            if (running) {
                log.warn("event=event_relay_stopped direction=out detail=\"{}\" what_to_do=\"check PostgreSQL; other "
                        + "nodes' streams miss this node's events until it restarts\"", e.getMessage());
            }
        }
    }

    private void listenLoop() {
        try {
            PGConnection pg = listener.unwrap(PGConnection.class);
            while (running) {
                PGNotification[] received = pg.getNotifications(500);
                if (received == null) {
                    continue;
                }
                for (PGNotification n : received) {
                    for (Event e : events(nodeId, n.getParameter())) {
                        bus.publish(e);
                    }
                }
            }
        } catch (SQLException | RuntimeException e) {
            if (running) {
                log.warn("event=event_relay_stopped direction=in detail=\"{}\" what_to_do=\"check PostgreSQL; this "
                        + "node's streams miss other nodes' events until it restarts\"", e.getMessage());
            }
        }
    }

    /** The events as notification payloads from {@code origin}, each under the size limit. */
    static List<String> payloads(String origin, List<Event> events) {
        List<String> out = new ArrayList<>();
        ArrayNode batch = JSON.createArrayNode();
        int size = 0;
        for (Event e : events) {
            ObjectNode one = JSON.createObjectNode();
            if (e instanceof Event.ReadingEvent r) {
                one.set("leitura", JSON.valueToTree(r.meter()));
            } else if (e instanceof Event.AlertEvent a) {
                one.set("alerta", JSON.valueToTree(a.alert()));
            } else {
                one.set("fatura", JSON.valueToTree(((Event.InvoiceEvent) e).invoice()));
            }
            int length = one.toString().length();
            if (size + length > MAX_PAYLOAD && batch.size() > 0) {
                out.add(wrap(origin, batch));
                batch = JSON.createArrayNode();
                size = 0;
            }
            batch.add(one);
            size += length + 1;
        }
        if (batch.size() > 0) {
            out.add(wrap(origin, batch));
        }
        return out;
    }

    private static String wrap(String origin, ArrayNode batch) {
        ObjectNode message = JSON.createObjectNode();
        message.put("no", origin);
        message.set("eventos", batch);
        return message.toString();
    }

    /** The events of a payload another node sent; none if this node sent it (or it cannot be read). */
    static List<Event> events(String self, String payload) {
        List<Event> out = new ArrayList<>();
        try {
            JsonNode message = JSON.readTree(payload);
            if (self.equals(message.path("no").asText())) {
                return out;
            }
            for (JsonNode one : message.path("eventos")) {
                if (one.has("leitura")) {
                    out.add(new Event.ReadingEvent(JSON.treeToValue(one.get("leitura"), MeterSnapshot.class)));
                } else if (one.has("alerta")) {
                    out.add(new Event.AlertEvent(JSON.treeToValue(one.get("alerta"), Alert.class)));
                } else if (one.has("fatura")) {
                    out.add(new Event.InvoiceEvent(JSON.treeToValue(one.get("fatura"), Invoice.class)));
                }
            }
        } catch (IOException e) {
            log.warn("event=event_relay_unreadable detail=\"{}\"", e.getMessage());
        }
        return out;
    }

    @Override
    public void close() {
        running = false;
        sending.interrupt();
        try {
            sending.join(2_000);
            listening.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Connection c : List.of(sender, listener)) {
            try {
                c.close();
            } catch (SQLException e) {
                log.warn("event=event_relay_close_failed detail=\"{}\"", e.getMessage());
            }
        }
    }
}
