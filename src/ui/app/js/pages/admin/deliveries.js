// A project's verdict webhook log: each delivery's target, status, attempts and last
// error, filtered by status, and redelivery.

import { html, useState } from '../../lib/html.js';
import { get, post, query } from '../../lib/api.js';
import { ago } from '../../lib/format.js';
import { Segmented } from '../../ui/form.js';
import { Icon } from '../../ui/icons.js';
import { EmptyState, Loaded, useAsync } from '../../ui/states.js';
import { DataTable, StatusBadge } from '../../ui/table.js';
import { toast } from '../../ui/toast.js';

export function DeliveryTable({ rows, onRedeliver, busy, projectId, empty, showTask }) {
  const columns = [
    ...(showTask ? [{ label: 'Task', className: 'nowrap', render: (d) => html`<a class="row-link mono small" title=${d.task_id}
        href=${`/admin/projects/${projectId}/tasks/${d.task_id}`}>…${d.task_id.slice(-8)}</a>` }] : []),
    { label: 'To', render: (d) => html`<span class="url" title=${d.url}>${d.url}</span> <span class="muted small">${d.kind}</span>` },
    { label: 'Status', render: (d) => html`<${StatusBadge} status=${d.status} />` },
    { label: 'Attempts', align: 'end', render: (d) => d.attempts },
    { label: 'Last answer', render: (d) => (d.last_error || d.last_status_code
      ? html`<span class=${d.status === 'failed' ? 'text-danger' : ''}>${d.last_error || `HTTP ${d.last_status_code}`}</span>`
      : html`<span class="muted">—</span>`) },
    { label: 'When', className: 'hide-narrow nowrap', render: (d) => html`<span title=${d.created_at}>${d.status === 'pending' && d.next_attempt_at ? `next ${ago(d.next_attempt_at)}` : ago(d.delivered_at || d.created_at)}</span>` },
    { label: '', align: 'end', render: (d) => (d.status === 'pending' ? null : html`<button type="button" class="btn btn-small"
        disabled=${busy === d.id} onClick=${() => onRedeliver(d)}><${Icon} name="refresh" size=${14} /> Redeliver</button>`) },
  ];
  return html`<${DataTable} caption="Deliveries" columns=${columns} rows=${rows} empty=${empty} />`;
}

const statuses = ['', 'failed', 'pending', 'succeeded'];

export default function Deliveries({ project }) {
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(null);
  const log = useAsync(() => get(`/projects/${project.id}/deliveries${query({ status, limit: 100 })}`), [project.id, status]);
  const redeliver = async (delivery) => {
    setBusy(delivery.id);
    try {
      await post(`/projects/${project.id}/deliveries/${delivery.id}/redeliver`);
      toast('Sending the verdict again', 'success');
      log.reload();
    } catch (error) {
      toast(error.message, 'error');
    } finally {
      setBusy(null);
    }
  };
  return html`<div class="stack">
    <div class="toolbar">
      <${Segmented} options=${statuses} value=${status} onChange=${setStatus} label="Status" />
      <button type="button" class="btn btn-ghost" onClick=${log.reload}><${Icon} name="refresh" /> Refresh</button>
    </div>
    <${Loaded} async=${log}>${(rows) => html`<${DeliveryTable} rows=${rows} onRedeliver=${redeliver} busy=${busy}
      projectId=${project.id} showTask=${true}
      empty=${html`<${EmptyState} icon="send" title=${status ? `No ${status} deliveries` : 'No deliveries yet'}>
        Each verdict is posted, signed, to the task's callback URL and to every webhook of the project.
      </${EmptyState}>`} />`}</${Loaded}>
  </div>`;
}
