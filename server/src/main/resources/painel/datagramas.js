// The last datagrams the server received, polled every 2 s: what a student debugging their own
// meter needs — the bytes, what the server read in them, and why it refused them.
"use strict";

(() => {
  const { el, $, texto, json, erro, fmt, dataHora } = GM;
  let fuso = "UTC";
  const params = new URLSearchParams(location.search);
  if (params.get("id")) $("filtro-medidor").value = params.get("id");

  function leituras(d) {
    if (!d) return el("span", { class: "vazio", text: "não decodificado" });
    const itens = d.leituras.map((l) => el("li", {
      text: (l.sequencia === null ? "" : "seq " + fmt.int(l.sequencia) + " · ") + dataHora(l.timestamp, fuso)
        + " · " + fmt.kwh(l.kwh) + (l.potencia_w === null ? "" : " · " + fmt.potencia(l.potencia_w)),
    }));
    return el("div", {},
      el("div", { class: "explica", text: d.formato + " · " + d.integridade + (d.pede_ack ? " · pede ACK" : "") }),
      el("ul", {}, itens));
  }

  function linha(g) {
    const aceito = g.resultado === "aceito";
    return el("tr", { "data-resultado": g.resultado, "data-motivo": g.motivo || "" },
      el("td", { text: dataHora(g.instante, fuso, true) }),
      el("td", { text: g.remetente }),
      el("td", { class: "n", text: fmt.int(g.tamanho) }),
      el("td", {},
        el("span", { class: "pilula " + g.resultado, text: aceito ? "aceito" : "rejeitado: " + g.motivo }),
        g.explicacao ? el("div", { class: "explica", text: g.explicacao }) : null,
        el("details", {}, el("summary", { text: "bytes" }), el("div", { class: "hex", text: g.hex }))),
      el("td", { text: g.decodificado ? String(g.decodificado.medidor) : "—" }),
      el("td", {}, leituras(g.decodificado)));
  }

  async function atualizar() {
    if ($("pausar").checked) return;
    try {
      const r = await json("/debug/datagramas");
      const medidor = $("filtro-medidor").value.trim();
      const soRejeitados = $("so-rejeitados").checked;
      const lista = r.datagramas.filter((g) => (!soRejeitados || g.resultado !== "aceito")
        && (!medidor || (g.decodificado && String(g.decodificado.medidor) === medidor)));
      $("datagramas").replaceChildren(...(lista.length ? lista.map(linha)
        : [el("tr", {}, el("td", { colspan: 6, class: "vazio", text: "Nenhum datagrama ainda (ou nenhum com esse filtro)." }))]));
      texto("contagem", fmt.int(lista.length) + " mostrados · " + fmt.int(r.recebidos_desde_o_inicio) + " recebidos desde o início");
      GM.estado("ao vivo", "vivo");
      erro(null);
      document.body.dataset.pronto = "1";
    } catch (e) {
      GM.estado("sem conexão", "caido");
      erro(e.message);
    }
  }

  async function iniciar() {
    try {
      fuso = (await json("/tarifa")).fuso;
    } catch (e) {
      erro(e.message);
    }
    atualizar();
    setInterval(atualizar, 2000);
    $("filtro-medidor").addEventListener("input", atualizar);
    $("so-rejeitados").addEventListener("change", atualizar);
  }

  iniciar();
})();
