// GridMeter dashboard: what every page shares. Plain browser JavaScript, no build step.
// Text that came from users (nome, endereco) or from the network is only ever set as textContent.
"use strict";

const GM = (() => {
  const numero = new Intl.NumberFormat("pt-BR");
  const decimais = (min, max) => new Intl.NumberFormat("pt-BR", { minimumFractionDigits: min, maximumFractionDigits: max });
  const kwh3 = decimais(0, 3);
  const um = decimais(1, 1);
  const moeda = new Intl.NumberFormat("pt-BR", { style: "currency", currency: "BRL" });

  /** An element with attributes (never HTML) and children (strings become text). */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function $(id) {
    return document.getElementById(id);
  }

  function texto(id, valor) {
    const e = $(id);
    if (e) e.textContent = valor;
  }

  // With --read-auth the server asks for a token: the page asks the person once and keeps it for this
  // tab only (sessionStorage), sent as Authorization, or as &token= on event streams (EventSource has no headers).
  const CHAVE_TOKEN = "gridmeter-token";
  const token = () => sessionStorage.getItem(CHAVE_TOKEN);

  function pedirToken() {
    const form = $("form-token");
    if (!form || !form.hidden) return;
    form.hidden = false;
    $("token").focus();
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = $("form-token");
    if (form) {
      form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        sessionStorage.setItem(CHAVE_TOKEN, $("token").value.trim());
        location.reload();
      });
    }
  });

  /** GET a JSON route; a failure throws an Error whose message is the server's own mensagem. */
  async function json(url) {
    let r;
    const headers = { Accept: "application/json", "Accept-Language": "pt-BR" };
    if (token()) headers.Authorization = "Bearer " + token();
    try {
      r = await fetch(url, { headers, cache: "no-store" });
    } catch (e) {
      throw new Error("Sem conexão com o servidor (" + url + "): ele está rodando?");
    }
    const body = await r.json().catch(() => null);
    if (r.status === 401 || r.status === 403) {
      pedirToken();
    }
    if (!r.ok) {
      throw new Error(body && body.mensagem ? body.mensagem : "O servidor respondeu " + r.status + " a " + url + ".");
    }
    return body;
  }

  /** Shows a problem at the top of the page (or clears it with null). */
  function erro(mensagem) {
    texto("erro", mensagem || "");
  }

  /**
   * An event stream that reconnects by itself. EventSource retries on its own after a dropped
   * connection; after an answer that is not a stream (the server was restarting) it gives up, so
   * we open a new one. onOpen runs on every (re)connection: pages reload a fresh snapshot there.
   */
  function stream(url, handlers, onOpen) {
    let source = null;
    function abrir() {
      const extra = "idioma=pt-BR" + (token() ? "&token=" + encodeURIComponent(token()) : ""); // the page is in Portuguese
      const endereco = url + (url.includes("?") ? "&" : "?") + extra;
      source = new EventSource(endereco);
      source.onopen = () => {
        estado("ao vivo", "vivo");
        if (onOpen) onOpen();
      };
      source.onerror = () => {
        estado("reconectando…", "caido");
        if (source.readyState === EventSource.CLOSED) {
          // refused, not dropped: ask why (the stream's status) before trying again
          fetch(endereco, { cache: "no-store" }).then((r) => {
            if (r.status === 401 || r.status === 403) {
              estado("precisa de token", "caido");
              pedirToken();
              r.json().then((b) => erro(b && b.mensagem), () => {});
            } else {
              if (r.body) r.body.cancel();
              setTimeout(abrir, 2000);
            }
          }, () => setTimeout(abrir, 2000));
        }
      };
      for (const [tipo, fn] of Object.entries(handlers)) {
        source.addEventListener(tipo, (ev) => fn(JSON.parse(ev.data)));
      }
    }
    abrir();
    return () => source && source.close();
  }

  function estado(rotulo, classe) {
    const e = $("estado");
    if (!e) return;
    e.textContent = rotulo;
    e.className = "estado " + (classe || "");
  }

  const fmt = {
    int: (n) => (n === null || n === undefined ? "—" : numero.format(n)),
    kwh: (n) => (n === null || n === undefined ? "—" : kwh3.format(n) + " kWh"),
    taxa: (n) => (n === null || n === undefined ? "—" : um.format(n)),
    ms: (n) => (n === null || n === undefined ? "—" : decimais(0, n < 10 ? 2 : 0).format(n) + " ms"),
    reais: (n) => (n === null || n === undefined ? "—" : moeda.format(n)),
    potencia: (w) => {
      if (w === null || w === undefined) return "—";
      return Math.abs(w) >= 1000 ? decimais(1, 2).format(w / 1000) + " kW" : numero.format(w) + " W";
    },
    /** How long ago, from the server's clock (never the browser's). */
    ha: (isoOuMs, agoraMs) => {
      if (isoOuMs === null || isoOuMs === undefined) return "nunca";
      const ms = typeof isoOuMs === "number" ? isoOuMs : Date.parse(isoOuMs);
      const s = Math.max(0, Math.round((agoraMs - ms) / 1000));
      if (s < 60) return "há " + s + " s";
      if (s < 3600) return "há " + Math.floor(s / 60) + " min";
      if (s < 86400) return "há " + Math.floor(s / 3600) + " h";
      return "há " + Math.floor(s / 86400) + " d";
    },
  };

  /** Date and time of an instant, in the billing zone. */
  function dataHora(iso, fuso, soHora) {
    if (!iso) return "—";
    const opcoes = soHora
      ? { timeZone: fuso, hour: "2-digit", minute: "2-digit", second: "2-digit" }
      : { timeZone: fuso, day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" };
    return new Intl.DateTimeFormat("pt-BR", opcoes).format(new Date(iso));
  }

  /** YYYY-MM-DD of an instant in a zone. */
  function dia(ms, fuso) {
    return new Intl.DateTimeFormat("en-CA", { timeZone: fuso, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(ms));
  }

  /** A uPlot chart that fills its container's width and follows it when the window changes. */
  function grafico(container, opcoes, dados) {
    const largura = () => Math.max(200, container.clientWidth);
    const u = new uPlot(Object.assign({ width: largura(), height: opcoes.height || 170, legend: { live: false } }, opcoes),
      dados, container);
    new ResizeObserver(() => u.setSize({ width: largura(), height: u.height })).observe(container);
    return u;
  }

  /**
   * A time axis (x in seconds) labelled in the billing zone the Brazilian way: {@code "segundos"}
   * (HH:MM:SS) for a live window, {@code "horas"} (HH:MM), {@code "dias"} (dd/mm).
   */
  function eixoTempo(fuso, modo) {
    const formatos = {
      segundos: { hour: "2-digit", minute: "2-digit", second: "2-digit" },
      horas: { hour: "2-digit", minute: "2-digit" },
      dias: { day: "2-digit", month: "2-digit" },
    };
    const f = new Intl.DateTimeFormat("pt-BR", Object.assign({ timeZone: fuso }, formatos[modo]));
    const rotulo = (t) => (t === null || t === undefined ? "—" : f.format(new Date(t * 1000)));
    return {
      serie: { label: modo === "dias" ? "dia" : "hora", value: (u, t) => rotulo(t) },
      eixo: { values: (u, ticks) => ticks.map(rotulo), space: modo === "dias" ? 50 : 80 },
    };
  }

  /** A value axis with Brazilian numbers (and an optional unit formatter). */
  function eixoValores(formato) {
    const f = new Intl.NumberFormat("pt-BR", { maximumFractionDigits: 2 });
    return { size: 70, values: (u, ticks) => ticks.map(formato || ((v) => f.format(v))) };
  }

  const CORES = ["#1459a8", "#137a3b", "#b3261e", "#8a5a00", "#6a1b9a", "#00838f", "#ad1457", "#4e342e", "#37474f", "#2e7d32"];

  return { el, $, texto, json, erro, stream, estado, fmt, dataHora, dia, grafico, eixoTempo, eixoValores, CORES };
})();
