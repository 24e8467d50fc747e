// Fixer: confirm or correct extracted values. Edit any value in place; Enter confirms
// (sending the corrections, if any); R rejects the whole output (with a reason).

import { cx, html, useState } from '../../lib/html.js';
import { useShortcuts } from '../../lib/keys.js';
import { display } from '../../lib/format.js';
import { ActionButton } from './games.js';

// The value to send for a field edited to `text`: the original value (with its type)
// when the text did not change, a number for a numeric field edited to a number.
function edited(original, text) {
  if (text === display(original) || (original === null && text === '')) return original;
  if (typeof original === 'number' && text.trim() !== '' && !Number.isNaN(Number(text))) return Number(text);
  return text;
}

export default function Fixer({ view, submit, ask, active }) {
  const fields = view.fields || [];
  const [texts, setTexts] = useState(() => fields.map((f) => (f.value === null ? '' : String(f.value))));
  const values = fields.map((f, i) => edited(f.value, texts[i]));
  const changed = fields.map((f, i) => values[i] !== f.value);
  const changes = changed.filter(Boolean).length;
  const confirm = (event) => {
    if (event && event.preventDefault) event.preventDefault();
    if (!active) return;
    submit(changes
      ? { decision: 'approve', detail: { fields: values.map((value) => ({ value })) } }
      : { decision: 'approve' });
  };
  const reject = async () => {
    const answer = await ask({ title: 'Reject this output', prompt: 'Why can it not be fixed?', confirm: 'Reject' });
    if (answer) submit({ decision: 'flag', reason: answer.reason });
  };
  useShortcuts('Card', [
    { key: 'Enter', label: changes ? 'Confirm with corrections' : 'Confirm as it is', run: confirm },
    { key: 'r', label: 'Reject the output', run: reject },
  ], { active });
  return html`<form class="game game-fixer" onSubmit=${confirm}>
    <p class="game-hint">Correct any value in place, then press <kbd>Enter</kbd>.</p>
    <div class="fixer-fields">
      ${fields.map((field, i) => html`<div key=${i} class=${cx('fixer-field', changed[i] && 'fixer-changed')}>
        <label for=${`fix-${i}`}>${field.label}</label>
        <input id=${`fix-${i}`} type="text" value=${texts[i]} disabled=${!active} autocomplete="off"
          onInput=${(e) => { const next = [...texts]; next[i] = e.target.value; setTexts(next); }} />
        ${changed[i] && html`<span class="fixer-was">was <s>${display(field.value)}</s></span>`}
      </div>`)}
    </div>
    <div class="actions actions-split">
      <${ActionButton} tone="flag" keyName="r" onClick=${reject} disabled=${!active}>Reject</${ActionButton}>
      <button type="submit" class="btn action action-approve" disabled=${!active}>
        <span class="action-label">${changes ? `Confirm ${changes} correction${changes === 1 ? '' : 's'}` : 'Confirm'}</span>
        <kbd class="action-key">Enter</kbd>
      </button>
    </div>
  </form>`;
}
