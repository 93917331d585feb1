package org.gridmeter.server.api;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.gridmeter.server.http.ApiException;
import org.gridmeter.server.http.Request;
import org.gridmeter.server.http.Response;
import org.gridmeter.server.ingest.MeterNetworks;
import org.gridmeter.server.ingest.NetworkView;
import org.gridmeter.server.usage.LiveMeters;
import org.gridmeter.server.usage.MeterSnapshot;
import org.gridmeter.server.users.User;
import org.gridmeter.server.users.UserDirectory;

/**
 * {@code GET /painel/medidores}: the dashboard's meter table — one page of the fleet, searched and
 * sorted on the server, so a browser showing 10,000 meters receives 25 rows, not 10,000. From memory
 * (what the meters and the network views last committed); on the query pool, as sorting the whole
 * fleet takes a few milliseconds.
 */
final class PainelApi {

    static final int DEFAULT_PAGE_SIZE = 25;
    static final int MAX_PAGE_SIZE = 200;

    /** One meter as the table sorts it: the figures, before they are rendered. */
    private record Row(User user, MeterSnapshot meter, NetworkView network, boolean online) {
        long lastHeard() {
            return meter == null ? Long.MIN_VALUE : meter.lastHeardMillis();
        }

        long total() {
            return meter == null ? 0 : meter.totalMwh();
        }

        long power() {
            return meter == null || meter.lastPowerW() == null ? Long.MIN_VALUE : meter.lastPowerW();
        }

        long lost() {
            return network == null || network.lostInTransit() == null ? 0 : network.lostInTransit();
        }

        long duplicates() {
            return network == null ? 0 : network.duplicates();
        }

        long late() {
            return network == null ? 0 : network.outOfOrder();
        }
    }

    private static final Map<String, Comparator<Row>> ORDERS = new LinkedHashMap<>();

    static {
        ORDERS.put("id", Comparator.comparingLong(r -> r.user().id()));
        ORDERS.put("nome", Comparator.comparing(r -> r.user().nome().toLowerCase(Locale.ROOT)));
        ORDERS.put("potencia", Comparator.comparingLong(Row::power));
        ORDERS.put("consumo", Comparator.comparingLong(Row::total));
        ORDERS.put("contato", Comparator.comparingLong(Row::lastHeard));
        ORDERS.put("perdidas", Comparator.comparingLong(Row::lost));
        ORDERS.put("duplicadas", Comparator.comparingLong(Row::duplicates));
        ORDERS.put("fora_de_ordem", Comparator.comparingLong(Row::late));
        ORDERS.put("online", Comparator.comparing(Row::online));
    }

    private final UserDirectory users;
    private final LiveMeters meters;
    private final MeterNetworks networks;
    private final Views views;

    PainelApi(UserDirectory users, LiveMeters meters, MeterNetworks networks, Views views) {
        this.users = users;
        this.meters = meters;
        this.networks = networks;
        this.views = views;
    }

    Response medidores(Request request) {
        String search = request.param("busca") == null ? "" : request.param("busca").trim().toLowerCase(Locale.ROOT);
        String order = request.param("ordem") == null || request.param("ordem").isBlank() ? "id"
                : request.param("ordem").trim();
        Comparator<Row> comparator = ORDERS.get(order);
        if (comparator == null) {
            throw ApiException.badRequest("parametro_invalido", "O parâmetro 'ordem' deve ser um de "
                    + String.join(", ", ORDERS.keySet()) + ", por exemplo ordem=consumo; veio '" + order + "'.",
                    "Query parameter 'ordem' must be one of " + String.join(", ", ORDERS.keySet())
                            + ", e.g. ordem=consumo; got '" + order + "'.");
        }
        String direction = request.param("sentido") == null || request.param("sentido").isBlank() ? "asc"
                : request.param("sentido").trim();
        if (!direction.equals("asc") && !direction.equals("desc")) {
            throw ApiException.badRequest("parametro_invalido", "O parâmetro 'sentido' deve ser asc (crescente) ou desc "
                    + "(decrescente), por exemplo sentido=desc; veio '" + direction + "'.",
                    "Query parameter 'sentido' must be asc or desc, e.g. sentido=desc; got '" + direction + "'.");
        }
        int size = Params.intParam(request, "por_pagina", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
        int page = Params.intParam(request, "pagina", 1, 1, Integer.MAX_VALUE);

        List<Row> rows = new ArrayList<>();
        int online = 0;
        for (User user : users.all()) {
            MeterSnapshot meter = meters.get(user.id());
            Row row = new Row(user, meter, networks.view(user.id()), views.online(meter));
            online += row.online() ? 1 : 0;
            if (matches(user, search)) {
                rows.add(row);
            }
        }
        Comparator<Row> sorted = comparator.thenComparingLong(r -> r.user().id());
        rows.sort(direction.equals("desc") ? sorted.reversed() : sorted);
        int pages = Math.max(1, (rows.size() + size - 1) / size);
        int from = (int) Math.min(rows.size(), (long) (page - 1) * size);
        List<Map<String, Object>> shown = rows.subList(from, Math.min(rows.size(), from + size)).stream()
                .map(this::view).toList();

        Map<String, Object> body = new LinkedHashMap<>();
        body.put("total", users.size());
        body.put("online", online);
        body.put("encontrados", rows.size());
        body.put("pagina", page);
        body.put("paginas", pages);
        body.put("por_pagina", size);
        body.put("ordem", order);
        body.put("sentido", direction);
        body.put("medidores", shown);
        return Json.ok(body);
    }

    /** The id starts with the search, or the name or the address contains it (case-insensitive). */
    private static boolean matches(User user, String search) {
        return search.isEmpty() || Long.toString(user.id()).startsWith(search)
                || user.nome().toLowerCase(Locale.ROOT).contains(search)
                || user.endereco().toLowerCase(Locale.ROOT).contains(search);
    }

    private Map<String, Object> view(Row r) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", r.user().id());
        v.put("nome", r.user().nome());
        v.put("potencia_w", r.meter() == null ? null : r.meter().lastPowerW());
        v.put("consumo_total_kwh", Json.kwh(r.total()));
        v.put("ultimo_contato", r.meter() == null || r.meter().lastHeardMillis() <= 0 ? null
                : views.time().timestamp(r.meter().lastHeardMillis()));
        v.put("perdidas_em_transito", r.network() == null ? Long.valueOf(0) : r.network().lostInTransit());
        v.put("duplicadas", r.duplicates());
        v.put("fora_de_ordem", r.late());
        v.put("online", r.online());
        return v;
    }
}
