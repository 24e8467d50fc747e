// The seven review games: what each is called, the component that plays it, and the
// pieces every game shows (the passage of text, an action button with its key).

import { cx, html, useRef, useState } from '../../lib/html.js';
import { keyLabel } from '../../lib/keys.js';
import { clearSelection, overlaps, segments, selectionIn } from '../../lib/selection.js';
import { toast } from '../../ui/toast.js';

export const gameNames = {
  swiper: 'Swiper', versus: 'Versus', sorter: 'Sorter', detective: 'Detective',
  fixer: 'Fixer', redact: 'Redact', grounding: 'Grounding',
};

// What the reviewer is asked, per game.
export const gameQuestions = {
  swiper: 'Is this output right?',
  versus: 'Which answer is better?',
  sorter: 'Which bucket does this belong in?',
  detective: 'Is there an error in this text?',
  fixer: 'Are these values right?',
  redact: 'Does anything here need masking?',
  grounding: 'Does the source support the claim?',
};

// Keeps a click on a button from clearing the text selected in a passage (detective,
// redact and grounding act on the selection).
export const keepSelection = (event) => event.preventDefault();

// A decision button: its label, the key that does the same, and a tone.
export function ActionButton({ tone = 'neutral', keyName, onClick, disabled, children, className, title }) {
  return html`<button type="button" class=${cx('btn', 'action', `action-${tone}`, className)}
      disabled=${disabled} onClick=${onClick} title=${title} onMouseDown=${keepSelection}
      aria-keyshortcuts=${keyName ? keyLabel(keyName) : undefined}>
    <span class="action-label">${children}</span>
    ${keyName && html`<kbd class="action-key">${keyLabel(keyName)}</kbd>`}
  </button>`;
}

// Passages a reviewer marks in a text (detective errors, redactions): `passage` is the
// ref of the text's element; `mark(extra)` adds the selection inside it (with `extra`
// fields such as a label), saying `hint` when nothing is selected there; `remove(span)`
// takes one back. Spans stay in text order and never overlap.
export function useMarkedSpans(hint) {
  const passage = useRef(null);
  const [spans, setSpans] = useState([]);
  const mark = (extra = {}) => {
    const picked = selectionIn(passage.current);
    if (!picked) {
      toast(hint, 'info');
      return;
    }
    if (overlaps(picked, spans)) {
      toast('That overlaps a passage already marked.', 'info');
      return;
    }
    setSpans([...spans, { ...picked, ...extra }].sort((a, b) => a.start - b.start));
    clearSelection();
  };
  const remove = (span) => setSpans(spans.filter((s) => s !== span));
  return { passage, spans, mark, remove };
}

// A passage of text with some spans marked (detective errors, redactions, evidence).
// `render(span)` gives a marked span's extra content (e.g. its label); `ref` reaches the
// element so selections can be measured against it.
export function Passage({ text, spans = [], markClass, passageRef, label, className }) {
  const pieces = segments(text || '', spans);
  return html`<div class=${cx('passage', className)} ref=${passageRef} aria-label=${label}>${pieces.map((piece, i) =>
    piece.span
      ? html`<mark key=${i} class=${cx('mark', markClass && markClass(piece.span))}>${piece.text}</mark>`
      : piece.text)}</div>`;
}

// The payload's scalar values (or a fixer's fields) as a definition list.
export function FieldList({ fields }) {
  return html`<dl class="field-list">${fields.map((f, i) => html`<div key=${i} class=${cx('field-row', f.highlight && 'field-row-highlight')}>
    <dt>${f.label}</dt><dd>${f.value === null || f.value === undefined ? '—' : String(f.value)}</dd>
  </div>`)}</dl>`;
}
