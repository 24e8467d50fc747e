// Modal dialogs on the native <dialog> element (focus is trapped and Esc closes it), and
// `confirmAction`, an awaitable confirmation for destructive or irreversible actions.

import { createStore, html, useEffect, useId, useRef, useStore } from '../lib/html.js';
import { useShortcuts } from '../lib/keys.js';
import { Icon } from './icons.js';

// <Dialog open title onClose footer>…</Dialog>
export function Dialog({ open, title, onClose, children, footer, wide, className }) {
  const ref = useRef(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  // The dialog's keys replace the page's while it is open (Esc is the browser's).
  useShortcuts('Dialog', [], { active: open, modal: true });
  return html`<dialog ref=${ref} class=${['dialog', wide && 'dialog-wide', className].filter(Boolean).join(' ')}
      aria-labelledby=${titleId}
      onCancel=${(event) => { event.preventDefault(); onClose && onClose(); }}>
    ${open && html`
      <header class="dialog-head">
        <h2 id=${titleId}>${title}</h2>
        <button type="button" class="btn btn-ghost btn-icon" aria-label="Close" onClick=${onClose}>
          <${Icon} name="x" />
        </button>
      </header>
      <div class="dialog-body">${children}</div>
      ${footer && html`<footer class="dialog-foot">${footer}</footer>`}`}
  </dialog>`;
}

const pending = createStore(null);

// Asks the person to confirm; resolves to true or false.
export function confirmAction({ title, body, confirmLabel = 'Confirm', danger = false }) {
  return new Promise((resolve) => {
    pending.set({ title, body, confirmLabel, danger, resolve });
  });
}

// Renders the confirmation asked for by `confirmAction` (once, in the app shell).
export function ConfirmHost() {
  const ask = useStore(pending);
  const close = (answer) => {
    if (ask) ask.resolve(answer);
    pending.set(null);
  };
  return html`<${Dialog} open=${!!ask} title=${ask ? ask.title : ''} onClose=${() => close(false)}
    footer=${ask && html`
      <button type="button" class="btn" onClick=${() => close(false)}>Cancel</button>
      <button type="button" class=${ask.danger ? 'btn btn-danger' : 'btn btn-primary'} autofocus
        onClick=${() => close(true)}>${ask.confirmLabel}</button>`}>
    ${ask && html`<p>${ask.body}</p>`}
  </${Dialog}>`;
}
