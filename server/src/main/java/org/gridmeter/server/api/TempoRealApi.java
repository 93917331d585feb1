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
 * rendered as the routes render the same thing, with the meter's {@code id} first.
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
        return Response.eventStream(sink -> bus.subscribe(meter, event -> sink.accept(frame(event, request.language()))));
    }

    /** One Server-Sent Events frame: {@code event: <type>}, then one {@code data:} line of JSON. */
    String frame(Event event, Language language) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", event.meterId());
        String type;
        if (event instanceof Event.ReadingEvent r) {
            data.putAll(views.latestReading(r.meter()));
            type = "leitura";
        } else if (event instanceof Event.AlertEvent a) {
            data.put("tipo", a.alert().type().label());
            data.put("alerta", a.alert().active());
            data.putAll(alerts.view(a.alert(), language));
            type = "alerta";
        } else {
            data.putAll(invoices.view(((Event.InvoiceEvent) event).invoice()));
            type = "fatura";
        }
        return "event: " + type + "\ndata: " + Json.write(data) + "\n\n";
    }
}
