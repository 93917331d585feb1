package org.gridmeter.server.api;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.gridmeter.server.http.ApiException;
import org.gridmeter.server.http.Request;
import org.gridmeter.server.http.Response;
import org.gridmeter.server.store.ReadingQueries;
import org.gridmeter.server.usage.StoredReading;
import org.gridmeter.server.users.UserDirectory;

/** {@code /usuario/consumo}, {@code /usuario/consumo/data}, {@code /usuario/consumo/horario}. Blocking: database reads. */
final class ConsumoApi {

    static final int DEFAULT_LIMIT = 1000;
    static final int MAX_LIMIT = 10_000;
    /** Prefixes of HH:MM:SS: {@code 14}, {@code 14:}, {@code 14:1}, {@code 14:10}, {@code 14:10:}, {@code 14:10:05}. */
    private static final Pattern HORARIO_PREFIX = Pattern.compile("\\d|\\d\\d(:(\\d|\\d\\d(:\\d{0,2})?)?)?");

    private final UserDirectory users;
    private final ReadingQueries queries;
    private final Views views;

    ConsumoApi(UserDirectory users, ReadingQueries queries, Views views) {
        this.users = users;
        this.queries = queries;
        this.views = views;
    }

    /**
     * Every reading, oldest first, a page at a time: {@code &limite=} and the opaque {@code &cursor=};
     * {@code &desde=} (a date or an instant) starts at that time instead of the first reading.
     */
    Response page(Request request) throws SQLException {
        long id = Params.id(request);
        UsuarioApi.existing(users, id);
        int limit = Params.intParam(request, "limite", DEFAULT_LIMIT, 1, MAX_LIMIT);
        long after = decodeCursor(request.param("cursor"));
        String since = request.param("desde");
        if (since != null && !since.isBlank()) {
            long from = Params.instant(since.trim(), "desde", false, views.time().zone()).toInstant().toEpochMilli();
            after = Math.max(after, from - 1);
        }
        List<StoredReading> rows = queries.page(id, after, limit + 1);
        boolean more = rows.size() > limit;
        List<StoredReading> page = more ? rows.subList(0, limit) : rows;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("consumo", page.stream().map(views::reading).toList());
        body.put("proximo", more ? encodeCursor(page.get(page.size() - 1).timestampMillis()) : null);
        return Json.ok(body);
    }

    /** One day's readings and their consumption. */
    Response day(Request request) throws SQLException {
        long id = Params.id(request);
        LocalDate day = Params.date(request);
        UsuarioApi.existing(users, id);
        List<StoredReading> rows = dayReadings(id, day);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("dia", day.toString());
        body.put("consumo_kwh", Json.kwh(sum(rows)));
        body.put("consumo", rows.stream().map(views::reading).toList());
        return Json.ok(body);
    }

    /** One day's readings whose {@code horario} starts with the given prefix, and their consumption. */
    Response hour(Request request) throws SQLException {
        long id = Params.id(request);
        LocalDate day = Params.date(request);
        String prefix = Params.required(request, "horario", "horario=14:10");
        if (!HORARIO_PREFIX.matcher(prefix).matches() || !startsSomeTime(prefix)) {
            throw ApiException.badRequest("parametro_invalido", "O parâmetro 'horario' deve ser o começo de um horário "
                    + "HH:MM:SS, como 14, 14:, 14:10, 14:10: ou 14:10:05 (as horas com dois dígitos: 08, não 8); "
                    + "veio '" + prefix + "'.", "Query parameter 'horario' must be the start of a time HH:MM:SS, like "
                    + "14, 14:, 14:10, 14:10: or 14:10:05 (hours with two digits: 08, not 8); got '" + prefix + "'.");
        }
        UsuarioApi.existing(users, id);
        TimeFormat time = views.time();
        List<StoredReading> rows = dayReadings(id, day).stream()
                .filter(r -> time.horario(r.timestampMillis()).startsWith(prefix)).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("dia", day.toString());
        body.put("horario", prefix);
        body.put("consumo_kwh", Json.kwh(sum(rows)));
        body.put("consumo", rows.stream().map(views::reading).toList());
        return Json.ok(body);
    }

    /** Whether some time HH:MM:SS starts with {@code prefix} ({@code 8} does not: hours are {@code 08}). */
    static boolean startsSomeTime(String prefix) {
        String time = "00:00:00";
        for (int i = 0; i < prefix.length(); i++) {
            char c = prefix.charAt(i);
            boolean ok = switch (i) {
                case 0 -> c >= '0' && c <= '2';
                case 1 -> prefix.charAt(0) == '2' ? c >= '0' && c <= '3' : c >= '0' && c <= '9';
                case 3, 6 -> c >= '0' && c <= '5';
                case 4, 7 -> c >= '0' && c <= '9';
                default -> c == time.charAt(i);
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private List<StoredReading> dayReadings(long id, LocalDate day) throws SQLException {
        ZoneId zone = views.time().zone();
        long from = day.atStartOfDay(zone).toInstant().toEpochMilli();
        long to = day.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
        return queries.range(id, from, to);
    }

    private static long sum(List<StoredReading> rows) {
        long sum = 0;
        for (StoredReading r : rows) {
            sum += r.deltaMwh();
        }
        return sum;
    }

    static String encodeCursor(long timestampMillis) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("t" + timestampMillis).getBytes(StandardCharsets.US_ASCII));
    }

    static long decodeCursor(String cursor) {
        if (cursor == null || cursor.isBlank()) {
            return Long.MIN_VALUE;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor.trim()), StandardCharsets.US_ASCII);
            if (text.startsWith("t")) {
                return Long.parseLong(text.substring(1));
            }
        } catch (IllegalArgumentException e) {
            // the message below says what to do
        }
        throw ApiException.badRequest("parametro_invalido",
                "O parâmetro 'cursor' deve ser o valor de 'proximo' de uma resposta anterior, sem mudanças.",
                "Query parameter 'cursor' must be the 'proximo' value of a previous answer, unchanged.");
    }
}
