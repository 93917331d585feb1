// One user's page: a snapshot of every route it shows, then the user's event stream keeps the
// power chart and the numbers live; the rollups, invoices and alerts reload when events say so.
"use strict";

(() => {
  const { el, $, texto, json, erro, stream, fmt, dataHora, dia, grafico, eixoTempo, eixoValores, CORES } = GM;
  const QUINZE_MIN = 15 * 60;
  const id = new URLSearchParams(location.search).get("id");
  let fuso = "UTC";
  const potencia = [[], []];
  let gPotencia = null;
  let gHoras = null;
  let gDias = null;
  const NOMES_ALERTA = { excesso: "Consumo excessivo", variacao: "Grande variação", sem_sinal: "Sem sinal" };

  if (!id) {
    erro("Diga qual usuário: /painel/usuario/?id=1 (ou use o campo Usuário acima).");
    GM.estado("sem usuário", "caido");
    return;
  }
  $("ir-id").value = id;
  const q = "?id=" + encodeURIComponent(id);

  // --- the user and its live numbers ---------------------------------------------------------
  let ultimaLeitura = null;

  function mostrarUsuario(u) {
    ultimaLeitura = u.ultima_leitura ? Date.parse(u.ultima_leitura.timestamp) : null;
    document.title = "GridMeter — " + u.nome;
    texto("titulo", "· usuário " + u.id);
    texto("u-nome", u.nome);
    texto("u-endereco", u.endereco);
    texto("u-total", fmt.kwh(u.consumo_total_kwh));
    texto("u-leitura", u.ultima_leitura ? "medidor em " + fmt.kwh(u.ultima_leitura.kwh) : "nenhuma leitura ainda");
    texto("u-ultima", u.ultima_leitura ? "leitura de " + dataHora(u.ultima_leitura.timestamp, fuso) : "—");
    const s = $("u-situacao");
    s.replaceChildren(el("span", { class: "pilula " + (u.online ? "online" : "offline"), text: u.online ? "online" : "offline" }));
    const ativos = [u.consumo_excessivo ? "consumo excessivo" : null, u.grande_variacao ? "grande variação" : null].filter(Boolean);
    texto("u-alertas", ativos.length ? "alerta: " + ativos.join(", ") : "sem alertas de consumo");
  }

  function leitura(l) {
    texto("u-potencia", fmt.potencia(l.potencia_w));
    texto("u-total", fmt.kwh(l.consumo_total_kwh));
    texto("u-leitura", "medidor em " + fmt.kwh(l.kwh));
    texto("u-ultima", "leitura de " + dataHora(l.timestamp, fuso));
    const t = Date.parse(l.timestamp) / 1000;
    if (l.potencia_w !== null && (potencia[0].length === 0 || t > potencia[0][potencia[0].length - 1])) {
      potencia[0].push(t);
      potencia[1].push(l.potencia_w);
    }
    aparar(t);
    mostrarPotencia();
    recarregarDepois();
  }

  function mostrarPotencia() {
    gPotencia.setData(potencia);
    const c = $("grafico-potencia"); // what the chart holds, for anyone inspecting the page (and the browser tests)
    c.dataset.pontos = String(potencia[0].length);
    c.dataset.ultimaPotencia = potencia[1].length ? String(potencia[1][potencia[1].length - 1]) : "";
  }

  /** Keeps the last 15 minutes before the newest reading. */
  function aparar(ultimo) {
    while (potencia[0].length && potencia[0][0] < ultimo - QUINZE_MIN) {
      potencia[0].shift();
      potencia[1].shift();
    }
  }

  // --- rollups, invoices, alerts: reloaded at most every 5 s while readings come ------------------
  let recarga = null;
  function recarregarDepois() {
    if (recarga === null) {
      recarga = setTimeout(async () => {
        recarga = null;
        await Promise.all([carregarSeries(), carregarFaturas(), carregarUsuario()]);
      }, 5000);
    }
  }

  async function carregarUsuario() {
    try {
      mostrarUsuario(await json("/usuario/" + q));
    } catch (e) {
      erro(e.message);
    }
  }

  let agora = Date.now();

  async function carregarSeries() {
    try {
      const hoje = dia(agora, fuso);
      const ha30 = dia(agora - 29 * 86400000, fuso);
      texto("hoje", new Intl.DateTimeFormat("pt-BR", { timeZone: fuso, day: "2-digit", month: "2-digit", year: "numeric" }).format(new Date(agora)));
      const [horas, dias] = await Promise.all([
        json("/usuario/consumo/intervalo/" + q + "&passo=hora&inicio=" + hoje + "&fim=" + hoje),
        json("/usuario/consumo/intervalo/" + q + "&passo=dia&inicio=" + ha30 + "&fim=" + hoje)]);
      gHoras.setData(barras(horas.serie));
      gDias.setData(barras(dias.serie));
    } catch (e) {
      erro(e.message);
    }
  }

  function barras(serie) {
    return [serie.map((b) => Date.parse(b.inicio) / 1000), serie.map((b) => b.consumo_kwh)];
  }

  async function carregarFaturas() {
    try {
      const faturas = (await json("/usuario/fatura/" + q)).faturas;
      const aberta = faturas.find((f) => f.status === "aberta");
      texto("u-fatura", aberta ? fmt.reais(aberta["valor da fatura"]) : "—");
      texto("u-fatura-nota", aberta ? fmt.kwh(aberta.consumo) + " em " + aberta.mes : "nenhum ciclo aberto");
      const linhas = faturas.map((f) => el("tr", {},
        el("td", { text: f.mes }),
        el("td", { text: dataHora(f.inicio, fuso).slice(0, 10) + " → " + dataHora(f.fim, fuso).slice(0, 10) }),
        el("td", { class: "n", text: fmt.kwh(f.consumo) }),
        el("td", { class: "n", text: f.ajuste_kwh ? fmt.kwh(f.ajuste_kwh) : "—" }),
        el("td", { class: "n", text: fmt.reais(f["valor da fatura"]) }),
        el("td", {}, el("span", { class: "pilula " + f.status, text: f.status }),
          f.estimada ? el("span", { class: "pilula estimada", text: "estimada" }) : null)));
      $("faturas").replaceChildren(...(linhas.length ? linhas : [el("tr", {}, el("td", { colspan: 6, class: "vazio", text: "Nenhuma fatura ainda: o ciclo abre com a primeira leitura." }))]));
    } catch (e) {
      erro(e.message);
    }
  }

  async function carregarAlertas() {
    try {
      const a = await json("/usuario/alertas/" + q);
      const linhas = a.historico.map((h) => el("tr", {},
        el("td", {}, el("div", { class: "titulo", text: (h.fim ? "✓ " : "⚠ ") + (NOMES_ALERTA[h.tipo] || h.tipo) }), el("div", { class: "explica", text: h.mensagem })),
        el("td", { text: h.motivo }),
        el("td", { class: "n", text: numeroOuTraco(h.valor) }),
        el("td", { class: "n", text: numeroOuTraco(h.linha_base) }),
        el("td", { class: "n", text: numeroOuTraco(h.limite) }),
        el("td", { text: h.janela || "—" }),
        el("td", { text: dataHora(h.inicio, fuso) + (h.fim ? " → " + dataHora(h.fim, fuso) : " → agora") })));
      $("alertas").replaceChildren(...(linhas.length ? linhas : [el("tr", {}, el("td", { colspan: 7, class: "vazio", text: "Nenhum alerta até agora." }))]));
    } catch (e) {
      erro(e.message);
    }
  }

  function numeroOuTraco(n) {
    return n === null || n === undefined ? "—" : new Intl.NumberFormat("pt-BR", { maximumFractionDigits: 3 }).format(n);
  }

  const ROTULOS_REDE = [
    ["formato", "Formato", (v) => (v === "legado" ? "legado (36 bytes, sem sequência)" : v || "—")],
    ["transporte", "Transporte", (v) => (v ? v.toUpperCase() : "—")],
    ["endereco", "Endereço de origem", (v) => v || "—"],
    ["datagramas_recebidos", "Datagramas recebidos", fmt.int],
    ["leituras_recebidas", "Leituras recebidas", fmt.int],
    ["perdidas_em_transito", "Perdidas em trânsito", fmt.int],
    ["duplicadas", "Duplicadas", fmt.int],
    ["fora_de_ordem", "Fora de ordem", fmt.int],
    ["reenviadas", "Reenviadas", fmt.int],
    ["ultima_sequencia", "Última sequência", fmt.int],
    ["ultimo_contato", "Último contato", (v) => dataHora(v, fuso)],
  ];

  async function carregarRede() {
    try {
      const r = await json("/usuario/rede/" + q);
      $("rede").replaceChildren(...ROTULOS_REDE.flatMap(([k, rotulo, f]) => [el("dt", { text: rotulo }), el("dd", { "data-campo": k, text: f(r[k]) })]));
    } catch (e) {
      erro(e.message);
    }
  }

  async function carregarTarifa() {
    const t = await json("/tarifa");
    fuso = t.fuso;
    const v = t.vigente;
    const itens = [["Tipo", v.tipo === "fixa" ? "preço fixo" : "por blocos de consumo"]];
    if (v.tipo === "fixa") {
      itens.push(["Preço", fmt.reais(v.preco_kwh) + " por kWh"]);
    } else {
      v.blocos.forEach((b, i) => itens.push(["Bloco " + (i + 1), (b.ate_kwh === null ? "acima" : "até " + fmt.kwh(b.ate_kwh)) + ": " + fmt.reais(b.preco) + " por kWh"]));
    }
    itens.push(["Bandeira", v.bandeira + (v.adicional_bandeira_kwh ? " (+" + fmt.reais(v.adicional_bandeira_kwh) + " por kWh)" : "")]);
    itens.push(["Fechamento", "dia " + t.dia_fechamento + " de cada mês"]);
    itens.push(["Fuso", t.fuso]);
    $("tarifa").replaceChildren(...itens.flatMap(([k, val]) => [el("dt", { text: k }), el("dd", { text: val })]));
  }

  /** The last 15 minutes of power, ending at the newest reading (or the server's now). */
  async function carregarPotencia() {
    const fim = ultimaLeitura === null ? agora : ultimaLeitura;
    const desde = new Date(fim - QUINZE_MIN * 1000).toISOString();
    const pagina = await json("/usuario/consumo/" + q + "&limite=10000&desde=" + encodeURIComponent(desde));
    potencia[0].length = 0;
    potencia[1].length = 0;
    for (const l of pagina.consumo) {
      if (l.potencia_w !== null) {
        potencia[0].push(Date.parse(l.timestamp) / 1000);
        potencia[1].push(l.potencia_w);
      }
    }
    if (potencia[0].length) aparar(potencia[0][potencia[0].length - 1]);
    mostrarPotencia();
    const ultima = pagina.consumo[pagina.consumo.length - 1];
    if (ultima) texto("u-potencia", fmt.potencia(ultima.potencia_w));
  }

  function montarGraficos() {
    const t = eixoTempo(fuso, "segundos");
    gPotencia = grafico($("grafico-potencia"), {
      series: [t.serie, { label: "potência", stroke: CORES[0], fill: "rgba(20, 89, 168, 0.12)", width: 2, value: (u, v) => fmt.potencia(v) }],
      axes: [t.eixo, eixoValores(fmt.potencia)],
      scales: { y: { range: (u, min, max) => [0, Math.max(100, max * 1.15)] } },
    }, potencia);
    const barrasDe = (porDia) => {
      const e = eixoTempo(fuso, porDia ? "dias" : "horas");
      const passo = porDia ? 86400 : 3600;
      return {
        series: [e.serie, { label: "consumo", stroke: CORES[1], fill: "rgba(19, 122, 59, 0.35)", paths: uPlot.paths.bars({ size: [0.8, 60] }), points: { show: false }, value: (u, v) => fmt.kwh(v) }],
        axes: [e.eixo, eixoValores()],
        scales: {
          x: { time: true, range: (u, min, max) => [min - passo / 2, max + passo / 2] }, // whole bars at the edges
          y: { range: (u, min, max) => [0, Math.max(0.01, max * 1.15)] },
        },
      };
    };
    gHoras = grafico($("grafico-horas"), barrasDe(false), [[], []]);
    gDias = grafico($("grafico-dias"), barrasDe(true), [[], []]);
  }

  // --- start --------------------------------------------------------------------------------
  async function snapshot() {
    try {
      agora = Date.parse((await json("/saude")).agora);
      await carregarUsuario();
      await Promise.all([carregarPotencia(), carregarSeries(), carregarFaturas(), carregarAlertas(), carregarRede()]);
      erro(null);
      document.body.dataset.pronto = "1";
    } catch (e) {
      erro(e.message);
    }
  }

  async function iniciar() {
    try {
      await carregarTarifa();
    } catch (e) {
      erro(e.message);
      return;
    }
    montarGraficos();
    $("link-datagramas").href = "/painel/datagramas/" + q;
    setInterval(carregarRede, 2000);
    stream("/usuario/tempo-real/" + q, {
      leitura,
      alerta: () => { carregarAlertas(); carregarUsuario(); },
      fatura: () => carregarFaturas(),
    }, snapshot); // a fresh snapshot on each (re)connection: nothing missed while it was away
  }

  iniciar();
})();
