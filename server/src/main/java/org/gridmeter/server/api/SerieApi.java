package org.gridmeter.server.api;

import java.sql.SQLException;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gridmeter.server.http.ApiException;
import org.gridmeter.server.http.Request;
import org.gridmeter.server.http.Response;
import org.gridmeter.server.usage.LiveMeters;
import org.gridmeter.server.usage.MeterSnapshot;
import org.gridmeter.server.users.UserDirectory;

/**
 * {@code /usuario/consumo/intervalo} and {@code /usuario/consumo/periodo}: consumption over time in the
 * billing zone, exact at every boundary ({@link Periods}); nothing is extrapolated past the latest
 * reading. Blocking: database reads.
 */
final class SerieApi {

    private static final int MAX_STEPS = 100_000;

    private final UserDirectory users;
    private final LiveMeters meters;
    private final Periods periods;
    private final TimeFormat time;
    private final Clock clock;

    SerieApi(UserDirectory users, LiveMeters meters, Periods periods, TimeFormat time, Clock clock) {
        this.users = users;
        this.meters = meters;
        this.periods = periods;
        this.time = time;
        this.clock = clock;
    }

    /** The time of the meter's latest committed reading, or {@code Long.MIN_VALUE} if it has none. */
    private long latest(long id) {
        MeterSnapshot meter = meters.get(id);
        return meter == null || !meter.hasReading() ? Long.MIN_VALUE : meter.lastTimestampMillis();
    }

