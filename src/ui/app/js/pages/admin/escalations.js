// /admin/escalations — tasks waiting for an owner or admin, oldest first: the full card,
// why it was escalated and what reviewers said, and a resolution played in the card's own
// game (approve with its choice, or flag with a reason). Resolving sends the verdict again.

import { cx, html, useCallback, useEffect, useState } from '../../lib/html.js';
import { get, post, query } from '../../lib/api.js';
import { ago, personName } from '../../lib/format.js';
import { Icon } from '../../ui/icons.js';
import { PageHeader, useTitle } from '../../ui/layout.js';
import { EmptyState, ErrorState, Skeleton } from '../../ui/states.js';
import { Badge } from '../../ui/table.js';
import { toast } from '../../ui/toast.js';
import { ReviewCard } from '../review/card.js';
import { ReasonDialog } from '../review/reason.js';
import { gameNames } from '../review/games.js';
import { AdminLayout } from './nav.js';
import { taskTitle } from './tasks.js';

function Why({ task }) {
  return html`<section class="panel escalation-why">
    <h2 class="panel-title">Why it is here</h2>
    <p>${task.timed_out ? html`<${Badge} kind="warning">timed out</${Badge}> ` : ''}${task.reason || 'A reviewer asked for a second opinion.'}</p>
    ${task.reviews.length > 0 && html`<ul class="review-list">
      ${task.reviews.map((r) => html`<li key=${r.reviewer.id}>
        <strong>${personName(r.reviewer)}</strong> <${Badge} kind=${r.decision === 'approve' ? 'success' : r.decision === 'flag' ? 'danger' : 'warning'}>${r.decision}</${Badge}>
        ${r.choice && html` <span class="muted">${r.choice}</span>`}${r.reason && html` — ${r.reason}`}
        <span class="muted small"> · ${ago(r.reviewed_at)}</span>
      </li>`)}
    </ul>`}
    <p class="muted small">Escalated ${ago(task.reviewed_at)}</p>
  </section>`;
}

export default function Escalations() {
  useTitle('Escalations');
  const [projects, setProjects] = useState([]);
  const [project, setProject] = useState('');
  const [tasks, setTasks] = useState(null);
  const [error, setError] = useState(null);
  const [selected, setSelected] = useState(null);
  const [busy, setBusy] = useState(false);
  const [asking, setAsking] = useState(null);
  const load = useCallback(async () => {
    try {
      const list = await get(`/review/escalations${query({ project_id: project, limit: 100 })}`);
      setTasks(list);
      setError(null);
      setSelected((current) => (list.some((t) => t.id === current) ? current : (list[0] && list[0].id) || null));
    } catch (failure) {
      setError(failure);
    }
  }, [project]);
  useEffect(() => { get('/projects').then(setProjects, () => {}); }, []);
  useEffect(() => { setTasks(null); load(); }, [load]);
  const ask = useCallback((request) => new Promise((resolve) => setAsking({ ...request, resolve })), []);
  const task = tasks && tasks.find((t) => t.id === selected);
  const projectName = (id) => (projects.find((p) => p.id === id) || {}).name;

  const resolve = async (body) => {
    if (!task || busy) return;
    setBusy(true);
    try {
      const resolved = await post(`/review/tasks/${task.id}/resolve`, body);
      toast(`Resolved as ${resolved.verdict ? 'approved' : 'flagged'}; the verdict is on its way again`, 'success');
      await load();
    } catch (failure) {
      toast(failure.message, 'error');
      if (failure.status === 409) load();
    } finally {
      setBusy(false);
    }
  };

  let body;
  if (error) body = html`<${ErrorState} error=${error} retry=${load} />`;
  else if (tasks === null) body = html`<${Skeleton} lines=${6} />`;
  else if (!tasks.length) {
    body = html`<${EmptyState} icon="check" title="Nothing is escalated">
      Tasks come here when a reviewer escalates, reviewers disagree, or a gate task times out with <code>on_timeout: escalate</code>.
    </${EmptyState}>`;
  } else {
    body = html`<div class="escalations">
      <ol class="escalation-list" aria-label="Escalated tasks, oldest first">
        ${tasks.map((t) => html`<li key=${t.id}>
          <button type="button" class=${cx('escalation-item', t.id === selected && 'active')} aria-current=${t.id === selected ? 'true' : undefined}
            onClick=${() => setSelected(t.id)}>
            <span class="escalation-title">${taskTitle(t)}</span>
            <span class="muted small">${[gameNames[t.module], projectName(t.project_id), ago(t.reviewed_at)].filter(Boolean).join(' · ')}</span>
          </button>
        </li>`)}
      </ol>
      ${task && html`<div class="escalation-detail stack" key=${task.id}>
        <${Why} task=${task} />
        <${ReviewCard} task=${task} mode="resolve" busy=${busy} submit=${resolve} ask=${ask} />
        <p class="muted small">Resolve it in the card's own game: approve (with its choice) or flag with a reason.${' '}
          <a href=${`/admin/projects/${task.project_id}/tasks/${task.id}`}>Open the task</a></p>
      </div>`}
    </div>`;
  }
  return html`<${AdminLayout}>
    <${PageHeader} title="Escalations" subtitle="Oldest first. Each resolution is delivered as a second verdict."
      actions=${projects.length > 1 && html`<label class="inline-field">Project
        <select value=${project} onChange=${(e) => setProject(e.target.value)}>
          <option value="">All projects</option>
          ${projects.map((p) => html`<option value=${p.id}>${p.name} (${p.escalated})</option>`)}
        </select></label>`} />
    ${body}
    <${ReasonDialog} request=${asking} onDone=${() => setAsking(null)} />
  </${AdminLayout}>`;
}
