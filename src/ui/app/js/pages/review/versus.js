// Versus: which of two answers is better. A / B pick one, T calls it a tie, F says
// neither is acceptable (with a reason).

import { html } from '../../lib/html.js';
import { useShortcuts } from '../../lib/keys.js';
import { ActionButton, Passage } from './games.js';

export default function Versus({ view, submit, ask, active }) {
  const pick = (choice) => () => submit({ decision: 'approve', choice });
  const neither = async () => {
    const answer = await ask({
      title: 'Neither answer is acceptable', prompt: 'What is wrong with both?',
      initial: 'Neither answer is acceptable', confirm: 'Flag both',
    });
    if (answer) submit({ decision: 'flag', reason: answer.reason });
  };
  useShortcuts('Card', [
    { key: 'a', label: 'A is better', run: pick('a') },
    { key: 'b', label: 'B is better', run: pick('b') },
    { key: 't', label: 'Tie: both are as good', run: pick('tie') },
    { key: 'f', label: 'Neither is acceptable', run: neither },
  ], { active });
  return html`<div class="game game-versus">
    ${view.prompt && html`<div class="prompt"><span class="eyebrow">Prompt</span><p>${view.prompt}</p></div>`}
    <div class="versus-sides">
      <section class="side" aria-label="Answer A">
        <header class="side-head"><span class="side-letter">A</span></header>
        <${Passage} text=${view.a} />
      </section>
      <section class="side" aria-label="Answer B">
        <header class="side-head"><span class="side-letter">B</span></header>
        <${Passage} text=${view.b} />
      </section>
    </div>
    <div class="actions actions-grid-4">
      <${ActionButton} tone="approve" keyName="a" onClick=${pick('a')} disabled=${!active}>A is better</${ActionButton}>
      <${ActionButton} tone="neutral" keyName="t" onClick=${pick('tie')} disabled=${!active}>Tie</${ActionButton}>
      <${ActionButton} tone="approve" keyName="b" onClick=${pick('b')} disabled=${!active}>B is better</${ActionButton}>
      <${ActionButton} tone="flag" keyName="f" onClick=${neither} disabled=${!active}>Neither</${ActionButton}>
    </div>
  </div>`;
}
