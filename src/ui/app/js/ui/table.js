// Data tables: columns described once, rows rendered with an empty state, scrolling
// sideways inside their own box on narrow screens.

import { cx, html } from '../lib/html.js';

// A column's header: its label, or a button that sorts by it when the table is sortable
// (`sort` is the current order, e.g. "title" or "-title"; `onSort` gets the next one).
function Header({ column, sort, onSort }) {
  if (!column.sortKey || !onSort) return column.label;
  const current = sort === column.sortKey ? 'ascending' : sort === `-${column.sortKey}` ? 'descending' : null;
  const next = current === 'ascending' ? `-${column.sortKey}` : column.sortKey;
  return html`<button type="button" class=${cx('sort-button', current && 'sorted')} onClick=${() => onSort(next)}
      aria-label=${`Sort by ${column.label}${current === 'ascending' ? ', descending' : ''}`}>
    ${column.label} ${current ? (current === 'ascending' ? '↑' : '↓') : ''}
  </button>`;
}

// columns: [{ label, render(row), className?, align?, sortKey? }]
export function DataTable({ columns, rows, rowKey = (r) => r.id, empty, caption, rowClass, sort, onSort }) {
  if (!rows.length && empty) return empty;
  const sortState = (c) => {
    if (!c.sortKey || !onSort) return undefined;
    if (sort === c.sortKey) return 'ascending';
    return sort === `-${c.sortKey}` ? 'descending' : 'none';
  };
  return html`<div class="table-wrap">
    <table class="table">
      ${caption && html`<caption class="visually-hidden">${caption}</caption>`}
      <thead><tr>
        ${columns.map((c) => html`<th scope="col" class=${cx(c.className, c.align && `align-${c.align}`)}
          aria-sort=${sortState(c)}><${Header} column=${c} sort=${sort} onSort=${onSort} /></th>`)}
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
