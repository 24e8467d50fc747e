// Sorter: put the item in a bucket (1–9), or type a label when the task has none; F says
// it fits no bucket (with a reason).

import { html, useState } from '../../lib/html.js';
import { useShortcuts } from '../../lib/keys.js';
import { ActionButton, Passage } from './games.js';

export default function Sorter({ view, submit, ask, active }) {
  const buckets = view.choices || [];
  const [label, setLabel] = useState('');
  const choose = (choice) => submit({ decision: 'approve', choice });
  const fitsNone = async () => {
    const answer = await ask({
      title: 'Fits no bucket', prompt: 'Why does it fit none, or what is wrong with it?',
      initial: 'Fits no bucket', confirm: 'Flag',
    });
    if (answer) submit({ decision: 'flag', reason: answer.reason });
  };
  useShortcuts('Card', [
    ...buckets.slice(0, 9).map((bucket, i) => ({
      key: String(i + 1), label: `Sort into “${bucket}”`, run: () => choose(bucket),
    })),
    { key: 'f', label: 'Fits no bucket', run: fitsNone },
  ], { active });
  const typed = (event) => {
    event.preventDefault();
    if (label.trim()) choose(label.trim());
  };
  return html`<div class="game game-sorter">
    ${view.text && html`<${Passage} text=${view.text} label="Item to sort" />`}
    ${buckets.length ? html`<div class="buckets" role="group" aria-label="Buckets">
        ${buckets.map((bucket, i) => html`<${ActionButton} key=${bucket} tone="bucket" keyName=${i < 9 ? String(i + 1) : undefined}
          onClick=${() => choose(bucket)} disabled=${!active}>${bucket}</${ActionButton}>`)}
      </div>`
      : html`<form class="label-form" onSubmit=${typed}>
        <label for="sorter-label">Label</label>
        <div class="label-row">
          <input id="sorter-label" type="text" maxlength="100" placeholder="Type a label, then Enter" autocomplete="off"
            value=${label} onInput=${(e) => setLabel(e.target.value)} disabled=${!active} />
          <button type="submit" class="btn btn-primary" disabled=${!active || !label.trim()}>Sort <kbd>Enter</kbd></button>
        </div>
      </form>`}
    <div class="actions actions-end">
      <${ActionButton} tone="flag" keyName="f" onClick=${fitsNone} disabled=${!active}>Fits no bucket</${ActionButton}>
    </div>
  </div>`;
}
