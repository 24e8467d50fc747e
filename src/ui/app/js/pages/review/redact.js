// Redact: mask sensitive data before release. Select text and press 1–7 to mask it with
// a label; marked spans can be removed; Enter releases (with the masks), B blocks the
// release entirely (with a reason).

import { html } from '../../lib/html.js';
import { useShortcuts } from '../../lib/keys.js';
import { Icon } from '../../ui/icons.js';
import { ActionButton, Passage, keepSelection, useMarkedSpans } from './games.js';

export const redactLabels = ['email', 'phone', 'card', 'secret', 'name', 'address', 'other'];

export default function Redact({ view, submit, ask, active }) {
  const { passage, spans, mark, remove } = useMarkedSpans('Select the text to mask first, then press a number.');
  const maskAs = (label) => () => mark({ label });
  const done = () => submit(spans.length
    ? { decision: 'approve', detail: { spans: spans.map(({ start, end, label }) => ({ start, end, label })) } }
    : { decision: 'approve' });
  const block = async () => {
    const answer = await ask({
      title: 'Block the release', prompt: 'Why must this not be released?',
      initial: 'Contains data that must not be released', confirm: 'Block release',
    });
    if (answer) submit({ decision: 'flag', reason: answer.reason });
  };
  useShortcuts('Card', [
    ...redactLabels.map((label, i) => ({ key: String(i + 1), label: `Mask the selection as ${label}`, run: maskAs(label) })),
    { key: 'Enter', label: 'Done: release with these masks', run: done },
    { key: 'b', label: 'Block the release', run: block },
  ], { active });
  return html`<div class="game game-redact">
    <p class="game-hint">Select sensitive text, then press a number to mask it.</p>
    <${Passage} text=${view.text} spans=${spans} passageRef=${passage} label="Text to release"
      markClass=${(span) => `mark-redact mark-${span.label}`} />
    <div class="legend" role="group" aria-label="Mask the selection as">
      ${redactLabels.map((label, i) => html`<button key=${label} type="button" class=${`legend-item mark-${label}`}
          onClick=${maskAs(label)} onMouseDown=${keepSelection} disabled=${!active}>
        <kbd>${i + 1}</kbd> ${label}
      </button>`)}
    </div>
    ${spans.length > 0 && html`<ul class="chips" aria-label="Masked spans">
      ${spans.map((span) => html`<li key=${span.start} class=${`chip mark-${span.label}`}>
        <span class="chip-label">${span.label}</span><span class="chip-text">${span.text}</span>
        <button type="button" class="chip-remove" aria-label=${`Unmask “${span.text}”`} onClick=${() => remove(span)}>
          <${Icon} name="x" size=${14} />
        </button>
      </li>`)}
    </ul>`}
    <div class="actions actions-split">
      <${ActionButton} tone="flag" keyName="b" onClick=${block} disabled=${!active}>Block release</${ActionButton}>
      <${ActionButton} tone="approve" keyName="Enter" onClick=${done} disabled=${!active}>
        ${spans.length ? `Release with ${spans.length} mask${spans.length === 1 ? '' : 's'}` : 'Release: nothing to mask'}
      </${ActionButton}>
    </div>
  </div>`;
}
