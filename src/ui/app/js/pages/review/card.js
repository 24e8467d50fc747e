// A review card: what every game shares (the header with the game, source, deadline and
// the time left on the reviewer's hold, the title, the links of a sign-off card, the
// automation's suggestion and the highlighted fields), the game itself, the prompt a
// sign-off card's work came from, and the actions every game has (escalate, skip).

import { cx, html, useEffect, useState } from '../../lib/html.js';
import { useShortcuts } from '../../lib/keys.js';
import { ago, countdown } from '../../lib/format.js';
import { Icon } from '../../ui/icons.js';
import { ActionButton, FieldList, gameNames, gameQuestions } from './games.js';
import Swiper from './swiper.js';
import Versus from './versus.js';
import Sorter from './sorter.js';
import Detective from './detective.js';
import Fixer from './fixer.js';
import Redact from './redact.js';
import Grounding from './grounding.js';

const games = { swiper: Swiper, versus: Versus, sorter: Sorter, detective: Detective, fixer: Fixer, redact: Redact, grounding: Grounding };

// Seconds until `iso`, ticking every second.
function useSecondsLeft(iso) {
  const left = () => (iso ? (new Date(iso).getTime() - Date.now()) / 1000 : null);
  const [seconds, setSeconds] = useState(left);
  useEffect(() => {
    setSeconds(left());
    if (!iso) return undefined;
    const timer = setInterval(() => setSeconds(left()), 1000);
    return () => clearInterval(timer);
  }, [iso]);
  return seconds;
}

function Lease({ until, onEnd }) {
  const seconds = useSecondsLeft(until);
  useEffect(() => {
    if (seconds !== null && seconds <= 0) onEnd();
  }, [seconds !== null && seconds <= 0]);
  if (seconds === null) return null;
  return html`<span class=${cx('lease', seconds < 60 && 'lease-low')} title="Time left to decide before the card goes back to the queue">
    <${Icon} name="clock" size=${14} /> <span class="visually-hidden">Time left </span>${countdown(seconds)}
  </span>`;
}

function Suggestion({ suggestion }) {
  if (!suggestion || !suggestion.label) return null;
  const confidence = typeof suggestion.confidence === 'number' ? Math.round(suggestion.confidence * 100) : null;
  return html`<div class="suggestion">
    <span class="eyebrow">Automation suggests</span>
    <strong>${suggestion.label}</strong>
    ${confidence !== null && html`<span class="confidence">
      <span class="meter meter-small" role="meter" aria-valuemin="0" aria-valuemax="100" aria-valuenow=${confidence}
        aria-label="Confidence"><span class="meter-fill" style=${{ '--fill': `${confidence}%` }}></span></span>
      ${confidence}%
    </span>`}
  </div>`;
}

// Only web links are followed: a link an agent reported is shown as text when it is
// anything else.
function safeHref(url) {
  return typeof url === 'string' && /^https?:\/\//i.test(url) ? url : null;
}

const linkKinds = { issue: 'Issue', commit: 'Commit', pull_request: 'Pull request' };

// The links of a sign-off card: the issue the work is for (its page in this app, whatever
// address the server gave it), then its commits and pull requests (opened in a new tab:
// they live elsewhere).
export function WorkLinks({ links, issue }) {
  if (!Array.isArray(links) || links.length === 0) return null;
  return html`<ul class="card-links" aria-label="Links">${links.map((link, i) => {
    const own = link.kind === 'issue' && issue && Number.isInteger(issue.number);
    const href = own ? `/issues/${issue.number}` : safeHref(link.url);
    return html`<li key=${i} class=${`card-link card-link-${link.kind}`}>
      <span class="eyebrow">${linkKinds[link.kind] || link.kind}</span>
      ${href
        ? html`<a href=${href} target=${own ? undefined : '_blank'} rel=${own ? undefined : 'noopener noreferrer'}>
            <${Icon} name="link" size=${14} /> ${link.label}</a>`
        : html`<span>${link.label}</span>`}
    </li>`;
  })}</ul>`;
}

