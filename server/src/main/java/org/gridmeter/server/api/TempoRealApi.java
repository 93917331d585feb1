package org.gridmeter.server.api;

import org.gridmeter.server.events.Event;
import org.gridmeter.server.events.EventBus;
import org.gridmeter.server.http.Request;
import org.gridmeter.server.http.Response;
import org.gridmeter.server.users.UserDirectory;

/**
 * {@code GET /usuario/tempo-real/?id=1}: Server-Sent Events {@code leitura}, {@code alerta} and
 * {@code fatura} of one user as they are committed; without {@code id}, of every meter.
 */
final class TempoRealApi {

    private final UserDirectory users;
    private final EventBus bus;

    TempoRealApi(UserDirectory users, EventBus bus) {
        this.users = users;
        this.bus = bus;
    }

    Response stream(Request request) {
        Long id = null;
        if (request.param("id") != null) {
            id = Params.id(request);
            UsuarioApi.existing(users, id);
        }
        Long meter = id;
        return Response.eventStream(sink -> bus.subscribe(meter, event -> sink.accept(frame(event))));
    }

    static String frame(Event event) {
        return "event: " + event.type() + "\ndata: " + Json.write(event.data()) + "\n\n";
    }
}
