package org.gridmeter.server.api;

import java.util.LinkedHashMap;
import java.util.Map;
import org.gridmeter.server.events.Event;
import org.gridmeter.server.events.EventBus;
import org.gridmeter.server.http.Language;
import org.gridmeter.server.http.Request;
import org.gridmeter.server.http.Response;
import org.gridmeter.server.users.UserDirectory;

/**
 * {@code GET /usuario/tempo-real/?id=1}: Server-Sent Events {@code leitura}, {@code alerta} and
 * {@code fatura} of one user as they are committed; without {@code id}, of every meter. Each is
 * rendered as the routes render the same thing, with the meter's {@code id} first. {@code &eventos=}
 * keeps only the named types ({@code eventos=alerta}: the fleet page's alert feed, without an event
 * per reading).
 */
final class TempoRealApi {

    private final UserDirectory users;
    private final EventBus bus;
    private final Views views;
    private final AlertaApi alerts;
    private final FaturaApi invoices;

    TempoRealApi(UserDirectory users, EventBus bus, Views views, AlertaApi alerts, FaturaApi invoices) {
        this.users = users;
        this.bus = bus;
        this.views = views;
        this.alerts = alerts;
        this.invoices = invoices;
    }

    Response stream(Request request) {
        Long id = null;
        if (request.param("id") != null) {
            id = Params.id(request);
            UsuarioApi.existing(users, id);
        }
        Long meter = id;
        java.util.Set<String> types = types(request.param("eventos"));
        return Response.eventStream(sink -> bus.subscribe(meter, event -> {
            if (types.contains(type(event))) {
                sink.accept(frame(event, request.language()));
            }
        }));
    }

    private static final java.util.List<String> TYPES = java.util.List.of("leitura", "alerta", "fatura");

    /** The event types asked for in {@code eventos} (comma-separated), all of them if absent. */
    private static java.util.Set<String> types(String eventos) {
        if (eventos == null || eventos.isBlank()) {
            return java.util.Set.copyOf(TYPES);
        }
        java.util.Set<String> types = new java.util.HashSet<>();
        for (String t : eventos.split(",")) {
            String type = t.trim();
            if (!TYPES.contains(type)) {
                throw org.gridmeter.server.http.ApiException.badRequest("parametro_invalido",
                        "O parâmetro 'eventos' lista tipos separados por vírgula, entre leitura, alerta e fatura, por "
                                + "exemplo eventos=alerta,fatura; veio '" + eventos + "'.",
                        "Query parameter 'eventos' lists comma-separated types among leitura, alerta and fatura, e.g. "
                                + "eventos=alerta,fatura; got '" + eventos + "'.");
            }
            types.add(type);
        }
        return types;
    }

    private static String type(Event event) {
        return event instanceof Event.ReadingEvent ? "leitura" : event instanceof Event.AlertEvent ? "alerta" : "fatura";
    }

    /** One Server-Sent Events frame: {@code event: <type>}, then one {@code data:} line of JSON. */
    String frame(Event event, Language language) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", event.meterId());
        if (event instanceof Event.ReadingEvent r) {
            data.putAll(views.latestReading(r.meter()));
        } else if (event instanceof Event.AlertEvent a) {
            data.put("tipo", a.alert().type().label());
            data.put("alerta", a.alert().active());
            data.putAll(alerts.view(a.alert(), language));
        } else {
            data.putAll(invoices.view(((Event.InvoiceEvent) event).invoice()));
        }
        return "event: " + type(event) + "\ndata: " + Json.write(data) + "\n\n";
    }
}
