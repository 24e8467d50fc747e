// Small SVG and CSS charts: a sparkline, a stacked bar and a bar list. Sizes are set
// through CSS custom properties (the CSP allows no style attributes).

import { html } from '../lib/html.js';

// A line through `values` (nulls skipped), scaled to `min`..`max`, with the last point marked.
export function Sparkline({ values, min = 0, max = 5, width = 120, height = 32, label }) {
  const points = values.map((v, i) => [i, v]).filter(([, v]) => typeof v === 'number');
  if (!points.length) return html`<span class="sparkline-empty muted small">no scores yet</span>`;
  const span = Math.max(values.length - 1, 1);
  const x = (i) => (values.length === 1 ? width / 2 : 3 + (i / span) * (width - 6));
  const y = (v) => height - 3 - ((Math.min(Math.max(v, min), max) - min) / (max - min || 1)) * (height - 6);
  const d = points.map(([i, v], k) => `${k ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const [lastI, lastV] = points[points.length - 1];
  return html`<svg class="sparkline" width=${width} height=${height} viewBox=${`0 0 ${width} ${height}`}
      role="img" aria-label=${label || `Scores: ${points.map(([, v]) => v.toFixed(1)).join(', ')}`}>
    <line class="sparkline-base" x1="0" x2=${width} y1=${y(3.5)} y2=${y(3.5)} />
    <path class="sparkline-line" d=${d} fill="none" />
    <circle class="sparkline-dot" cx=${x(lastI)} cy=${y(lastV)} r="2.6" />
  </svg>`;
}

// Segments [{ value, kind, label }] as one bar, each as wide as its share of `total`
// (default: their sum).
export function StackedBar({ segments, total, label }) {
  const sum = total || segments.reduce((n, s) => n + s.value, 0) || 1;
  return html`<span class="stacked" role="img" aria-label=${label || segments.map((s) => `${s.label} ${s.value}`).join(', ')}>
    ${segments.filter((s) => s.value > 0).map((s) => html`<span key=${s.label} class=${`stacked-part part-${s.kind}`}
      title=${`${s.label}: ${s.value}`} style=${{ '--share': `${(s.value / sum) * 100}%` }}></span>`)}
  </span>`;
}

// Rows [{ label, value, kind, href? }] as horizontal bars scaled to the largest.
export function BarList({ rows, empty = 'Nothing yet' }) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  if (!rows.length) return html`<p class="muted small">${empty}</p>`;
  return html`<ul class="bar-list">
    ${rows.map((r) => html`<li key=${r.label}>
      <span class="bar-label">${r.href ? html`<a href=${r.href}>${r.label}</a>` : r.label}</span>
      <span class="bar-track"><span class=${`bar-fill part-${r.kind || 'accent'}`} style=${{ '--share': `${(r.value / max) * 100}%` }}></span></span>
      <span class="bar-value num">${r.value}</span>
    </li>`)}
  </ul>`;
}

// A progress bar from `value` of `max` (clamped), with its label.
export function Progress({ value, max, label }) {
  const ratio = max ? Math.min(Math.max(value / max, 0), 1) : 0;
  return html`<span class="meter progress" role="progressbar" aria-label=${label} aria-valuemin="0" aria-valuemax="100"
    aria-valuenow=${Math.round(ratio * 100)}><span class="meter-fill" style=${{ '--fill': `${ratio * 100}%` }}></span></span>`;
}
