package org.gridmeter.server.api;

import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gridmeter.server.alerts.Alert;
import org.gridmeter.server.alerts.AlertEvaluator;
import org.gridmeter.server.alerts.AlertType;
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
        List<Map<String, Object>> history = queries.alerts(id).stream().filter(a -> a.type() == type)
                .map(this::view).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("tipo", type.label());
        body.put("alerta", active != null);
        body.put("mensagem", active != null ? active.message() : "No " + type.label() + " alert is active.");
        body.put("desde", active != null ? time.timestamp(active.startMillis()) : null);
        body.put("historico", history);
        return Json.ok(body);
    }

    Response all(Request request) throws SQLException {
        long id = Params.id(request);
        UsuarioApi.existing(users, id);
        List<Alert> history = queries.alerts(id);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("ativos", history.stream().filter(Alert::active).map(this::view).toList());
        body.put("historico", history.stream().map(this::view).toList());
        return Json.ok(body);
    }

    Map<String, Object> view(Alert a) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("tipo", a.type().label());
        v.put("motivo", a.rule());
        v.put("inicio", time.timestamp(a.startMillis()));
        v.put("fim", a.active() ? null : time.timestamp(a.endMillis()));
        v.put("valor", a.value());
        v.put("limite", a.baseline());
        v.put("janela", a.window());
        v.put("mensagem", a.message());
        return v;
    }
}
