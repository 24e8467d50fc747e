// /dispatch — what agents get next: the queue of /api/dispatch/queue with each issue's
// score broken down (priority, type, goal, age) as a stacked bar, and what is claimed
// now, by which agent session, with the lease's time left; a claim can be released back
// to To do. Refreshes itself.

import { html, useEffect, useState } from '../../lib/html.js';
import { get, patch } from '../../lib/api.js';
import { ago, countdown } from '../../lib/format.js';
import { StackedBar } from '../../ui/charts.js';
import { confirmAction } from '../../ui/dialog.js';
import { Icon } from '../../ui/icons.js';
import { PageHeader, useTitle } from '../../ui/layout.js';
import { EmptyState, Loaded, useAsync } from '../../ui/states.js';
import { DataTable } from '../../ui/table.js';
import { toast } from '../../ui/toast.js';
import { EngineLayout, IssueLink, PriorityMark, TypeTag, usePolling } from './common.js';

const parts = [
  ['priorityWeight', 'Priority', 'priority'], ['typeBonus', 'Type', 'type'],
  ['goalBonus', 'Goal', 'goal'], ['ageBonus', 'Age', 'age'],
];

// The score of a queue entry as a bar of its four parts.
export function ScoreBar({ entry, max }) {
  const segments = parts.map(([key, label, kind]) => ({ label, kind, value: entry.breakdown[key] }));
  return html`<${StackedBar} segments=${segments} total=${max || entry.score} label=${`Score ${entry.score}: ${segments.map((s) => `${s.label} ${s.value}`).join(', ')}`} />`;
}

// Seconds until `iso`, ticking every second.
function useSecondsUntil(iso) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return iso ? (new Date(iso).getTime() - now) / 1000 : null;
}

function LeaseLeft({ issue }) {
  const left = useSecondsUntil(issue.leaseExpiresAt);
  if (left === null) return html`<span class="muted">no lease</span>`;
  if (left <= 0) return html`<span class="lease-left lease-low">lapsed, returning to To do</span>`;
  return html`<span class=${`lease-left${left < 600 ? ' lease-low' : ''}`} title=${issue.leaseExpiresAt}>${countdown(left)} left</span>`;
}

// Releases a claimed issue back to To do (ending its lease); resolves to true if done.
export async function releaseClaim(issue) {
  const sure = await confirmAction({
    title: `Release #${issue.number}?`, confirmLabel: 'Release to To do',
    body: 'The issue goes back to To do and the next agent may claim it. An agent still working on it loses its lease.',
  });
  if (!sure) return false;
  try {
    await patch(`/api/issues/${issue.id}`, { status: 'todo' });
    toast(`#${issue.number} is back in To do`, 'success');
    return true;
  } catch (error) {
    toast(error.message, 'error');
    return false;
  }
}

export default function Dispatch() {
  useTitle('Dispatch');
  const queue = useAsync(() => get('/api/dispatch/queue?limit=50'), []);
  const claimed = useAsync(() => get('/api/issues?status=in_progress&sort=-updatedAt&limit=100'), []);
  const reload = () => { queue.reload(); claimed.reload(); };
  usePolling(reload, 10, [queue.reload, claimed.reload]);
  const max = queue.data ? Math.max(1, ...queue.data.data.map((e) => e.score)) : 1;
  const queueColumns = [
    { label: '#', className: 'num muted hide-narrow', render: (e) => e.rank },
    { label: 'Issue', render: (e) => html`<${IssueLink} issue=${e.issue} />` },
    { label: 'Type', className: 'hide-narrow', render: (e) => html`<${TypeTag} type=${e.issue.type} />` },
    { label: 'Priority', className: 'hide-narrow', render: (e) => html`<${PriorityMark} priority=${e.issue.priority} />` },
    { label: 'Score', render: (e) => html`<div class="queue-score"><${ScoreBar} entry=${e} max=${max} /></div>` },
    { label: '', align: 'end', render: (e) => html`<strong class="score">${e.score}</strong>` },
  ];
  const claimColumns = [
    { label: 'Issue', render: (i) => html`<${IssueLink} issue=${i} />` },
    { label: 'Agent session', render: (i) => (i.agentSessionId ? html`<code>${i.agentSessionId}</code>` : html`<span class="muted">—</span>`) },
    { label: 'Claimed', className: 'hide-narrow', render: (i) => html`<span title=${i.claimedAt}>${i.claimedAt ? ago(i.claimedAt) : '—'}</span>` },
    { label: 'Lease', render: (i) => html`<${LeaseLeft} issue=${i} />` },
    { label: '', align: 'end', render: (i) => html`<button type="button" class="btn btn-small"
        onClick=${async () => { if (await releaseClaim(i)) reload(); }}><${Icon} name="arrowLeft" size=${14} /> Release</button>` },
  ];
  return html`<${EngineLayout}>
    <${PageHeader} title="Dispatch" subtitle="What agents claim next with GET /api/dispatch/next, and what they hold now." />
    <section class="stack">
      <h2>Claimed now</h2>
      <${Loaded} async=${claimed}>${(r) => html`<${DataTable} caption="Claimed issues" columns=${claimColumns} rows=${r.data}
        empty=${html`<p class="muted panel">No agent holds an issue right now.</p>`} />`}</${Loaded}>
    </section>
    <section class="stack">
      <div class="panel-head"><h2>Queue</h2>
        <ul class="legend">${parts.map(([, label, kind]) => html`<li key=${kind}><span class=${`legend-swatch part-${kind}`}></span>${label}</li>`)}</ul>
      </div>
      <${Loaded} async=${queue}>${(r) => html`<${DataTable} caption="Dispatch queue" columns=${queueColumns}
        rows=${r.data.map((e, i) => ({ ...e, rank: i + 1 }))} rowKey=${(e) => e.issue.id}
        empty=${html`<${EmptyState} icon="zap" title="The queue is empty">
          Issues in <strong>To do</strong> that nothing blocks wait here, the best first. Move an issue out of triage to queue it.
        </${EmptyState}>`} />`}</${Loaded}>
    </section>
  </${EngineLayout}>`;
}
