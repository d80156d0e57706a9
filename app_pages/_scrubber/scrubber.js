// Explore's date scrubber (app_pages/_scrub.py): an ITS chart whose intervention date can be
// dragged. The server sends, for every reachable date, the coefficients of the fit at that date
// (explorer/scrub.py, `scrub_payload`); this file turns them into the fitted line, the
// counterfactual and its 95% band exactly as explorer.scrub.paths does, so a drag never waits
// for the server. Release (or 0.6 s after the last arrow key) sends the date back as the
// `commit` trigger. plotly.js is Streamlit's own copy (see loadPlotly), or plotly's bundled file
// served beside this one.
// Version 2 (plotly.js from Streamlit's own chart code when it can); no build step.

const PLOTLY_URL = new URL("../explorer.plotlyjs/plotly.min.js", import.meta.url).href;
const INSTANCES = new WeakMap();
const COLORS = {
  observed: "#000000",
  fitted: "#0072B2",
  counterfactual: "#E69F00",
  intervention: "#D55E00",
  neutral: "#999999",
};
const KEY_DELAY = 600; // ms after the last arrow key before the date is committed
let plotlyPromise = null;

// plotly.js: Streamlit's own copy when its chart code can be imported (app_pages/_scrub.py,
// `streamlit_plotly_chunk`), else plotly's bundled file. Streamlit's copy is the one every
// st.plotly_chart of the app uses: loaded once for all pages, served by Streamlit as an
// immutable file (so the browser keeps it, compiled, between visits), and it defines
// window.Plotly when it loads. plotly's own file is the fallback.
function loadPlotly(chunk) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!plotlyPromise) {
    const own = () => new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = PLOTLY_URL;
      s.async = true;
      s.onload = () =>
        window.Plotly ? resolve(window.Plotly) : reject(new Error("plotly.js defined no Plotly"));
      s.onerror = () => reject(new Error(`could not load ${PLOTLY_URL}`));
      document.head.appendChild(s);
    });
    const streamlits = chunk
      ? import(new URL(chunk, document.baseURI).href).then(
          () => window.Plotly || own(), () => own())
      : own();
    plotlyPromise = streamlits.catch((e) => {
      plotlyPromise = null;
      throw e;
    });
  }
  return plotlyPromise;
}

// -- the arithmetic of explorer.scrub.paths ------------------------------------------------------
function movedColumns(P, t0) {
  const t = P.t, n = t.length;
  const a = new Float64Array(n), b = P.kind === "level_slope" ? new Float64Array(n) : null;
  for (let r = 0; r < n; r++) {
    const after = t[r] >= t0 ? 1 : 0;
    if (P.kind === "ramp") a[r] = Math.min(Math.max((t[r] - t0 + 1) / P.ramp, 0), 1) * after;
    else if (P.kind === "temporary") a[r] = t[r] >= t0 && t[r] < t0 + P.span ? 1 : 0;
    else a[r] = after;
    if (b) b[r] = (t[r] - t0) * after;
  }
  return b ? [a, b] : [a];
}

function paths(P, i) {
  const n = P.t.length, F = P.fixed, p = F.length, cf = P.cf, m = cf.length;
  const beta = P.beta[i], vt = P.vcf[i];
  const V = new Float64Array(m * m);
  for (let r = 0, k = 0; r < m; r++)
    for (let c = r; c < m; c++, k++) V[r * m + c] = V[c * m + r] = vt[k];
  const moved = movedColumns(P, P.t0[i]);
  const inv = P.log ? Math.exp : (v) => v;
  const fitted = new Array(n), mean = new Array(n), low = new Array(n), high = new Array(n);
  const x = new Float64Array(m);
  for (let r = 0; r < n; r++) {
    let eta = 0, ok = true;
    for (let j = 0; j < p; j++) {
      const v = F[j][r];
      if (v === null) { ok = false; break; }
      eta += v * beta[j];
    }
    if (!ok) { fitted[r] = mean[r] = low[r] = high[r] = null; continue; }
    for (let j = 0; j < moved.length; j++) eta += moved[j][r] * beta[p + j];
    let e = 0;
    for (let j = 0; j < m; j++) { x[j] = F[cf[j]][r]; e += x[j] * beta[cf[j]]; }
    let q = 0;
    for (let a = 0; a < m; a++) {
      let s = 0;
      for (let c = 0; c < m; c++) s += V[a * m + c] * x[c];
      q += x[a] * s;
    }
    const se = Math.sqrt(Math.max(q, 0));
    fitted[r] = inv(eta); mean[r] = inv(e);
    low[r] = inv(e - P.q * se); high[r] = inv(e + P.q * se);
  }
  return { fitted, mean, low, high };
}

