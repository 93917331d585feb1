package org.gridmeter.server.api;

import java.util.LinkedHashMap;
import java.util.Map;
import org.gridmeter.server.http.Request;
import org.gridmeter.server.http.Response;
import org.gridmeter.server.ingest.MeterNetworks;
import org.gridmeter.server.ingest.NetworkView;
import org.gridmeter.server.users.UserDirectory;

/**
 * {@code GET /usuario/rede/?id=1}: what the network did to the meter's datagrams since the server
 * started, from their sequence numbers (docs/api.md, "The network view"). In memory.
 */
final class RedeApi {

    private final UserDirectory users;
    private final MeterNetworks networks;
    private final TimeFormat time;

    RedeApi(UserDirectory users, MeterNetworks networks, TimeFormat time) {
        this.users = users;
        this.networks = networks;
        this.time = time;
    }

    Response get(Request request) {
        long id = Params.id(request);
        UsuarioApi.existing(users, id);
        return Json.ok(view(id, networks.view(id)));
    }

    /** The JSON of a meter's network view; a meter never heard has zero counts and {@code null} for the rest. */
    Map<String, Object> view(long id, NetworkView n) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", id);
        v.put("transporte", n == null ? null : n.transport());
        v.put("formato", n == null ? null : n.format());
        v.put("datagramas_recebidos", n == null ? 0 : n.datagrams());
        v.put("leituras_recebidas", n == null ? 0 : n.readings());
        v.put("perdidas_em_transito", n == null ? Long.valueOf(0) : n.lostInTransit());
        v.put("duplicadas", n == null ? 0 : n.duplicates());
        v.put("fora_de_ordem", n == null ? 0 : n.outOfOrder());
        v.put("reenviadas", n == null ? Long.valueOf(0) : n.resent());
        v.put("ultima_sequencia", n == null ? null : n.lastSequence());
        v.put("ultimo_contato", n == null ? null : time.timestamp(n.lastHeardMillis()));
        v.put("endereco", n == null ? null : n.address());
        return v;
    }
}
