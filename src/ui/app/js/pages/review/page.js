// /review — the review game: pick a project (or all of yours), then decide one card at a
// time. Each decision updates the score, brings the next card without a page load, and
// a card that was taken away meanwhile (409) is explained and skipped past. When nothing
// is waiting the page says so and checks again by itself.

import { cx, html, useCallback, useEffect, useRef, useState } from '../../lib/html.js';
import { ApiError, get, post } from '../../lib/api.js';
import { clock, count } from '../../lib/format.js';
import { useSession } from '../../lib/session.js';
import { useTitle } from '../../ui/layout.js';
import { EmptyState, ErrorState } from '../../ui/states.js';
import { Icon } from '../../ui/icons.js';
import { toast } from '../../ui/toast.js';
import { badgeName } from '../../ui/badges.js';
import { CardPlaceholder, ReviewCard } from './card.js';
import { ReasonDialog } from './reason.js';
import { StatsBar } from './stats.js';

// How long to wait before asking again when no card is waiting.
const RECHECK_MS = 15000;
const PROJECT_KEY = 'loop.review.project';

function ProjectPicker({ projects, value, onChange }) {
  const total = projects.reduce((sum, p) => sum + p.pending, 0);
  return html`<label class="picker">
    <span class="visually-hidden">Project</span>
    <${Icon} name="folder" size=${16} />
    <select value=${value} onChange=${(e) => onChange(e.target.value)} aria-label="Project to review">
      <option value="">All my projects · ${count(total)} pending</option>
      ${projects.map((p) => html`<option key=${p.id} value=${p.id}>${p.name} · ${count(p.pending)} pending</option>`)}
    </select>
  </label>`;
}

function InboxZero({ nextCheck, onCheck, checking }) {
  const [, tick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, []);
  const seconds = nextCheck ? Math.max(0, Math.ceil((nextCheck - Date.now()) / 1000)) : 0;
  return html`<div class="inbox-zero">
    <div class="inbox-zero-mark"><${Icon} name="check" size=${34} /></div>
    <h2>Inbox zero</h2>
    <p class="muted">Nothing is waiting for you. New cards appear here on their own.</p>
    <p class="next-check" aria-live="polite">
      ${checking ? 'Checking…' : html`Next check at ${clock(new Date(nextCheck))} <span class="muted">(in ${seconds}s)</span>`}
    </p>
    <button type="button" class="btn" onClick=${onCheck} disabled=${checking}><${Icon} name="refresh" /> Check now</button>
  </div>`;
}

// What the planted error of a decoy played as `game` was.
function PlantedError({ game, planted }) {
  if (!planted) return null;
  if (game === 'detective') {
    return html`<span class="planted">A false sentence had been added: <q class="planted-new">${planted.planted}</q></span>`;
  }
  const words = planted.in_context || planted;
  return html`<span class="planted"><q class="planted-old">${words.original}</q> had been changed to <q class="planted-new">${words.planted}</q>.</span>`;
}

// After a decision on a decoy (a copy of a recent card with one planted error): whether
// the reviewer caught it, what the error was, and what it did to their score.
function Feedback({ feedback }) {
  if (!feedback || !feedback.decoy) return null;
  const { caught, decision, xp } = feedback;
  const verdict = caught ? 'You caught a planted error.'
    : decision === 'escalate' ? 'That card was a probe with a planted error; escalating it neither caught nor missed it.'
      : 'That card was a probe with a planted error, and it got past you.';
  const effect = caught ? `+${xp} XP` : xp < 0 ? `${xp} XP, streak reset` : '';
  return html`<div class=${cx('notice', 'decoy-feedback', caught ? 'notice-success' : 'notice-warning')} role="status">
    <${Icon} name=${caught ? 'shield' : 'alert'} />
    <div><strong>${verdict}</strong> <${PlantedError} game=${feedback.game} planted=${feedback.planted} />
      ${effect && html` <span class="decoy-effect">${effect}</span>`}</div>
  </div>`;
}

