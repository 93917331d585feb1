// The fleet page: one `resumo` event a second drives the numbers, the charts and the table's
// refresh; alerts come from the event stream filtered to alerts. Nothing per reading reaches it.
"use strict";

(() => {
  const { el, $, texto, json, erro, stream, fmt, grafico, eixoTempo, eixoValores, CORES } = GM;
  const JANELA = 300; // points kept: 5 minutes at one summary a second
  let fuso = "UTC";
  let agora = Date.now(); // replaced by the server's clock at the first summary
  let pronto = false;

  // --- charts -------------------------------------------------------------------------------
  const fluxo = [[], [], [], []];
  const rejeitados = [[], []]; // time, kernel drops, then one series per reason as they appear
  const motivos = [];
  let gFluxo = null;
  let gRejeitados = null;

  function montarGraficos() {
    const t = eixoTempo(fuso, "segundos");
    gFluxo = grafico($("grafico-fluxo"), {
      series: [t.serie,
        { label: "recebidos/s", stroke: CORES[0], width: 2, value: (u, v) => fmt.taxa(v) },
        { label: "aceitos/s", stroke: CORES[1], width: 2, dash: [6, 4], value: (u, v) => fmt.taxa(v) },
        { label: "leituras armazenadas/s", stroke: CORES[3], width: 2, value: (u, v) => fmt.taxa(v) }],
      axes: [t.eixo, eixoValores()],
      scales: { y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
    }, fluxo);
    gRejeitados = grafico($("grafico-rejeitados"), {
      series: [t.serie, { label: "descartes do kernel/s", stroke: "#37474f", width: 2, value: (u, v) => fmt.taxa(v) }],
      axes: [t.eixo, eixoValores()],
      scales: { y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
    }, rejeitados);
  }

  function empurrar(dados, valores) {
    valores.forEach((v, i) => dados[i].push(v));
    if (dados[0].length > JANELA) dados.forEach((s) => s.shift());
  }

  function resumo(r) {
    agora = Date.parse(r.instante);
    const t = Date.now() / 1000; // charted when it arrived: a summary a second, whatever the server's clock says
    const s = r.por_segundo;
    texto("n-online", fmt.int(r.medidores_online));
    texto("n-offline", fmt.int(r.medidores_offline));
    texto("n-total", "de " + fmt.int(r.medidores_online + r.medidores_offline) + " cadastrados");
    texto("n-recebidos", fmt.taxa(s.datagramas_recebidos));
    texto("n-recebidos-total", fmt.int(r.datagramas.recebidos) + " desde o início");
    texto("n-armazenadas", fmt.taxa(s.leituras_armazenadas));
    texto("n-armazenadas-total", fmt.int(r.leituras_armazenadas) + " desde o início");
    const porMotivo = s.datagramas_rejeitados;
    const rejeitadosAgora = Object.values(porMotivo).reduce((a, b) => a + b, 0);
    const totalRejeitados = Object.values(r.datagramas.rejeitados).reduce((a, b) => a + b, 0);
    texto("n-rejeitados", fmt.taxa(rejeitadosAgora));
    texto("n-rejeitados-total", fmt.int(totalRejeitados) + " desde o início");
    texto("n-p50", fmt.ms(r.latencia_commit_ms.p50));
    texto("n-p99", "p99 " + fmt.ms(r.latencia_commit_ms.p99));
    texto("n-kernel", fmt.int(r.descartes_kernel));

    if (!gFluxo) montarGraficos();
    empurrar(fluxo, [t, s.datagramas_recebidos, s.datagramas_aceitos, s.leituras_armazenadas]);
    for (const m of Object.keys(porMotivo)) {
      if (!motivos.includes(m)) {
        motivos.push(m);
        rejeitados.push(rejeitados[0].map(() => 0));
        gRejeitados.addSeries({ label: m, stroke: CORES[(motivos.length + 1) % CORES.length], width: 2, value: (u, v) => fmt.taxa(v) });
      }
    }
    empurrar(rejeitados, [t, s.descartes_kernel, ...motivos.map((m) => porMotivo[m] || 0)]);
    gFluxo.setData(fluxo);
    gRejeitados.setData(rejeitados);
    // what the chart holds, for anyone inspecting the page (and the browser tests)
    $("grafico-fluxo").dataset.maximoRecebidos = String(Math.max(0, ...fluxo[1]));
    $("grafico-rejeitados").dataset.motivos = motivos.join(",");
    atualizarTabela();
  }

  // --- the meter table ------------------------------------------------------------------------
  const consulta = { busca: "", ordem: "id", sentido: "asc", pagina: 1 };
  let buscando = false;
  let deNovo = false;

  async function atualizarTabela() {
    if (buscando) {
      deNovo = true;
      return;
    }
    buscando = true;
    try {
      const q = new URLSearchParams({ busca: consulta.busca, ordem: consulta.ordem, sentido: consulta.sentido, pagina: consulta.pagina, por_pagina: 25 });
      mostrarTabela(await json("/painel/medidores/?" + q));
      erro(null);
    } catch (e) {
      erro(e.message);
    } finally {
      buscando = false;
      if (deNovo) {
        deNovo = false;
        atualizarTabela();
      }
    }
  }

  function mostrarTabela(t) {
    const linhas = t.medidores.map((m) => el("tr", { "data-id": m.id },
      el("td", {}, el("a", { href: "/painel/usuario/?id=" + m.id, text: String(m.id) })),
      el("td", { text: m.nome }),
      el("td", { class: "n", text: fmt.potencia(m.potencia_w) }),
      el("td", { class: "n", text: fmt.kwh(m.consumo_total_kwh) }),
      el("td", { text: fmt.ha(m.ultimo_contato, agora), title: m.ultimo_contato || "" }),
      el("td", { class: "n", text: fmt.int(m.perdidas_em_transito) }),
      el("td", { class: "n", text: fmt.int(m.duplicadas) }),
      el("td", { class: "n", text: fmt.int(m.fora_de_ordem) }),
      el("td", {}, el("span", { class: "pilula " + (m.online ? "online" : "offline"), text: m.online ? "online" : "offline" }))));
    if (linhas.length === 0) {
      linhas.push(el("tr", {}, el("td", { colspan: 9, class: "vazio",
        text: t.total === 0 ? "Nenhum usuário cadastrado: cadastre com POST /usuario/cadastro/." : "Nenhum medidor corresponde à busca." })));
    }
    $("medidores").replaceChildren(...linhas);
    texto("pagina", "página " + fmt.int(t.pagina) + " de " + fmt.int(t.paginas));
    texto("contagem", t.encontrados === t.total ? fmt.int(t.total) + " medidores" : fmt.int(t.encontrados) + " de " + fmt.int(t.total) + " medidores");
    $("anterior").disabled = t.pagina <= 1;
    $("proxima").disabled = t.pagina >= t.paginas;
    if (t.pagina > t.paginas) {
      consulta.pagina = t.paginas;
      atualizarTabela();
    }
    for (const b of document.querySelectorAll("th button")) {
      b.setAttribute("aria-sort", b.dataset.ordem === consulta.ordem ? (consulta.sentido === "asc" ? "ascending" : "descending") : "none");
    }
    if (!pronto && gFluxo) {
      pronto = true;
      performance.mark("gridmeter:pronto");
      document.body.dataset.pronto = "1";
    }
  }

  for (const b of document.querySelectorAll("th button")) {
    b.addEventListener("click", () => {
      if (consulta.ordem === b.dataset.ordem) {
        consulta.sentido = consulta.sentido === "asc" ? "desc" : "asc";
      } else {
        consulta.ordem = b.dataset.ordem;
        consulta.sentido = ["id", "nome"].includes(b.dataset.ordem) ? "asc" : "desc";
      }
      consulta.pagina = 1;
      atualizarTabela();
    });
  }
  let espera = null;
  $("busca").addEventListener("input", (ev) => {
    clearTimeout(espera);
    espera = setTimeout(() => {
      consulta.busca = ev.target.value.trim();
      consulta.pagina = 1;
      atualizarTabela();
    }, 200);
  });
  $("anterior").addEventListener("click", () => { consulta.pagina--; atualizarTabela(); });
  $("proxima").addEventListener("click", () => { consulta.pagina++; atualizarTabela(); });

  // --- alerts -------------------------------------------------------------------------------
  const NOMES_ALERTA = { excesso: "Consumo excessivo", variacao: "Grande variação", sem_sinal: "Sem sinal" };
  const FEED = 50;

  function itemAlerta(a) {
    const ativo = a.fim === null || a.fim === undefined;
    return el("li", { class: ativo ? "" : "encerrado", "data-medidor": a.id, "data-tipo": a.tipo },
      el("div", { class: "titulo" }, (ativo ? "⚠ " : "✓ ") + (NOMES_ALERTA[a.tipo] || a.tipo) + " · medidor ",
        el("a", { href: "/painel/usuario/?id=" + a.id, text: String(a.id) }), ativo ? "" : " · encerrado"),
      el("div", { text: a.mensagem }),
      el("div", { class: "quando", text: (ativo ? "desde " + GM.dataHora(a.inicio, fuso) : "de " + GM.dataHora(a.inicio, fuso, true) + " a " + GM.dataHora(a.fim, fuso, true)) + (a.janela ? " · " + a.janela : "") }));
  }

  function mostrarAlertas(lista) {
    $("alertas").replaceChildren(...lista.slice(0, FEED).map(itemAlerta));
    $("sem-alertas").hidden = lista.length > 0;
  }

  async function carregarAlertas() {
    try {
      mostrarAlertas((await json("/usuario/alertas/")).ativos);
    } catch (e) {
      erro(e.message);
    }
  }

  function alerta(a) {
    const lista = $("alertas");
    lista.prepend(itemAlerta(a));
    while (lista.children.length > FEED) lista.lastChild.remove();
    $("sem-alertas").hidden = true;
  }

  // --- cluster nodes (docs/scaling.md): polled, since partitions move rarely ---------------------
  async function carregarCluster() {
    let r = null;
    try {
      r = await fetch("/cluster", { headers: { Accept: "application/json" }, cache: "no-store" });
    } catch (e) {
      r = null; // the server is restarting: try again
    }
    if (r && r.status === 404) return; // a lone server: there is no cluster to show
    if (r && r.ok) mostrarCluster(await r.json());
    setTimeout(carregarCluster, 2000);
  }

  function mostrarCluster(c) {
    $("cluster").hidden = false;
    const cor = {};
    c.nos.forEach((n, i) => { cor[n.no] = CORES[i % CORES.length]; });
    const dono = new Array(c.particoes_total).fill(null);
    const epoca = new Array(c.particoes_total).fill(null);
    c.nos.forEach((n) => n.particoes.forEach((p) => { dono[p] = n.no; epoca[p] = n.epocas[p]; }));
    $("nos").replaceChildren(...c.nos.map((n) => {
      const marca = el("span", { class: "marca" });
      marca.style.background = cor[n.no];
      return el("li", { class: n.vivo ? "vivo" : "morto" }, marca,
        el("strong", { text: n.no + (n.este ? " (este nó)" : "") }),
        " · " + (n.vivo ? "vivo" : "sem sinal") + " · " + n.particoes.length + " partições · UDP " + n.udp);
    }));
    $("particoes").replaceChildren(...dono.map((n, p) => {
      const celula = el("span", { class: "particao" + (n ? "" : " sem-dono"),
        title: "partição " + p + (n ? ": nó " + n + ", época " + epoca[p] : ": sem dono agora") }, String(p));
      if (n) celula.style.background = cor[n];
      return celula;
    }));
  }

  // --- start --------------------------------------------------------------------------------
  async function iniciar() {
    try {
      fuso = (await json("/tarifa")).fuso;
    } catch (e) {
      erro(e.message);
    }
    stream("/tempo-real/resumo", { resumo }, null);
    try {
      if ((await json("/saude")).no) carregarCluster(); // a node of a cluster: show the nodes
    } catch (e) {
      erro(e.message);
    }
    stream("/usuario/tempo-real/?eventos=alerta", { alerta }, carregarAlertas); // a fresh list on each (re)connection
  }

  iniciar();
})();
