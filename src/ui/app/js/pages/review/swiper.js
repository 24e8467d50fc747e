// Swiper: approve or flag one output. → approves, ← flags (with a reason and a
// severity), ↑ escalates; on a touch screen the card can be swiped right or left.

import { html, useEffect, useRef } from '../../lib/html.js';
import { useShortcuts } from '../../lib/keys.js';
import { ActionButton, FieldList, Passage } from './games.js';

// How far (as a share of the card's width) a swipe must travel to count.
const SWIPE_SHARE = 0.28;

function useSwipe(ref, { onLeft, onRight, enabled }) {
  useEffect(() => {
    const el = ref.current;
    if (!el || !enabled) return undefined;
    let start = null;
    const card = () => el.closest('.review-card') || el;
    const move = (event) => {
      if (!start) return;
      const dx = event.clientX - start.x;
      const dy = event.clientY - start.y;
      if (!start.horizontal && Math.abs(dx) > 12 && Math.abs(dx) > Math.abs(dy)) start.horizontal = true;
      if (!start.horizontal) return;
      card().style.setProperty('--swipe-x', `${dx}px`);
      card().style.setProperty('--swipe-r', `${dx / 24}deg`);
      card().classList.add('swiping');
      card().classList.toggle('swipe-right', dx > 0);
      card().classList.toggle('swipe-left', dx < 0);
    };
    const end = (event) => {
      if (!start) return;
      const dx = event.clientX - start.x;
      const horizontal = start.horizontal;
      start = null;
      card().classList.remove('swiping', 'swipe-right', 'swipe-left');
      card().style.removeProperty('--swipe-x');
      card().style.removeProperty('--swipe-r');
      if (!horizontal) return;
      const width = card().getBoundingClientRect().width || 1;
      if (dx > width * SWIPE_SHARE) onRight();
      else if (dx < -width * SWIPE_SHARE) onLeft();
    };
    const down = (event) => {
      if (event.pointerType === 'mouse') return;
      start = { x: event.clientX, y: event.clientY, horizontal: false };
    };
    el.addEventListener('pointerdown', down);
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', end);
    window.addEventListener('pointercancel', end);
    return () => {
      el.removeEventListener('pointerdown', down);
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', end);
      window.removeEventListener('pointercancel', end);
    };
  }, [enabled]);
}

export default function Swiper({ view, submit, ask, escalate, active, mode }) {
  const surface = useRef(null);
  const approve = () => submit({ decision: 'approve' });
  const flag = async () => {
    const answer = await ask({ title: 'Flag this output', prompt: 'What is wrong with it?', severity: true, confirm: 'Flag' });
    if (answer) submit({ decision: 'flag', reason: answer.reason, severity: answer.severity });
  };
  useShortcuts('Card', [
    { key: 'ArrowRight', label: 'Approve', run: approve },
    { key: 'ArrowLeft', label: 'Flag (with a reason)', run: flag },
    ...(mode === 'review' ? [{ key: 'ArrowUp', label: 'Escalate', run: escalate }] : []),
  ], { active });
  useSwipe(surface, { onLeft: flag, onRight: approve, enabled: active });
  return html`<div class="game game-swiper" ref=${surface}>
    ${view.text ? html`<${Passage} text=${view.text} label="Output to review" />`
      : view.fields ? html`<${FieldList} fields=${view.fields} />` : null}
    <div class="actions actions-split">
      <${ActionButton} tone="flag" keyName="ArrowLeft" onClick=${flag} disabled=${!active}>Flag</${ActionButton}>
      <${ActionButton} tone="approve" keyName="ArrowRight" onClick=${approve} disabled=${!active}>Approve</${ActionButton}>
    </div>
    <p class="swipe-hint">Swipe right to approve, left to flag</p>
  </div>`;
}