export default function ReviewPage() {
  const { user } = useSession();
  useTitle('Review');
  const [projects, setProjects] = useState(null);
  const [problem, setProblem] = useState(null);
  const [project, setProject] = useState(() => localStorage.getItem(PROJECT_KEY) || '');
  const [stats, setStats] = useState(null);
  const [gained, setGained] = useState(null);
  const [feedback, setFeedback] = useState(null);
  // { state: 'loading' | 'card' | 'empty' | 'error', assignment?, nextCheck?, error? }
  const [slot, setSlot] = useState({ state: 'loading' });
  const [busy, setBusy] = useState(false);
  const [asking, setAsking] = useState(null);
  const timer = useRef(null);
  const projectRef = useRef(project);
  projectRef.current = project;

  const loadProjects = useCallback(() => get('/review/projects').then(setProjects, setProblem), []);
  const loadStats = useCallback(() => get('/review/stats').then(setStats, () => {}), []);

  // Asks for the next card of the chosen project (the one already held comes back).
  const next = useCallback(async () => {
    clearTimeout(timer.current);
    setSlot((s) => (s.state === 'empty' ? { ...s, checking: true } : { state: 'loading' }));
    try {
      const body = projectRef.current ? { project_id: projectRef.current } : {};
      const assignment = await post('/review/next', body);
      if (assignment) {
        setSlot({ state: 'card', assignment });
      } else {
        const nextCheck = Date.now() + RECHECK_MS;
        setSlot({ state: 'empty', nextCheck });
        timer.current = setTimeout(next, RECHECK_MS);
        loadProjects();
      }
    } catch (error) {
      setSlot({ state: 'error', error });
    }
  }, []);

  useEffect(() => {
    loadProjects();
    loadStats();
    return () => clearTimeout(timer.current);
  }, []);

  useEffect(() => {
    if (!projects) return;
    if (project && !projects.some((p) => p.id === project)) {
      setProject('');
      return;
    }
    localStorage.setItem(PROJECT_KEY, project);
    next();
  }, [project, projects !== null]);

  // Checks again as soon as the person comes back to the tab.
  useEffect(() => {
    const back = () => { if (!document.hidden && slot.state === 'empty') next(); };
    document.addEventListener('visibilitychange', back);
    return () => document.removeEventListener('visibilitychange', back);
  }, [slot.state]);

  const ask = useCallback((request) => new Promise((resolve) => setAsking({ ...request, resolve })), []);

  const decide = async (body) => {
    if (slot.state !== 'card' || busy) return;
    setBusy(true);
    try {
      const answer = await post(`/review/assignments/${slot.assignment.assignment_id}/decision`, body);
      setGained({ xp: answer.xp_awarded, at: Date.now() });
      setFeedback(answer.feedback
        && { ...answer.feedback, decision: body.decision, xp: answer.xp_awarded, game: slot.assignment.task.game });
      (answer.new_badges || []).forEach((badge) => toast(`Badge earned: ${badgeName(badge)}`, 'success'));
      loadStats();
      next();
    } catch (error) {
      if (error instanceof ApiError && (error.status === 409 || error.status === 404)) {
        toast('That card was decided elsewhere, timed out, withdrawn, or your hold on it ran out, so your decision was not needed. Here is the next one.', 'info');
        next();
      } else {
        toast(error.message, 'error');
      }
    } finally {
      setBusy(false);
    }
  };

  const skip = async () => {
    if (slot.state !== 'card' || busy) return;
    setBusy(true);
    try {
      await post(`/review/assignments/${slot.assignment.assignment_id}/skip`);
    } catch (error) {
      if (!(error instanceof ApiError && (error.status === 409 || error.status === 404))) toast(error.message, 'error');
    } finally {
      setBusy(false);
      setFeedback(null);
      next();
    }
  };

  const leaseEnded = () => {
    toast('Your hold on that card ran out, so it went back to the queue.', 'info');
    next();
  };

  if (problem) {
    if (problem instanceof ApiError && problem.status === 403) {
      return html`<div class="page"><${EmptyState} icon="eye" title="Viewers read results but do not review">
        Your role is <strong>${user.role}</strong>. Ask an owner or admin to make you a reviewer.</${EmptyState}></div>`;
    }
    return html`<div class="page"><${ErrorState} error=${problem} retry=${() => { setProblem(null); loadProjects(); }} /></div>`;
  }
  const noProjects = projects && projects.length === 0;
  return html`<div class="page page-review">
    <div class="review-top">
      ${projects && !noProjects ? html`<${ProjectPicker} projects=${projects} value=${project} onChange=${setProject} />`
        : html`<span></span>`}
      <${StatsBar} stats=${stats} gained=${gained} />
    </div>
    <${Feedback} feedback=${feedback} />
    <div class="review-stage">
      ${noProjects ? html`<${EmptyState} icon="folder" title="You are not on any project yet">
          An owner or admin adds reviewers to projects under Admin → People. Cards show up here as soon as you are on one.
        </${EmptyState}>`
      : slot.state === 'card' ? html`<${ReviewCard} key=${slot.assignment.assignment_id}
          task=${slot.assignment.task} lease=${slot.assignment.lease_expires_at} busy=${busy}
          submit=${decide} ask=${ask} onSkip=${skip} onLeaseEnd=${leaseEnded} />`
      : slot.state === 'empty' ? html`<${InboxZero} nextCheck=${slot.nextCheck} checking=${slot.checking} onCheck=${next} />`
      : slot.state === 'error' ? html`<${ErrorState} title="The next card could not load" error=${slot.error} retry=${next} />`
      : html`<${CardPlaceholder} />`}
    </div>
    <${ReasonDialog} request=${asking} onDone=${() => setAsking(null)} />
  </div>`;
}
