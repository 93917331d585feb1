package org.gridmeter.server.api;

import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gridmeter.server.alerts.Alert;
import org.gridmeter.server.alerts.AlertEvaluator;
import org.gridmeter.server.alerts.AlertTexts;
import org.gridmeter.server.alerts.AlertType;
import org.gridmeter.server.http.Language;
import org.gridmeter.server.http.Request;
import org.gridmeter.server.http.Response;
import org.gridmeter.server.store.ReadingQueries;
import org.gridmeter.server.users.UserDirectory;

/** {@code /usuario/alerta/excesso}, {@code /usuario/alerta/variacao}, {@code /usuario/alertas}. Blocking: history. */
final class AlertaApi {

    private final UserDirectory users;
    private final ReadingQueries queries;
    private final AlertEvaluator alerts;
    private final TimeFormat time;

    AlertaApi(UserDirectory users, ReadingQueries queries, AlertEvaluator alerts, TimeFormat time) {
        this.users = users;
        this.queries = queries;
        this.alerts = alerts;
        this.time = time;
    }

    Response excesso(Request request) throws SQLException {
        return state(request, AlertType.EXCESSO);
    }

    Response variacao(Request request) throws SQLException {
        return state(request, AlertType.VARIACAO);
    }

    private Response state(Request request, AlertType type) throws SQLException {
        long id = Params.id(request);
        UsuarioApi.existing(users, id);
        Alert active = alerts.active(id).get(type);
        Language language = request.language();
        List<Map<String, Object>> history = queries.alerts(id).stream().filter(a -> a.type() == type)
                .map(a -> view(a, language)).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("tipo", type.label());
        body.put("alerta", active != null);
        boolean english = language == Language.EN;
        body.put("mensagem", active != null ? AlertTexts.message(active, english) : AlertTexts.none(type, english));
        body.put("desde", active != null ? time.timestamp(active.startMillis()) : null);
        body.put("historico", history);
        return Json.ok(body);
    }

    /** Every alert of one user; without {@code id}, the alerts active now over the fleet (in memory). */
    Response all(Request request) throws SQLException {
        if (request.param("id") == null) {
            return activeEverywhere(request.language());
        }
        long id = Params.id(request);
        UsuarioApi.existing(users, id);
        List<Alert> history = queries.alerts(id);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("ativos", history.stream().filter(Alert::active).map(a -> view(a, request.language())).toList());
        body.put("historico", history.stream().map(a -> view(a, request.language())).toList());
        return Json.ok(body);
    }

    private Response activeEverywhere(Language language) {
        List<Alert> active = new java.util.ArrayList<>();
        for (long id : users.ids()) {
            active.addAll(alerts.active(id).values());
        }
        active.sort(java.util.Comparator.comparingLong(Alert::startMillis).reversed()
                .thenComparingLong(Alert::meterId));
        List<Map<String, Object>> views = active.stream().map(a -> {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("id", a.meterId());
            v.putAll(view(a, language));
            return v;
        }).toList();
        return Json.ok(Map.of("ativos", views));
    }

    /** An alert as the routes and the event stream show it, its words in {@code language}. */
    Map<String, Object> view(Alert a, Language language) {
        boolean english = language == Language.EN;
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("tipo", a.type().label());
        v.put("motivo", a.rule());
        v.put("inicio", time.timestamp(a.startMillis()));
        v.put("fim", a.active() ? null : time.timestamp(a.endMillis()));
        v.put("valor", a.value());
        v.put("linha_base", a.baseline());
        v.put("limite", a.limit());
        v.put("janela", AlertTexts.window(a, english));
        v.put("mensagem", AlertTexts.message(a, english));
        return v;
    }
}
