// Short notices at the edge of the screen ("Key revoked", "Could not save"), announced to
// screen readers.

import { createStore, html, useStore } from '../lib/html.js';
import { Icon } from './icons.js';

const toasts = createStore([]);
let nextId = 1;

// Shows `message`; `kind` is 'success', 'error' or 'info'.
export function toast(message, kind = 'info', { timeout = kind === 'error' ? 7000 : 4000 } = {}) {
  const id = nextId++;
  toasts.set((all) => [...all.slice(-3), { id, message, kind }]);
  setTimeout(() => dismiss(id), timeout);
}

function dismiss(id) {
  toasts.set((all) => all.filter((t) => t.id !== id));
}

const icons = { success: 'check', error: 'alert', info: 'inbox' };

export function ToastHost() {
  const all = useStore(toasts);
  return html`<div class="toasts" role="status" aria-live="polite">
    ${all.map((t) => html`<div key=${t.id} class=${`toast toast-${t.kind}`}>
      <${Icon} name=${icons[t.kind]} />
      <span>${t.message}</span>
      <button type="button" class="btn btn-ghost btn-icon btn-small" aria-label="Dismiss"
        onClick=${() => dismiss(t.id)}><${Icon} name="x" size=${14} /></button>
    </div>`)}
  </div>`;
}
