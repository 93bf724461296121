import type {
  ClassificationMetrics,
  CurvePoint,
  FeatureImportance,
  RegressionMetrics,
} from "./evaluation.ts";

/** Everything the HTML report shows; also the body of metrics.json. */
export interface ModelMetrics {
  readonly model: { readonly name: string; readonly version: string; readonly createdAt: string };
  readonly objective: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly split: Readonly<Record<string, unknown>>;
  readonly rows: Readonly<Record<string, number>>;
  readonly training: { readonly seconds: number; readonly rounds: number; readonly bestIteration: number };
  readonly test?: ClassificationMetrics;
  readonly validation?: ClassificationMetrics;
  readonly regression?: { readonly test: RegressionMetrics; readonly validation?: RegressionMetrics };
  readonly importance: readonly FeatureImportance[];
  readonly encoding?: Readonly<Record<string, unknown>>;
}

const esc = (s: unknown) =>
  String(s).replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
const f = (x: number, d = 4) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** A square line chart in inline SVG: axes 0..1, gridlines, an optional diagonal reference. */
function chart(
  title: string,
  xLabel: string,
  yLabel: string,
  series: readonly {
    points: readonly { x: number; y: number }[];
    color: string;
    label: string;
    dots?: boolean;
  }[],
  diagonal: boolean,
): string {
  const W = 320;
  const P = 40;
  const S = W - 2 * P;
  const X = (v: number) => (P + v * S).toFixed(1);
  const Y = (v: number) => (P + (1 - v) * S).toFixed(1);
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (v) =>
        `<line x1="${X(v)}" y1="${Y(0)}" x2="${X(v)}" y2="${Y(1)}" stroke="#eee"/><line x1="${X(0)}" y1="${Y(v)}" x2="${X(1)}" y2="${Y(v)}" stroke="#eee"/>` +
        `<text x="${X(v)}" y="${W - P + 14}" font-size="10" text-anchor="middle">${v}</text><text x="${P - 6}" y="${Number(Y(v)) + 3}" font-size="10" text-anchor="end">${v}</text>`,
    )
    .join("");
  const diag = diagonal
    ? `<line x1="${X(0)}" y1="${Y(0)}" x2="${X(1)}" y2="${Y(1)}" stroke="#999" stroke-dasharray="4 3"/>`
    : "";
  const lines = series
    .map((s) => {
      const path = s.points.map((p, i) => `${i ? "L" : "M"}${X(p.x)},${Y(p.y)}`).join("");
      const dots = s.dots
        ? s.points.map((p) => `<circle cx="${X(p.x)}" cy="${Y(p.y)}" r="3" fill="${s.color}"/>`).join("")
        : "";
      return `<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"/>${dots}`;
    })
    .join("");
  const legend = series
    .map(
      (s, i) =>
        `<text x="${P + 8}" y="${P + 14 + i * 13}" font-size="11" fill="${s.color}">${esc(s.label)}</text>`,
    )
    .join("");
  return `<figure><svg width="${W}" height="${W}" viewBox="0 0 ${W} ${W}" role="img" aria-label="${esc(title)}">
<rect x="${P}" y="${P}" width="${S}" height="${S}" fill="#fff" stroke="#333"/>${grid}${diag}${lines}${legend}
<text x="${W / 2}" y="${W - 6}" font-size="11" text-anchor="middle">${esc(xLabel)}</text>
<text x="12" y="${W / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 12 ${W / 2})">${esc(yLabel)}</text>
<text x="${W / 2}" y="20" font-size="13" font-weight="bold" text-anchor="middle">${esc(title)}</text></svg></figure>`;
}

const xy = (ps: readonly CurvePoint[]) => ps.map((p) => ({ x: p.x, y: p.y }));

/** A self-contained HTML report (no scripts, no network): headline metrics explained in words, ROC, PR and
 * calibration plots as inline SVG, the confusion matrix, the calibration table and feature importance. */
