// / — the overview for owners and admins: the first-run checklist until a signal and a
// claim have arrived, the dashboard's numbers as cards (issues awaiting a person's
// sign-off among them), issues by status and type, what needs attention, the next five in the dispatch queue and the latest signals. It
// refreshes itself every few seconds.

import { html, useState } from '../../lib/html.js';
import { get } from '../../lib/api.js';
import { ago, count, percent } from '../../lib/format.js';
import { BarList, StackedBar } from '../../ui/charts.js';
import { Icon } from '../../ui/icons.js';
import { PageHeader, useTitle } from '../../ui/layout.js';
import { Loaded, useAsync } from '../../ui/states.js';
import { EngineLayout, IssueLink, STATUSES, SeverityBadge, TYPES, statusWord, typeWord, usePolling } from './common.js';
import { FirstRun } from './firstrun.js';
import { ScoreBar } from './dispatch.js';

const HIDDEN = 'loop.firstRunHidden';

function StatCard({ label, value, note, href, warning }) {
  const body = html`<span class="stat-card-label">${label}</span><span class="stat-card-value">${count(value)}</span>
    ${note && html`<span class="stat-card-note">${note}</span>`}`;
  const className = `stat-card${warning && value ? ' stat-card-warning' : ''}`;
  return href ? html`<a class=${className} href=${href}>${body}</a>` : html`<div class=${className}>${body}</div>`;
}

// Whether any agent's work has gone to a person for sign-off (the card stays away until then).
const signOffSeen = (stats) => stats.signOff && stats.signOff.awaiting + stats.signOff.approved + stats.signOff.flagged > 0;

function Numbers({ stats }) {
  const by = stats.issues.byStatus;
  const open = (by.triage || 0) + (by.backlog || 0) + (by.todo || 0) + (by.in_progress || 0);
  return html`<div class="stat-cards">
    <${StatCard} label="Open issues" value=${open} note=${`${count(stats.issues.total)} in all`} href="/issues" />
    <${StatCard} label="In triage" value=${by.triage || 0} note="waiting for a person" href="/issues?status=triage" warning />
    <${StatCard} label="Queue" value=${stats.dispatch.queueDepth} note="to do and backlog" href="/dispatch" />
    <${StatCard} label="Agents working" value=${stats.dispatch.activeCount} note="claimed now" href="/dispatch" />
    <${StatCard} label="Done in 24 h" value=${stats.dispatch.completedLast24h} href="/issues?status=done&sort=-updatedAt" />
    <${StatCard} label="Active goals" value=${stats.goals.active} note=${`${count(stats.goals.achieved)} achieved`} href="/goals" />
    ${signOffSeen(stats) && html`<${StatCard} label="Awaiting sign-off" value=${stats.signOff.awaiting}
      note=${`${percent(stats.signOff.approvalRate)} approved`} href="/issues?reviewStatus=pending" warning />`}
  </div>`;
}

function Breakdown({ stats }) {
  const by = stats.issues.byStatus;
  const statuses = STATUSES.map((s) => ({ label: statusWord(s), value: by[s] || 0, kind: s }));
  const types = TYPES.map((t) => ({ label: typeWord(t), value: stats.issues.byType[t] || 0, href: `/issues?type=${t}` })).filter((r) => r.value);
  return html`<section class="panel">
    <h2 class="panel-title">Issues by status</h2>
    <${StackedBar} segments=${statuses} label="Issues by status" />
    <ul class="legend">${statuses.map((s) => html`<li key=${s.kind}><span class=${`legend-swatch part-${s.kind}`}></span>
      <a href=${`/issues?status=${s.kind}`}>${s.label}</a> <strong>${s.value}</strong></li>`)}</ul>
    <h2 class="panel-title">By type</h2>
    <${BarList} rows=${types} empty="No issues yet" />
  </section>`;
}

