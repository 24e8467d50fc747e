// Grounding: does the source support the claim? S supported, U unsupported, C
// contradicted. A passage selected in the source (or quoted with Q) goes with the
// decision as its evidence.

import { html, useRef, useState } from '../../lib/html.js';
import { useShortcuts } from '../../lib/keys.js';
import { clearSelection, selectionIn } from '../../lib/selection.js';
import { Icon } from '../../ui/icons.js';
import { ActionButton, Passage } from './games.js';

export default function Grounding({ view, submit, ask, active }) {
  const source = useRef(null);
  const [evidence, setEvidence] = useState(null);
  // The quoted evidence, or the passage selected in the source right now.
  const currentEvidence = () => {
    const picked = selectionIn(source.current);
    return picked ? picked : evidence;
  };
  const quote = () => {
    const picked = selectionIn(source.current);
    if (picked) {
      setEvidence(picked);
      clearSelection();
    }
  };
  const detail = (picked) => (picked ? { evidence: picked.text } : undefined);
  const supported = () => submit({ decision: 'approve', choice: 'supported', detail: detail(currentEvidence()) });
  const against = (choice) => async () => {
    const picked = currentEvidence();
    const answer = await ask({
      title: choice === 'contradicted' ? 'The source contradicts the claim' : 'The source does not support the claim',
      prompt: 'Explain briefly', confirm: 'Flag the claim',
      initial: choice === 'contradicted' ? 'The source contradicts the claim' : 'The source does not support the claim',
      quote: picked && picked.text,
    });
    if (answer) submit({ decision: 'flag', choice, reason: answer.reason, detail: detail(picked) });
  };
  useShortcuts('Card', [
    { key: 's', label: 'Supported', run: supported },
    { key: 'u', label: 'Unsupported', run: against('unsupported') },
    { key: 'c', label: 'Contradicted', run: against('contradicted') },
    { key: 'q', label: 'Quote the selection as evidence', run: quote },
  ], { active });
  return html`<div class="game game-grounding">
    <div class="grounding-sides">
      <section class="side side-claim" aria-label="Claim">
        <header class="side-head"><span class="eyebrow">Claim</span></header>
        <p class="claim">${view.claim}</p>
      </section>
      <section class="side" aria-label="Source">
        <header class="side-head"><span class="eyebrow">Source</span>
          <span class="muted small">Select a passage to quote it as evidence</span></header>
        <${Passage} text=${view.source_text} spans=${evidence ? [evidence] : []} passageRef=${source}
          markClass=${() => 'mark-evidence'} />
      </section>
    </div>
    ${evidence && html`<div class="evidence">
      <${Icon} name="quote" /><blockquote>${evidence.text}</blockquote>
      <button type="button" class="btn btn-ghost btn-small" onClick=${() => setEvidence(null)}>Remove</button>
    </div>`}
    <div class="actions actions-grid-3">
      <${ActionButton} tone="approve" keyName="s" onClick=${supported} disabled=${!active}>Supported</${ActionButton}>
      <${ActionButton} tone="flag" keyName="u" onClick=${against('unsupported')} disabled=${!active}>Unsupported</${ActionButton}>
      <${ActionButton} tone="flag" keyName="c" onClick=${against('contradicted')} disabled=${!active}>Contradicted</${ActionButton}>
    </div>
  </div>`;
}
