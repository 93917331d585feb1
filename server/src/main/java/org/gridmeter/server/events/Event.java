package org.gridmeter.server.events;

import java.util.Map;

/**
 * One live event: {@code leitura}, {@code alerta} or {@code fatura}, of one meter, with its JSON
 * fields (Portuguese keys, as the HTTP API's).
 */
public record Event(String type, long meterId, Map<String, Object> data) {

    public Event {
        data = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(data));
    }
}
