package org.gridmeter.server.api;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.function.IntSupplier;
import org.gridmeter.server.http.Router;
import org.gridmeter.server.http.Router.Access;
import org.gridmeter.server.http.Router.Route;
import org.gridmeter.server.metrics.ServerMetrics;
import org.gridmeter.server.store.ReadingQueries;
import org.gridmeter.server.usage.LiveMeters;
import org.gridmeter.server.users.UserCommands;
import org.gridmeter.server.users.UserDirectory;

/** The route table, in one place; it reads like the contract's section 5. */
public final class ApiRoutes {

    private ApiRoutes() {
    }

    /** What the routes need from the rest of the server. */
    public record Dependencies(UserDirectory users, UserCommands commands, LiveMeters meters, ReadingQueries queries,
            ServerMetrics metrics, IntSupplier writerQueueDepth, ZoneId zone, Duration offlineAfter, Clock clock) {
    }

    public static Router build(Dependencies d) {
        Views views = new Views(new TimeFormat(d.zone()), d.meters(), d.clock(), d.offlineAfter());
        UsuarioApi usuario = new UsuarioApi(d.users(), d.commands(), views, d.clock());
        ConsumoApi consumo = new ConsumoApi(d.users(), d.queries(), views);
        SaudeApi saude = new SaudeApi(d.users(), d.meters(), d.metrics(), d.writerQueueDepth(), d.clock());
        return Router.builder()
                .get("/usuario", usuario::get)
                .add(new Route("POST", "/usuario/cadastro", Access.ADMIN, true, usuario::register))
                .add(new Route("DELETE", "/usuario/delete", Access.ADMIN, true, usuario::delete))
                .getBlocking("/usuario/consumo", consumo::page)
                .getBlocking("/usuario/consumo/data", consumo::day)
                .getBlocking("/usuario/consumo/horario", consumo::hour)
                .get("/saude", saude::health)
                .get("/metrics", saude::metrics)
                .build();
    }
}
