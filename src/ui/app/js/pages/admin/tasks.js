// A project's review tasks, newest first, by status and game, with more on request.

import { html, useEffect, useState } from '../../lib/html.js';
import { get, query } from '../../lib/api.js';
import { ago } from '../../lib/format.js';
import { Segmented } from '../../ui/form.js';
import { EmptyState, ErrorState, Skeleton } from '../../ui/states.js';
import { DataTable, StatusBadge } from '../../ui/table.js';
import { gameNames } from '../review/games.js';

const PAGE = 50;
const statuses = ['', 'pending', 'escalated', 'reviewed'];

// The line that names a task: its card title, else the start of its text.
export function taskTitle(task) {
  const card = task.card || {};
  const view = task.view || {};
  const text = card.title || view.text || view.claim || view.prompt || (view.fields && view.fields[0] && String(view.fields[0].value));
  return text ? (text.length > 90 ? `${text.slice(0, 90)}…` : text) : `${gameNames[task.module] || task.module} task`;
}

export function Verdict({ task }) {
  if (task.status === 'pending') return html`<span class="muted">waiting</span>`;
  if (task.status === 'escalated') return html`<span class="text-warning">needs an admin</span>`;
  const word = task.verdict ? 'approved' : 'flagged';
  return html`<span class=${task.verdict ? 'text-success' : 'text-danger'}>${word}${task.choice ? html` · <span class="muted">${task.choice}</span>` : ''}${task.timed_out ? html` <span class="muted">(timed out)</span>` : ''}</span>`;
}

export default function Tasks({ project }) {
  const [status, setStatus] = useState('');
  const [module, setModule] = useState('');
  const [rows, setRows] = useState(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState(null);
  const load = async (before) => {
    try {
      const page = await get(`/projects/${project.id}/tasks${query({ status, module, limit: PAGE, before })}`);
      setRows((old) => (before ? [...(old || []), ...page] : page));
      setMore(page.length === PAGE);
      setError(null);
    } catch (failure) {
      setError(failure);
    }
  };
  useEffect(() => { setRows(null); load(); }, [project.id, status, module]);
  const columns = [
    { label: 'Task', render: (t) => html`<a class="row-link" href=${`/admin/projects/${project.id}/tasks/${t.id}`}>${taskTitle(t)}</a>
      ${t.source && html`<span class="muted small"> · ${t.source}</span>`}` },
    { label: 'Game', className: 'hide-narrow', render: (t) => gameNames[t.module] || t.module },
    { label: 'Status', render: (t) => html`<${StatusBadge} status=${t.status} />` },
    { label: 'Verdict', className: 'hide-narrow', render: (t) => html`<${Verdict} task=${t} />` },
    { label: 'Mode', className: 'hide-narrow', render: (t) => t.mode },
    { label: 'Created', render: (t) => html`<span title=${t.created_at}>${ago(t.created_at)}</span>` },
  ];
  return html`<div class="stack">
    <div class="toolbar">
      <${Segmented} options=${statuses} value=${status} onChange=${setStatus} label="Status" />
      <label class="inline-field">Game
        <select value=${module} onChange=${(e) => setModule(e.target.value)}>
          <option value="">Any</option>
          ${Object.entries(gameNames).map(([id, name]) => html`<option value=${id}>${name}</option>`)}
        </select>
      </label>
    </div>
    ${error ? html`<${ErrorState} error=${error} retry=${() => load()} />`
      : rows === null ? html`<${Skeleton} lines=${5} />`
      : html`<${DataTable} caption="Tasks" columns=${columns} rows=${rows}
          empty=${html`<${EmptyState} icon="tasks" title=${status ? `No ${status} tasks` : 'No tasks yet'}>
            Automations create tasks with <code>POST /api/v1/tasks</code> and one of this project's API keys.
          </${EmptyState}>`} />
        ${more && html`<button type="button" class="btn btn-block" onClick=${() => load(rows[rows.length - 1].created_at)}>Show older tasks</button>`}`}
  </div>`;
}