// -- text -------------------------------------------------------------------------------------
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
function dateText(iso, freq) {
  const [y, m, d] = iso.split("-");
  const mon = MONTHS[Number(m) - 1];
  if (freq === "D") return `${d} ${mon} ${y}`;
  if (freq === "W") return `week of ${d} ${mon} ${y}`;
  if (freq === "Y") return y;
  return `${mon} ${y}`;
}
function g3(v) { // Python's f"{v:+.3g}"
  let s = Number(v).toPrecision(3);
  if (s.includes("e")) s = s.replace(/\.?0+e/, "e").replace(/e([+-])(\d)$/, "e$10$2");
  else if (s.includes(".")) s = s.replace(/\.?0+$/, "");
  return (v >= 0 ? "+" : "") + s;
}
function effectText(e, log) {
  if (!e) return "n/a";
  if (log) {
    const pct = (r) => { const v = 100 * (Math.exp(r) - 1); return (v >= 0 ? "+" : "") + v.toFixed(1) + "%"; };
    return `${pct(e[0])} (${pct(e[1])} to ${pct(e[2])})`;
  }
  return `${g3(e[0])} (${g3(e[1])} to ${g3(e[2])})`;
}

// -- the component ------------------------------------------------------------------------------
const CSS = `
.xs-root { font-family: var(--st-font, sans-serif); color: var(--st-text-color, inherit); }
.xs-head { display: flex; flex-wrap: wrap; gap: .25rem 1rem; align-items: baseline; }
.xs-label { font-size: .875rem; opacity: .8; }
.xs-value { font-size: 1.5rem; font-variant-numeric: tabular-nums; }
.xs-slope { font-size: .875rem; opacity: .8; }
.xs-plot { position: relative; width: 100%; height: 420px; }
.xs-chart, .xs-base { position: absolute; inset: 0; }
.xs-chart { z-index: 2; touch-action: none; }
.xs-base { z-index: 1; }
.xs-range { width: 100%; margin: .25rem 0; accent-color: ${COLORS.intervention}; }
.xs-note { font-size: .8rem; opacity: .7; }
`;

function build(root) {
  const el = document.createElement("div");
  el.className = "xs-root";
  el.innerHTML = `<style>${CSS}</style>
    <div class="xs-head"><span class="xs-label"></span>
      <span class="xs-value" data-testid="scrubHeadline"></span><span class="xs-slope"></span></div>
    <div class="xs-plot"><div class="xs-chart" data-testid="scrubChart"></div>
      <div class="xs-base" aria-hidden="true"></div></div>
    <input class="xs-range" type="range" min="0" step="1" data-testid="scrubRange">
    <div class="xs-note" aria-live="polite"></div>`;
  root.appendChild(el);
  const q = (s) => el.querySelector(s);
  const inst = {
    el, chart: q(".xs-chart"), base: q(".xs-base"), range: q(".xs-range"), label: q(".xs-label"),
    value: q(".xs-value"), slope: q(".xs-slope"), note: q(".xs-note"),
    P: null, data: null, shown: -1, want: -1, raf: 0, timer: 0, dragging: false, ms: null,
    redraws: 0, setTrigger: null, Plotly: null,
  };
  inst.range.addEventListener("input", () => show(inst, Number(inst.range.value)));
  inst.range.addEventListener("pointerdown", () => { inst.dragging = true; });
  inst.range.addEventListener("change", () => {
    if (inst.dragging) { inst.dragging = false; commit(inst); return; }
    clearTimeout(inst.timer); // keyboard: commit once the keys rest
    inst.timer = setTimeout(() => commit(inst), KEY_DELAY);
  });
  // Dragging on the chart itself: the nearest admissible date under the pointer.
  const at = (ev) => {
    const gd = inst.chart, fl = gd._fullLayout;
    if (!fl || !inst.ms) return -1;
    const box = gd.getBoundingClientRect();
    const px = ev.clientX - box.left - fl.margin.l;
    const ms = fl.xaxis.p2c(px);
    let best = 0;
    for (let i = 1; i < inst.ms.length; i++)
      if (Math.abs(inst.ms[i] - ms) < Math.abs(inst.ms[best] - ms)) best = i;
    return best;
  };
  inst.chart.addEventListener("pointerdown", (ev) => {
    const i = at(ev);
    if (i < 0) return;
    inst.chartDrag = true;
    inst.chart.setPointerCapture(ev.pointerId);
    inst.range.value = String(i);
    show(inst, i);
  });
  inst.chart.addEventListener("pointermove", (ev) => {
    if (!inst.chartDrag) return;
    const i = at(ev);
    if (i >= 0 && i !== inst.want) { inst.range.value = String(i); show(inst, i); }
  });
  const end = () => { if (inst.chartDrag) { inst.chartDrag = false; commit(inst); } };
  inst.chart.addEventListener("pointerup", end);
  inst.chart.addEventListener("pointercancel", end);
  return inst;
}