export function renderReport(m: ModelMetrics): string {
  const t = m.test;
  const head = `<h1>Model ${esc(m.model.name)} — version ${esc(m.model.version)}</h1>
<p>Trained ${esc(m.model.createdAt)} with objective <code>${esc(m.objective)}</code> on ${m.rows.train ?? 0} bookings
(validation ${m.rows.validation ?? 0}, test ${m.rows.test ?? 0}); ${m.training.rounds} boosting rounds kept (best round ${m.training.bestIteration + 1}), ${f(m.training.seconds, 1)} s.</p>`;
  let body = "";
  if (t) {
    const c = t.confusion;
    body += `<h2>How good is it? (held-out test split, ${t.rows} bookings)</h2>
<table class="kpi"><tr><th>AUC</th><td>${f(t.auc)}</td><td>probability that a random canceled booking is scored above a random kept one (0.5 = chance, 1 = perfect)</td></tr>
<tr><th>Log loss</th><td>${f(t.logLoss)}</td><td>mean penalty of the predicted probabilities (lower is better)</td></tr>
<tr><th>Accuracy</th><td>${pct(t.accuracy)}</td><td>bookings classified correctly at threshold ${t.threshold}</td></tr>
<tr><th>Precision</th><td>${pct(t.precision)}</td><td>of the bookings flagged as cancellations, the share that did cancel</td></tr>
<tr><th>Recall</th><td>${pct(t.recall)}</td><td>of the bookings that canceled, the share flagged</td></tr>
<tr><th>F1</th><td>${f(t.f1)}</td><td>harmonic mean of precision and recall</td></tr></table>
<h3>Confusion matrix (threshold ${t.threshold})</h3>
<table><tr><th></th><th>predicted cancel</th><th>predicted keep</th></tr>
<tr><th>canceled</th><td>${c.tp}</td><td>${c.fn}</td></tr><tr><th>kept</th><td>${c.fp}</td><td>${c.tn}</td></tr></table>
<div class="charts">${chart("ROC curve", "false-positive rate", "true-positive rate", [{ points: xy(t.roc), color: "#1f77b4", label: `test AUC ${f(t.auc, 3)}` }], true)}
${chart("Precision–recall", "recall", "precision", [{ points: xy(t.pr), color: "#d62728", label: "test" }], false)}
${chart("Calibration", "mean predicted probability", "observed cancellation rate", [{ points: t.calibration.filter((b) => b.count > 0).map((b) => ({ x: b.meanPredicted, y: b.observedRate })), color: "#2ca02c", label: "test", dots: true }], true)}</div>
<h3>Calibration table</h3><p>Bookings grouped by predicted probability; a well-calibrated model has observed ≈ predicted.</p>
<table><tr><th>predicted</th><th>bookings</th><th>mean predicted</th><th>observed rate</th></tr>
${t.calibration.map((b) => `<tr><td>${f(b.lo, 1)}–${f(b.hi, 1)}</td><td>${b.count}</td><td>${f(b.meanPredicted, 3)}</td><td>${f(b.observedRate, 3)}</td></tr>`).join("")}</table>`;
  }
  if (m.regression) {
    const r = m.regression.test;
    body += `<h2>Test split</h2><table class="kpi"><tr><th>RMSE</th><td>${f(r.rmse)}</td></tr><tr><th>MAE</th><td>${f(r.mae)}</td></tr></table>`;
  }
  const maxGain = Math.max(1e-12, ...m.importance.map((i) => i.totalGain));
  body += `<h2>What drives the predictions (feature importance)</h2><p>Total gain = loss reduction from all splits on the feature; weight = number of splits.</p>
<table><tr><th>feature</th><th>total gain</th><th></th><th>mean gain</th><th>splits</th></tr>
${m.importance.map((i) => `<tr><td>${esc(i.feature)}</td><td>${f(i.totalGain, 1)}</td><td><svg width="160" height="10"><rect width="${((160 * i.totalGain) / maxGain).toFixed(1)}" height="10" fill="#1f77b4"/></svg></td><td>${f(i.gain, 2)}</td><td>${i.weight}</td></tr>`).join("")}</table>
<h2>Training parameters</h2><table>${Object.entries(m.params)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
    .join("")}</table>
<h2>Data split</h2><pre>${esc(JSON.stringify(m.split, null, 2))}</pre>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(m.model.name)} ${esc(m.model.version)}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:1060px;margin:24px auto;padding:0 16px;color:#222}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}
.kpi td:nth-child(2){font-weight:bold;text-align:right}.charts{display:flex;flex-wrap:wrap;gap:8px}figure{margin:0}</style>
</head><body>${head}${body}</body></html>\n`;
}
