// Data tables: columns described once, rows rendered with an empty state, scrolling
// sideways inside their own box on narrow screens.

import { cx, html } from '../lib/html.js';

// columns: [{ label, render(row), className?, align? }]
export function DataTable({ columns, rows, rowKey = (r) => r.id, empty, caption, rowClass }) {
  if (!rows.length && empty) return empty;
  return html`<div class="table-wrap">
    <table class="table">
      ${caption && html`<caption class="visually-hidden">${caption}</caption>`}
      <thead><tr>
        ${columns.map((c) => html`<th scope="col" class=${cx(c.className, c.align && `align-${c.align}`)}>${c.label}</th>`)}
      </tr></thead>
      <tbody>
        ${rows.map((row) => html`<tr key=${rowKey(row)} class=${rowClass && rowClass(row)}>
          ${columns.map((c) => html`<td class=${cx(c.className, c.align && `align-${c.align}`)}>${c.render(row)}</td>`)}
        </tr>`)}
      </tbody>
    </table>
  </div>`;
}

// A status word as a coloured pill.
export function Badge({ kind = 'neutral', children }) {
  return html`<span class=${`badge badge-${kind}`}>${children}</span>`;
}

const statusKinds = {
  pending: 'info', reviewed: 'success', escalated: 'warning',
  succeeded: 'success', failed: 'danger',
};

export function StatusBadge({ status }) {
  return html`<${Badge} kind=${statusKinds[status] || 'neutral'}>${status}</${Badge}>`;
}