function commit(inst) {
  clearTimeout(inst.timer);
  const P = inst.P;
  const i = Number(inst.range.value);
  if (!P || i === P.current || inst.committed === P.date[i]) return;
  inst.committed = P.date[i];
  inst.note.textContent = `Refitting at ${dateText(P.date[i], P.freq)}…`;
  inst.setTrigger("commit", P.date[i]);
}

function show(inst, i) {
  inst.want = i;
  if (!inst.raf) inst.raf = requestAnimationFrame(() => { inst.raf = 0; draw(inst); });
}

function traces(P, i, pal) {
  const path = paths(P, i);
  const x = P.dates;
  const start = [P.date[i], ...P.held].sort()[0];
  const k0 = x.findIndex((d) => d >= start);
  const cut = (a) => a.map((v, r) => (r >= k0 && k0 >= 0 ? v : null));
  const lo = cut(path.low), hi = cut(path.high);
  const xs = x.slice(k0), bx = xs.concat(xs.slice().reverse());
  const by = hi.slice(k0).concat(lo.slice(k0).reverse());
  return [
    { x: bx, y: by, fill: "toself", mode: "lines", line: { width: 0 }, hoverinfo: "skip",
      fillcolor: pal.band, name: "95% interval", legendrank: 4 },
    { x, y: path.fitted, mode: "lines", name: "Fitted model", legendrank: 2,
      line: { color: COLORS.fitted, width: 2.2 } },
    { x, y: cut(path.mean), mode: "lines", name: "Without the intervention", legendrank: 3,
      line: { color: COLORS.counterfactual, width: 2.2, dash: "dash" } },
  ];
}

// Two plotly layers with the same fixed axes and margins: the observed points (hundreds of SVG
// markers, most of a redraw's cost) are drawn once on the base layer; only the transparent
// layer on top (fit, counterfactual, band, marker) is redrawn while the date moves.
function drawBase(inst) {
  const P = inst.P, lay = layout(inst, P.current);
  // The legend lives here too: its entries for the moving lines are empty look-alikes.
  const look = traces(P, P.current, ink(inst)).map((t) => ({ ...t, x: [P.dates[0]], y: [null] }));
  inst.Plotly.react(inst.base, [{ x: P.dates, y: P.observed, mode: "markers", name: "Observed",
    legendrank: 1, marker: { color: ink(inst).observed, size: 5, opacity: 0.8 },
    hoverinfo: "skip" }, ...look], { ...lay, shapes: [], annotations: [] }, { staticPlot: true });
}

// The reader's theme, read from the text colour Streamlit gives the component (it follows the
// reader's light or dark system setting): observed points and axis text in that colour, grid
// lines a faint shade of it, backgrounds transparent so the page's own shows through.
function ink(inst) {
  const c = getComputedStyle(inst.el).color || "rgb(0, 0, 0)";
  const [r, g, b] = (c.match(/\d+(\.\d+)?/g) || [0, 0, 0]).map(Number);
  const dark = 0.2126 * r + 0.7152 * g + 0.0722 * b > 128; // light text: a dark page
  return {
    text: `rgb(${r}, ${g}, ${b})`,
    grid: `rgba(${r}, ${g}, ${b}, 0.15)`,
    observed: dark ? `rgb(${r}, ${g}, ${b})` : COLORS.observed,
    band: dark ? "rgba(230,159,0,0.28)" : "rgba(230,159,0,0.18)",
  };
}

