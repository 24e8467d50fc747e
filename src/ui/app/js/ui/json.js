// JSON shown as a tree whose objects and arrays fold open and shut (native <details>),
// every value rendered as text.

import { html } from '../lib/html.js';

function Leaf({ value }) {
  if (value === null) return html`<span class="json-null">null</span>`;
  if (typeof value === 'string') return html`<span class="json-string">${JSON.stringify(value)}</span>`;
  return html`<span class="json-literal">${String(value)}</span>`;
}

function Node({ name, value, open }) {
  const isArray = Array.isArray(value);
  if (value === null || typeof value !== 'object') {
    return html`<div class="json-row">${name !== undefined && html`<span class="json-key">${name}: </span>`}<${Leaf} value=${value} /></div>`;
  }
  const entries = isArray ? value.map((v, i) => [i, v]) : Object.entries(value);
  const summary = isArray ? `[${entries.length}]` : `{${entries.length}}`;
  return html`<details class="json-node" open=${open}>
    <summary>${name !== undefined && html`<span class="json-key">${name}: </span>`}<span class="muted">${summary}</span></summary>
    <div class="json-children">${entries.map(([k, v]) => html`<${Node} key=${k} name=${k} value=${v} open=${false} />`)}</div>
  </details>`;
}

// <JsonTree value={…} />: the top level open, the rest folded.
export function JsonTree({ value }) {
  return html`<div class="json-tree"><${Node} value=${value} open=${true} /></div>`;
}
