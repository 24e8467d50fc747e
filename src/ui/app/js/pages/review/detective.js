// Detective: find the error in a text. Select a passage and press M to mark it (as many
// as needed), then Enter to report them with what is wrong; N says there is no error.

import { html } from '../../lib/html.js';
import { useShortcuts } from '../../lib/keys.js';
import { Icon } from '../../ui/icons.js';
import { ActionButton, Passage, useMarkedSpans } from './games.js';

export default function Detective({ view, submit, ask, active }) {
  const { passage, spans, mark: markWith, remove } = useMarkedSpans('Select the wrong passage in the text first, then press M.');
  const mark = () => markWith();
  const noError = () => submit({ decision: 'approve' });
  const report = async () => {
    const answer = await ask({
      title: spans.length ? `Report ${spans.length === 1 ? 'the marked error' : `${spans.length} marked errors`}` : 'Report an error',
      prompt: 'What is wrong?', confirm: 'Report error',
      quote: spans.map((s) => s.text).join(' … '),
    });
    if (!answer) return;
    submit({
      decision: 'flag', reason: answer.reason,
      detail: spans.length ? { spans: spans.map(({ start, end }) => ({ start, end })) } : undefined,
    });
  };
  useShortcuts('Card', [
    { key: 'm', label: 'Mark the selected passage', run: mark },
    { key: 'Enter', label: 'Report the marked errors', run: report },
    { key: 'n', label: 'No error', run: noError },
  ], { active });
  return html`<div class="game game-detective">
    <p class="game-hint">Select a wrong passage, then press <kbd>M</kbd> to mark it.</p>
    <${Passage} text=${view.text} spans=${spans} passageRef=${passage} label="Text to check" markClass=${() => 'mark-error'} />
    ${spans.length > 0 && html`<ul class="chips" aria-label="Marked passages">
      ${spans.map((span) => html`<li key=${span.start} class="chip chip-error">
        <span class="chip-text">${span.text}</span>
        <button type="button" class="chip-remove" aria-label=${`Unmark “${span.text}”`} onClick=${() => remove(span)}>
          <${Icon} name="x" size=${14} />
        </button>
      </li>`)}
    </ul>`}
    <div class="actions actions-split">
      <${ActionButton} tone="neutral" keyName="m" onClick=${mark} disabled=${!active}>Mark selection</${ActionButton}>
      <${ActionButton} tone="approve" keyName="n" onClick=${noError} disabled=${!active}>No error</${ActionButton}>
      <${ActionButton} tone="flag" keyName="Enter" onClick=${report} disabled=${!active}>
        ${spans.length ? `Report ${spans.length} error${spans.length === 1 ? '' : 's'}` : 'Report error'}
      </${ActionButton}>
    </div>
  </div>`;
}