// The prompt a sign-off card's work was done with, folded away until asked for.
export function PromptUsed({ prompt }) {
  if (!prompt || !prompt.versionId) return null;
  return html`<details class="card-prompt">
    <summary>Prompt used: <strong>${prompt.templateSlug}</strong> v${prompt.versionNumber}</summary>
    ${prompt.text ? html`<pre class="card-prompt-text">${prompt.text}</pre>`
      : html`<p class="muted small">This version no longer renders for the issue.</p>`}
  </details>`;
}

// props: task (with `game` and `view`), lease (ISO time or null), mode ('review' or
// 'resolve'), submit(body), ask(request), onSkip(), onLeaseEnd(), busy.
export function ReviewCard({ task, lease, mode = 'review', submit, ask, onSkip, onLeaseEnd, busy }) {
  const card = task.card || {};
  const game = task.game || task.module;
  const Game = games[game] || Swiper;
  const active = !busy;
  const escalate = async () => {
    const answer = await ask({
      title: 'Escalate for a second opinion', prompt: 'What should the next person look at?',
      optional: true, confirm: 'Escalate',
    });
    if (answer) submit({ decision: 'escalate', reason: answer.reason });
  };
  useShortcuts('Card', mode === 'review' ? [
    { key: 'e', label: 'Escalate for a second opinion', run: escalate },
    { key: 'Escape', label: 'Skip this card', run: onSkip },
  ] : [], { active });
  const title = card.title || gameQuestions[game];
  return html`<article class=${cx('review-card', busy && 'is-busy')} aria-labelledby="card-title" data-game=${game}>
    <header class="card-head">
      <span class=${`game-chip game-${game}`}>${gameNames[game] || game}</span>
      ${game !== task.module && html`<span class="muted small" title="This task came without the inputs of its own game, so it is shown as one output to approve or flag">
        sent as ${gameNames[task.module] || task.module}</span>`}
      ${task.source && html`<span class="card-source">${task.source}</span>`}
      <span class="spacer"></span>
      ${task.deadline && html`<span class=${cx('deadline', new Date(task.deadline) - Date.now() < 3600000 && 'deadline-soon')}
          title=${`The automation waits for this verdict until ${task.deadline}`}>
        <${Icon} name="alert" size=${14} /> due ${ago(task.deadline)}</span>`}
      ${lease && html`<${Lease} until=${lease} onEnd=${onLeaseEnd} />`}
    </header>
    <div class="card-title-block">
      <h2 id="card-title" class="card-title">${title}</h2>
      ${card.subtitle && html`<p class="card-subtitle">${card.subtitle}</p>`}
    </div>
    <${WorkLinks} links=${card.links} issue=${card.issue} />
    <${Suggestion} suggestion=${card.suggestion} />
    ${Array.isArray(card.fields) && card.fields.length > 0 && html`<${FieldList} fields=${card.fields} />`}
    <${Game} key=${task.id} task=${task} view=${task.view || {}} submit=${submit} ask=${ask} escalate=${escalate}
      active=${active} mode=${mode} />
    <${PromptUsed} prompt=${card.prompt} />
    ${mode === 'review' && html`<footer class="card-foot">
      <${ActionButton} tone="ghost" keyName="e" onClick=${escalate} disabled=${!active}>
        <${Icon} name="escalate" size=${16} /> Escalate
      </${ActionButton}>
      <${ActionButton} tone="ghost" keyName="Escape" onClick=${onSkip} disabled=${!active}>
        <${Icon} name="skip" size=${16} /> Skip
      </${ActionButton}>
    </footer>`}
  </article>`;
}

// The card's outline while the next one loads, the same size so nothing jumps.
export function CardPlaceholder() {
  return html`<article class="review-card review-card-placeholder" aria-busy="true" aria-label="Loading the next card">
    <div class="card-head"><span class="skeleton-chip"></span></div>
    <span class="skeleton-line skeleton-title"></span>
    <span class="skeleton-line"></span><span class="skeleton-line"></span><span class="skeleton-line skeleton-short"></span>
  </article>`;
}