    /** {@code inicio}, {@code fim} (dates: {@code fim} inclusive; or ISO times: exclusive), {@code passo}, {@code formato}. */
    Response intervalo(Request request) throws SQLException {
        long id = Params.id(request);
        ZonedDateTime from = instant(request, "inicio", false);
        ZonedDateTime to = instant(request, "fim", true);
        String passo = request.param("passo") == null ? "hora" : request.param("passo").trim();
        if (!List.of("15min", "hora", "dia", "mes").contains(passo)) {
            throw ApiException.badRequest("parametro_invalido",
                    "O parâmetro 'passo' deve ser 15min, hora, dia ou mes; veio '" + passo + "'.",
                    "Query parameter 'passo' must be 15min, hora, dia or mes; got '" + passo + "'.");
        }
        if (!to.isAfter(from)) {
            throw ApiException.badRequest("parametro_invalido",
                    "O parâmetro 'fim' deve vir depois de 'inicio', por exemplo inicio=2026-11-01&fim=2026-11-23.",
                    "Query parameter 'fim' must come after 'inicio', e.g. inicio=2026-11-01&fim=2026-11-23.");
        }
        String format = request.param("formato") == null ? "json" : request.param("formato").trim();
        if (!format.equals("json") && !format.equals("csv")) {
            throw ApiException.badRequest("parametro_invalido",
                    "O parâmetro 'formato' deve ser json ou csv; veio '" + format + "'.",
                    "Query parameter 'formato' must be json or csv; got '" + format + "'.");
        }
        UsuarioApi.existing(users, id);
        long latest = latest(id);
        Periods.Meter consumption = periods.of(id, millis(from), millis(to));
        List<Map<String, Object>> series = new ArrayList<>();
        long total = 0;
        // steps that start after the latest reading are absent: nothing is known of them yet
        for (ZonedDateTime start = from; start.isBefore(to) && millis(start) <= latest; ) {
            ZonedDateTime end = step(start, passo);
            if (end.isAfter(to)) {
                end = to;
            }
            long sum = consumption.between(millis(start), millis(end));
            total += sum;
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("inicio", time.timestamp(millis(start)));
            point.put("fim", time.timestamp(millis(end)));
            point.put("consumo_kwh", Json.kwh(sum));
            series.add(point);
            if (series.size() > MAX_STEPS) {
                throw ApiException.badRequest("parametro_invalido", "O intervalo tem mais de " + MAX_STEPS
                        + " passos de '" + passo + "'; escolha um 'passo' maior ou um intervalo menor.",
                        "The range has more than " + MAX_STEPS + " steps of '" + passo
                                + "'; choose a longer 'passo' or a shorter range.");
            }
            start = end;
        }
        if (format.equals("csv")) {
            StringBuilder csv = new StringBuilder("inicio,fim,consumo_kwh\n");
            for (Map<String, Object> p : series) {
                csv.append(p.get("inicio")).append(',').append(p.get("fim")).append(',')
                        .append(((java.math.BigDecimal) p.get("consumo_kwh")).toPlainString()).append('\n');
            }
            return new Response(200, "text/csv; charset=utf-8", csv.toString(),
                    Map.of("Content-Disposition", "attachment; filename=\"consumo-" + id + ".csv\""));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("passo", passo);
        body.put("serie", series);
        body.put("total_kwh", Json.kwh(total));
        return Json.ok(body);
    }

    /** {@code periodo}: {@code ultimos_30min}, {@code hoje}, {@code semana}, {@code mes}, {@code mes_anterior}. */
    Response periodo(Request request) throws SQLException {
        long id = Params.id(request);
        String periodo = Params.required(request, "periodo", "periodo=hoje");
        ZonedDateTime now = time.at(clock.millis());
        ZonedDateTime today = now.toLocalDate().atStartOfDay(time.zone());
        ZonedDateTime thisMonth = now.toLocalDate().withDayOfMonth(1).atStartOfDay(time.zone());
        ZonedDateTime[] range = switch (periodo) {
            case "ultimos_30min" -> new ZonedDateTime[] {now.minusMinutes(30), now};
            case "hoje" -> new ZonedDateTime[] {today, now};
            case "semana" -> new ZonedDateTime[] {now.toLocalDate()
                    .with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).atStartOfDay(time.zone()), now};
            case "mes" -> new ZonedDateTime[] {thisMonth, now};
            case "mes_anterior" -> new ZonedDateTime[] {now.toLocalDate().withDayOfMonth(1).minusMonths(1)
                    .atStartOfDay(time.zone()), thisMonth};
            default -> throw ApiException.badRequest("parametro_invalido", "O parâmetro 'periodo' deve ser "
                    + "ultimos_30min, hoje, semana, mes ou mes_anterior; veio '" + periodo + "'.",
                    "Query parameter 'periodo' must be ultimos_30min, hoje, semana, mes or mes_anterior; got '"
                            + periodo + "'.");
        };
        UsuarioApi.existing(users, id);
        long from = millis(range[0]);
        long to = millis(range[1]);
        long latest = latest(id);
        if (!periodo.equals("mes_anterior")) {
            to = Math.max(from, Math.min(to, latest)); // a period that ends now ends at the latest reading
        }
        // [from, to] with the reading at 'to' included: its own consumption ends at it
        long sum = latest < from ? 0 : periods.of(id, from, to + 1).between(from, Math.min(to + 1, millis(range[1])));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("periodo", periodo);
        body.put("inicio", time.timestamp(from));
        body.put("fim", time.timestamp(to));
        body.put("consumo_kwh", Json.kwh(sum));
        return Json.ok(body);
    }

    private ZonedDateTime instant(Request request, String name, boolean endOfDay) {
        return Params.instant(Params.required(request, name, "inicio=2026-11-01&fim=2026-11-23"), name, endOfDay,
                time.zone());
    }

    private static ZonedDateTime step(ZonedDateTime start, String passo) {
        return switch (passo) {
            case "15min" -> start.plusMinutes(15);
            case "hora" -> start.plusHours(1);
            case "dia" -> start.toLocalDate().plusDays(1).atStartOfDay(start.getZone());
            default -> start.toLocalDate().withDayOfMonth(1).plusMonths(1).atStartOfDay(start.getZone());
        };
    }

    private static long millis(ZonedDateTime t) {
        return t.toInstant().toEpochMilli();
    }
}
