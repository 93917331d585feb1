package org.gridmeter.server.api;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gridmeter.server.billing.BillingCalendar;
import org.gridmeter.server.billing.Tariff;
import org.gridmeter.server.billing.TariffBook;
import org.gridmeter.server.billing.TariffCommands;
import org.gridmeter.server.billing.TariffJson;
import org.gridmeter.server.http.ApiException;
import org.gridmeter.server.http.Request;
import org.gridmeter.server.http.Response;

/** {@code GET /tarifa} (in memory) and {@code PUT /tarifa} (admin; waits for the commit). */
final class TarifaApi {

    private final TariffBook tariffs;
    private final TariffCommands commands;
    private final BillingCalendar calendar;
    private final Clock clock;

    TarifaApi(TariffBook tariffs, TariffCommands commands, BillingCalendar calendar, Clock clock) {
        this.tariffs = tariffs;
        this.commands = commands;
        this.calendar = calendar;
        this.clock = clock;
    }

    Response get(Request request) {
        return Json.ok(view(tariffs.at(clock.millis())));
    }

    Response put(Request request) throws Exception {
        Tariff tariff;
        try {
            tariff = TariffJson.fromJson(Json.object(request.body()), clock.millis());
        } catch (TariffJson.InvalidTariffException e) {
            throw ApiException.badRequest("tarifa_invalida", "Tarifa inválida: " + e.portuguese() + ".",
                    "Invalid tariff: " + e.getMessage() + ".");
        }
        commands.setTariff(tariff).get(30, TimeUnit.SECONDS);
        return Json.ok(view(tariffs.at(clock.millis())));
    }

    private Map<String, Object> view(Tariff inForce) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("vigente", TariffJson.toJson(inForce, calendar.zone()));
        body.put("dia_fechamento", calendar.closingDay());
        body.put("fuso", calendar.zone().getId());
        body.put("historico", tariffs.all().stream().map(t -> TariffJson.toJson(t, calendar.zone())).toList());
        return body;
    }
}