function Attention({ prompts, stats }) {
  const templates = prompts.filter((p) => p.needsAttention);
  const triage = stats.issues.byStatus.triage || 0;
  const items = [];
  if (triage) items.push(html`<li key="triage"><${Icon} name="alert" /><span class="grow"><a href="/issues?status=triage">${triage} issue${triage === 1 ? '' : 's'} waiting in triage</a></span></li>`);
  const awaiting = stats.signOff ? stats.signOff.awaiting : 0;
  if (awaiting) items.push(html`<li key="sign-off"><${Icon} name="review" /><span class="grow"><a href="/issues?reviewStatus=pending">${awaiting} issue${awaiting === 1 ? '' : 's'} awaiting sign-off</a>
    <span class="muted small"> · decide in <a href="/review">Review</a></span></span></li>`);
  for (const p of templates) {
    const score = p.reviewSummary.compositeScore;
    items.push(html`<li key=${p.template.id}><${Icon} name="mark" /><span class="grow"><a href=${`/prompts/${p.template.id}`}>${p.template.name}</a>
      <span class="muted small"> · score ${score === null ? '—' : score.toFixed(1)} · ${p.reviewSummary.totalReviews} reviews</span></span></li>`);
  }
  return html`<section class="panel">
    <div class="panel-head"><h2 class="panel-title">Needs attention</h2></div>
    ${items.length ? html`<ul class="mini-list">${items}</ul>` : html`<p class="muted"><${Icon} name="check" size=${16} /> Nothing needs you right now.</p>`}
  </section>`;
}

function NextUp({ queue }) {
  return html`<section class="panel">
    <div class="panel-head"><h2 class="panel-title">Next in the queue</h2><a class="small" href="/dispatch">Dispatch →</a></div>
    ${queue.length ? html`<ol class="mini-list">${queue.map((q) => html`<li key=${q.issue.id}>
        <span class="grow"><${IssueLink} issue=${q.issue} /></span>
        <span class="hide-narrow"><${ScoreBar} entry=${q} /></span>
        <span class="score">${q.score}</span></li>`)}</ol>`
      : html`<p class="muted">Nothing is waiting: issues in <strong>To do</strong> that nothing blocks appear here.</p>`}
  </section>`;
}

function LatestSignals({ signals }) {
  return html`<section class="panel">
    <div class="panel-head"><h2 class="panel-title">Latest signals</h2><a class="small" href="/signals">All signals →</a></div>
    ${signals.length ? html`<ul class="mini-list">${signals.map((s) => html`<li key=${s.id}>
        <${SeverityBadge} severity=${s.severity} />
        <span class="grow">${s.issue ? html`<${IssueLink} issue=${s.issue} />` : html`<span class="muted">${s.source} · ${s.type}</span>`}</span>
        <span class="muted small nowrap" title=${s.createdAt}>${ago(s.createdAt)}</span></li>`)}</ul>`
      : html`<p class="muted">No signals yet.</p>`}
  </section>`;
}

async function loadOverview() {
  const [stats, setup, prompts, queue, signals] = await Promise.all([
    get('/api/dashboard/stats'), get('/api/dashboard/setup'), get('/api/dashboard/prompts'),
    get('/api/dispatch/queue?limit=5'), get('/api/signals?limit=5'),
  ]);
  return { stats: stats.data, setup: setup.data, prompts: prompts.data, queue: queue.data, signals: signals.data };
}

export default function Overview() {
  useTitle('Overview');
  const data = useAsync(loadOverview, []);
  const [hidden, setHidden] = useState(() => window.localStorage.getItem(HIDDEN) === '1');
  const setupDone = data.data && data.data.setup.signals > 0 && data.data.setup.claims > 0;
  usePolling(data.reload, setupDone ? 10 : 3, [data.reload, setupDone]);
  const hide = () => { window.localStorage.setItem(HIDDEN, '1'); setHidden(true); };
  return html`<${EngineLayout}>
    <${PageHeader} title="Overview" subtitle=${html`<span class="live-dot">Live · updates by itself</span>`}
      actions=${html`<a class="btn" href="/issues?new=1"><${Icon} name="plus" /> New issue</a>`} />
    <${Loaded} async=${data} lines=${8}>${(d) => {
      const empty = d.setup.issues === 0;
      const checklist = (!d.setup.signals || !d.setup.claims) && (empty || !hidden);
      return html`<div class="stack">
        ${checklist && html`<${FirstRun} progress=${d.setup} onHide=${empty ? null : hide} />`}
        ${!empty && html`
          <${Numbers} stats=${d.stats} />
          <div class="grid-2">
            <${NextUp} queue=${d.queue} />
            <${Attention} prompts=${d.prompts} stats=${d.stats} />
            <${Breakdown} stats=${d.stats} />
            <${LatestSignals} signals=${d.signals} />
          </div>`}
      </div>`;
    }}</${Loaded}>
  </${EngineLayout}>`;
}
