package org.gridmeter.server.api;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.gridmeter.protocol.DatagramDecoder;
import org.gridmeter.protocol.DecodeResult;
import org.gridmeter.protocol.Integrity;
import org.gridmeter.protocol.Reading;
import org.gridmeter.protocol.ReadingBatch;
import org.gridmeter.protocol.RejectReason;
import org.gridmeter.server.http.Language;
import org.gridmeter.server.http.Request;
import org.gridmeter.server.http.Response;
import org.gridmeter.server.http.Text;
import org.gridmeter.server.ingest.DatagramLog;
import org.gridmeter.server.ingest.IngestPipeline;

/**
 * {@code GET /debug/datagramas}: the last datagrams received, newest first, each with its sender,
 * its bytes in hex, and either its decoded fields or why it was rejected, in words — what a student
 * needs to see why their own meter is refused.
 */
final class DebugApi {

    private static final HexFormat HEX = HexFormat.ofDelimiter(" ");
    /** Why a datagram is refused, for people: by rejection reason (the /metrics label). */
    private static final Map<String, Text> WHY = Map.ofEntries(
            Map.entry(RejectReason.TOO_SHORT.label(), Text.of("Mais curto que o menor datagrama válido, ou que o cabeçalho diz.",
                    "Shorter than the smallest valid datagram, or than its header says.")),
            Map.entry(RejectReason.OVERSIZE.label(), Text.of("Maior que o tamanho máximo de um datagrama.",
                    "Longer than the largest datagram allowed.")),
            Map.entry(RejectReason.BAD_MAGIC.label(), Text.of("Não começa com os bytes \"GM\" (47 4d).",
                    "Does not start with the bytes \"GM\" (47 4d).")),
            Map.entry(RejectReason.UNKNOWN_VERSION.label(), Text.of("A versão (3º byte) não é 1.", "The version (3rd byte) is not 1.")),
            Map.entry(RejectReason.UNKNOWN_TYPE.label(), Text.of("O tipo (4º byte) não é o de leituras (0x01).",
                    "The type (4th byte) is not readings (0x01).")),
            Map.entry(RejectReason.UNKNOWN_FLAGS.label(), Text.of("Há um bit de flag que a versão 1 não define.",
                    "A flag bit that version 1 does not define is set.")),
            Map.entry(RejectReason.LENGTH_MISMATCH.label(), Text.of("A contagem de leituras não confere com o tamanho do datagrama.",
                    "The reading count does not match the datagram's length.")),
            Map.entry(RejectReason.BAD_CRC.label(), Text.of("O CRC-32C no fim não confere: o datagrama foi corrompido, ou o CRC foi "
                    + "calculado sobre outros bytes.", "The CRC-32C trailer does not match: the datagram was "
                    + "corrupted, or the CRC was computed over other bytes.")),
            Map.entry(RejectReason.BAD_TAG.label(), Text.of("A etiqueta HMAC não confere com a chave do medidor.",
                    "The HMAC tag does not match the meter's key.")),
            Map.entry(RejectReason.UNKNOWN_KEY.label(), Text.of("O datagrama é autenticado, mas o medidor não tem chave cadastrada.",
                    "The datagram is authenticated but the meter has no key registered.")),
            Map.entry(RejectReason.BAD_DIGEST.label(), Text.of("O MD5 do datagrama legado não confere.",
                    "The legacy datagram's MD5 digest does not match.")),
            Map.entry(RejectReason.LEGACY_DISABLED.label(), Text.of("Datagramas legados (36 bytes) estão desligados neste servidor.",
                    "Legacy (36-byte) datagrams are turned off on this server.")),
            Map.entry(RejectReason.VALUE_OUT_OF_RANGE.label(), Text.of("Um campo tem valor fora do permitido (medidor 0, energia "
                    + "negativa…).", "A field holds a value out of range (meter id 0, negative energy, ...).")),
            Map.entry(IngestPipeline.AUTH_REQUIRED, Text.of("O medidor tem chave, então seus datagramas precisam de "
                    + "HMAC; este veio só com CRC.", "The meter has a key, so its datagrams need an HMAC tag; this one "
                    + "has only a CRC.")),
            Map.entry(IngestPipeline.FUTURE_TIMESTAMP, Text.of("Uma leitura está adiantada demais em relação ao "
                    + "relógio do servidor (--max-future-skew).", "A reading is too far ahead of the server's clock "
                    + "(--max-future-skew).")),
            Map.entry(IngestPipeline.RATE_LIMITED, Text.of("O medidor enviou mais datagramas por segundo do que o "
                    + "servidor aceita de um medidor (--max-rate); mande menos, ou várias leituras num datagrama.",
                    "The meter sent more datagrams a second than the server takes from one meter (--max-rate); send "
                            + "fewer, or several readings in one datagram.")),
            Map.entry(IngestPipeline.QUEUE_FULL, Text.of("A fila de gravação estava cheia; o medidor deve reenviar.",
                    "The storage queue was full; the meter should resend.")));

    private final DatagramLog log;
    private final DatagramDecoder decoder;
    private final TimeFormat time;

    DebugApi(DatagramLog log, DatagramDecoder decoder, TimeFormat time) {
        this.log = log;
        this.decoder = decoder;
        this.time = time;
    }

    Response datagrams(Request request) {
        List<Map<String, Object>> views = new ArrayList<>();
        for (DatagramLog.Entry e : log.newestFirst()) {
            views.add(view(e, request.language()));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("recebidos_desde_o_inicio", log.recorded());
        body.put("datagramas", views);
        return Response.json(200, Json.write(body));
    }

    Map<String, Object> view(DatagramLog.Entry e, Language language) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("instante", time.timestamp(e.receivedMillis()));
        v.put("remetente", e.sender() == null ? null : e.sender().getAddress().getHostAddress() + ":" + e.sender().getPort());
        v.put("tamanho", e.length());
        v.put("hex", HEX.formatHex(e.bytes()));
        v.put("resultado", e.reason() == null ? "aceito" : "rejeitado");
        v.put("motivo", e.reason());
        v.put("explicacao", e.reason() == null ? null : WHY.getOrDefault(e.reason(), Text.of(e.reason(), e.reason()))
                .in(language));
        DecodeResult<ReadingBatch> decoded = decoder.decode(ByteBuffer.wrap(e.bytes()));
        v.put("decodificado", decoded instanceof DecodeResult.Ok<ReadingBatch> ok ? fields(ok.value()) : null);
        return v;
    }

    private Map<String, Object> fields(ReadingBatch batch) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("formato", batch.integrity() == Integrity.LEGACY_MD5 ? "legado" : "v1");
        f.put("medidor", batch.meterId());
        f.put("integridade", switch (batch.integrity()) {
            case CRC32C -> "crc32c";
            case HMAC -> "hmac";
            case LEGACY_MD5 -> "md5";
        });
        f.put("pede_ack", batch.ackRequested());
        List<Map<String, Object>> readings = new ArrayList<>();
        for (Reading r : batch.readings()) {
            Map<String, Object> reading = new LinkedHashMap<>();
            reading.put("sequencia", r.sequence() == Reading.NO_SEQUENCE ? null : r.sequence());
            reading.put("timestamp", time.timestamp(r.timestampMillis()));
            reading.put("kwh", java.math.BigDecimal.valueOf(r.energyMwh(), 6));
            reading.put("potencia_w", r.powerW() == Reading.NO_POWER ? null : r.powerW());
            readings.add(reading);
        }
        f.put("leituras", readings);
        return f;
    }
}
