package org.gridmeter.server.api;

import java.time.Clock;
import java.time.Duration;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.gridmeter.server.alerts.AlertEvaluator;
import org.gridmeter.server.billing.Biller;
import org.gridmeter.server.billing.TariffCommands;
import org.gridmeter.server.events.EventBus;
import org.gridmeter.protocol.DatagramDecoder;
import org.gridmeter.server.http.Router;
import org.gridmeter.server.ingest.DatagramLog;
import org.gridmeter.server.ingest.MeterNetworks;
import org.gridmeter.server.cluster.ClusterMember;
import org.gridmeter.server.http.Router.Access;
import org.gridmeter.server.http.Router.Handler;
import org.gridmeter.server.http.Router.Route;
import org.gridmeter.server.metrics.ServerMetrics;
import org.gridmeter.server.store.ReadingQueries;
import org.gridmeter.server.usage.LiveMeters;
import org.gridmeter.server.users.UserCommands;
import org.gridmeter.server.users.UserDirectory;

/** The route table, in one place; it reads like the route table of docs/api.md. */
public final class ApiRoutes {

    private ApiRoutes() {
    }

    /** What the routes need from the rest of the server. */
    public record Dependencies(UserDirectory users, UserCommands commands, LiveMeters meters, ReadingQueries queries,
            Biller biller, AlertEvaluator alerts, TariffCommands tariffCommands, EventBus events, ServerMetrics metrics,
            IntSupplier writerQueueDepth, Duration offlineAfter, Duration retention, Clock clock,
            DatagramLog datagrams, boolean legacyDatagrams, LongSupplier kernelDrops, LongSupplier nanoTime,
            MeterNetworks networks, Duration keyGrace, ClusterMember cluster) {
    }

    public static Router build(Dependencies d) {
        TimeFormat time = new TimeFormat(d.biller().calendar().zone());
        Views views = new Views(time, d.meters(), d.alerts(), d.clock(), d.offlineAfter());
        FaturaApi fatura = new FaturaApi(d.users(), d.queries(), d.biller(), time);
        UsuarioApi usuario = new UsuarioApi(d.users(), d.commands(), views, fatura, d.clock(), d.keyGrace());
        ConsumoApi consumo = new ConsumoApi(d.users(), d.queries(), views);
        SerieApi serie = new SerieApi(d.users(), d.meters(), new Periods(d.queries(), d.clock(), d.retention()), time,
                d.clock());
        AlertaApi alerta = new AlertaApi(d.users(), d.queries(), d.alerts(), time);
        TarifaApi tarifa = new TarifaApi(d.biller().tariffs(), d.tariffCommands(), d.biller().calendar(), d.clock());
        TempoRealApi tempoReal = new TempoRealApi(d.users(), d.events(), views, alerta, fatura);
        DebugApi debug = new DebugApi(d.datagrams(), new DatagramDecoder(d.users(), d.legacyDatagrams()), time);
        ResumoApi resumo = new ResumoApi(d.users(), d.meters(), views, d.metrics(), d.kernelDrops(), time, d.clock(),
                d.nanoTime());
        RedeApi rede = new RedeApi(d.users(), d.networks(), time);
        PainelApi painel = new PainelApi(d.users(), d.meters(), d.networks(), views);
        SaudeApi saude = new SaudeApi(d.users(), d.meters(), d.metrics(), d.writerQueueDepth(), d.clock(),
                d.cluster() == null ? null : d.cluster().ownership().nodeId());
        ClusterApi cluster = d.cluster() == null ? null : new ClusterApi(d.cluster(), time);
        // on a cluster node, a request about one user another node handles is passed to it (blocking)
        java.util.function.UnaryOperator<Handler> byId = h -> cluster == null ? h : cluster.byQueryId(h);
        boolean relays = cluster != null;
        Router.Builder routes = new PainelAssets().routes(Router.builder())
                .add(new Route("GET", "/usuario", Access.USER, relays, byId.apply(usuario::get)))
                .add(new Route("POST", "/usuario/cadastro", Access.ADMIN, true,
                        cluster == null ? usuario::register : cluster.byBodyId(usuario::register)))
                .add(new Route("POST", "/usuario/token", Access.ADMIN, true, byId.apply(usuario::newReadToken)))
                .add(new Route("PUT", "/usuario/chave", Access.ADMIN, true, byId.apply(usuario::newMeterKey)))
                .add(new Route("DELETE", "/usuario/delete", Access.ADMIN, true, byId.apply(usuario::delete)))
                .getBlocking("/usuario/consumo", Access.USER, byId.apply(consumo::page))
                .getBlocking("/usuario/consumo/data", Access.USER, byId.apply(consumo::day))
                .getBlocking("/usuario/consumo/horario", Access.USER, byId.apply(consumo::hour))
                .getBlocking("/usuario/consumo/intervalo", Access.USER, byId.apply(serie::intervalo))
                .getBlocking("/usuario/consumo/periodo", Access.USER, byId.apply(serie::periodo))
                .getBlocking("/usuario/fatura", Access.USER, byId.apply(fatura::get))
                .getBlocking("/usuario/alerta/excesso", Access.USER, byId.apply(alerta::excesso))
                .getBlocking("/usuario/alerta/variacao", Access.USER, byId.apply(alerta::variacao))
                .getBlocking("/usuario/alertas", Access.USER, byId.apply(alerta::all))
                .add(new Route("GET", "/usuario/rede", Access.USER, relays, byId.apply(rede::get)))
                .get("/usuario/tempo-real", Access.USER, tempoReal::stream)
                .get("/tempo-real/resumo", Access.FLEET, resumo::stream)
                .get("/tarifa", tarifa::get)
                .add(new Route("PUT", "/tarifa", Access.ADMIN, true, tarifa::put))
                .get("/saude", saude::health)
                .getBlocking("/painel/medidores", Access.FLEET, painel::medidores) // sorts the fleet: off the event loop
                .getBlocking("/debug/datagramas", Access.FLEET, debug::datagrams) // decodes 200 datagrams: off the loop
                .getBlocking("/metrics", Access.FLEET, saude::metrics); // reads /proc (kernel drops): off the event loop
        if (cluster != null) {
            routes.get("/cluster", cluster::status);
        }
        return routes.build();
    }
}