// Plotly draws a subset of HTML (<a href>, <b>, ...) in titles and annotations: data text is
// escaped so that a label can never become a link or a tag.
function plainText(s) {
  return String(s ?? "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function layout(inst, i) {
  const P = inst.P, pal = ink(inst);
  const vline = (x, color, dash, text) => ({
    shape: { type: "line", xref: "x", yref: "paper", x0: x, x1: x, y0: 0, y1: 1,
      line: { color, width: 2, dash } },
    note: { x, xref: "x", yref: "paper", y: 1, yanchor: "bottom", text: plainText(text),
      showarrow: false,
      font: { color, size: 12 } },
  });
  const marks = [vline(P.date[i], COLORS.intervention, "solid", P.label)];
  (P.held_labels || []).forEach((lab, j) => marks.push(vline(P.held[j], COLORS.neutral, "dot", lab)));
  return {
    // The title and subtitle are page text above the component (they wrap on a phone).
    margin: { l: 56, r: 16, t: 28, b: 72, autoexpand: false }, // the same box on both layers
    showlegend: true,
    legend: { orientation: "h", y: -0.16 },
    dragmode: false,
    hovermode: "x unified",
    // Fixed ranges: the axes stay put while the date moves (and plotly skips autoranging).
    font: { color: pal.text },
    xaxis: { type: "date", showgrid: false, range: inst.xrange, color: pal.text },
    yaxis: { title: { text: plainText(P.value) }, zeroline: false, range: inst.yrange,
      color: pal.text, gridcolor: pal.grid },
    shapes: marks.map((m) => m.shape),
    annotations: marks.map((m) => m.note),
    plot_bgcolor: "rgba(0,0,0,0)",
    paper_bgcolor: "rgba(0,0,0,0)",
  };
}

function draw(inst) {
  const P = inst.P, i = inst.want;
  if (!P || !inst.Plotly || i < 0) return;
  inst.shown = i;
  if (inst.baseFor !== P) { inst.baseFor = P; drawBase(inst); }
  const lay = layout(inst, i);
  inst.Plotly.react(inst.chart, traces(P, i, ink(inst)), {
    ...lay, title: { text: "" }, showlegend: false,
    paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
    xaxis: { ...lay.xaxis, visible: false }, yaxis: { ...lay.yaxis, visible: false },
  }, { displayModeBar: false, responsive: true });
  if (!inst.hooked && inst.chart.on) { // redraws counted for the benchmark and the tests
    inst.hooked = true;
    inst.chart.on("plotly_afterplot", () => { inst.chart.dataset.redraws = ++inst.redraws; });
  }
  inst.label.textContent = `Level change at ${P.label} (${dateText(P.date[i], P.freq)})`;
  inst.value.textContent = effectText(P.level[i], P.log);
  inst.slope.textContent = P.slope ? `slope change ${effectText(P.slope[i], P.log)}` : "";
  inst.range.setAttribute("aria-valuetext", dateText(P.date[i], P.freq));
  inst.el.dataset.date = P.date[i];
  if (!inst.committed || i === P.current) inst.note.textContent =
    i === P.current
      ? `Drag the date (or use the arrow keys); the table below is for ${dateText(P.date[i], P.freq)}.`
      : `Release to refit at ${dateText(P.date[i], P.freq)} and update the table.`;
}

function update(inst, data) {
  const P = data.payload;
  inst.data = data;
  inst.P = P;
  inst.committed = null;
  inst.ms = P.date.map((d) => Date.parse(d));
  const ys = P.observed.filter((v) => v !== null);
  const lo = Math.min(...ys), hi = Math.max(...ys), pad = 0.12 * (hi - lo || Math.abs(hi) || 1);
  inst.yrange = [lo - pad, hi + pad];
  const day = 864e5, x0 = Date.parse(P.dates[0]), x1 = Date.parse(P.dates[P.dates.length - 1]);
  const xpad = Math.max(0.02 * (x1 - x0), day);
  inst.xrange = [new Date(x0 - xpad).toISOString(), new Date(x1 + xpad).toISOString()];
  inst.range.max = String(P.t0.length - 1);
  inst.range.value = String(P.current);
  inst.range.setAttribute("aria-label", `Date of ${P.label}`);
  show(inst, P.current);
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let inst = INSTANCES.get(parentElement);
  if (!inst) {
    inst = build(parentElement);
    INSTANCES.set(parentElement, inst);
    const first = typeof data === "string" ? JSON.parse(data) : data;
    loadPlotly(first && first.plotly_chunk).then(
      (Plotly) => {
        inst.Plotly = Plotly;
        draw(inst);
      },
      (err) => {
        inst.note.textContent = "The interactive chart could not load; using the plain slider.";
        inst.setTrigger("failed", String(err && err.message));
      },
    );
  }
  inst.setTrigger = setTriggerValue;
  const payload = typeof data === "string" ? JSON.parse(data) : data;
  if (payload && payload.payload && payload !== inst.data) update(inst, payload);

  return () => {
    cancelAnimationFrame(inst.raf);
    clearTimeout(inst.timer);
    if (inst.Plotly) { inst.Plotly.purge(inst.chart); inst.Plotly.purge(inst.base); }
    INSTANCES.delete(parentElement);
  };
}
