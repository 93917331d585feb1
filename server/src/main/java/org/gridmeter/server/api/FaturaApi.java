package org.gridmeter.server.api;

import java.sql.SQLException;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gridmeter.server.billing.Biller;
import org.gridmeter.server.billing.Invoice;
import org.gridmeter.server.billing.TariffJson;
import org.gridmeter.server.http.ApiException;
import org.gridmeter.server.http.Request;
import org.gridmeter.server.http.Response;
import org.gridmeter.server.store.ReadingQueries;
import org.gridmeter.server.users.UserDirectory;

/** {@code /usuario/fatura}: one invoice by month, or all of them with the open cycle. Blocking: database reads. */
final class FaturaApi {

    private final UserDirectory users;
    private final ReadingQueries queries;
    private final Biller biller;
    private final TimeFormat time;

    FaturaApi(UserDirectory users, ReadingQueries queries, Biller biller, TimeFormat time) {
        this.users = users;
        this.queries = queries;
        this.biller = biller;
        this.time = time;
    }

    Response get(Request request) throws SQLException {
        long id = Params.id(request);
        String mes = request.param("mes");
        UsuarioApi.existing(users, id);
        List<Invoice> invoices = all(id);
        if (mes == null || mes.isBlank()) {
            return Json.ok(Map.of("faturas", invoices.stream().map(this::view).toList()));
        }
        Invoice match = find(invoices, mes.trim());
        if (match == null) {
            throw ApiException.notFound("fatura_inexistente", "O usuário " + id + " não tem fatura que feche em '"
                    + mes.trim() + "'; GET /usuario/fatura/?id=" + id + " lista todas.", "User " + id
                    + " has no invoice closing in '" + mes.trim() + "'; GET /usuario/fatura/?id=" + id + " lists them all.");
        }
        return Json.ok(view(match));
    }

    /** The open cycle first, then the closed invoices, newest first. */
    List<Invoice> all(long id) throws SQLException {
        List<Invoice> invoices = new ArrayList<>();
        Invoice open = biller.openInvoice(id);
        if (open != null) {
            invoices.add(open);
        }
        invoices.addAll(queries.invoices(id, biller.calendar()));
        return invoices;
    }

    /** {@code mes} as {@code 01} (the latest January) or {@code 2026-01}. */
    private static Invoice find(List<Invoice> newestFirst, String mes) {
        if (mes.matches("\\d{1,2}")) {
            int month = Integer.parseInt(mes);
            if (month < 1 || month > 12) {
                throw invalidMonth(mes);
            }
            return newestFirst.stream().filter(i -> i.cycle().month().getMonthValue() == month).findFirst().orElse(null);
        }
        try {
            YearMonth ym = YearMonth.parse(mes);
            return newestFirst.stream().filter(i -> i.cycle().month().equals(ym)).findFirst().orElse(null);
        } catch (DateTimeParseException e) {
            throw invalidMonth(mes);
        }
    }

    private static ApiException invalidMonth(String mes) {
        return ApiException.badRequest("parametro_invalido",
                "O parâmetro 'mes' deve ser um mês como 01 ou 2026-01; veio '" + mes + "'.",
                "Query parameter 'mes' must be a month like 01 or 2026-01; got '" + mes + "'.");
    }

    Map<String, Object> view(Invoice i) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("mes", i.cycle().month().toString());
        v.put("inicio", time.timestamp(i.cycle().startMillis()));
        v.put("fim", time.timestamp(i.cycle().endMillis()));
        v.put("leitura_inicial_kwh", Json.kwh(i.openingMwh()));
        v.put("leitura_final_kwh", Json.kwh(i.closingMwh()));
        v.put("consumo", Json.kwh(i.consumptionMwh()));
        v.put("valor da fatura", i.amount());
        v.put("tarifa", TariffJson.toJson(i.tariff(), time.zone()));
        v.put("status", i.closed() ? "fechada" : "aberta");
        v.put("estimada", i.estimated());
        v.put("ajuste_kwh", Json.kwh(i.adjustmentMwh()));
        return v;
    }
}
