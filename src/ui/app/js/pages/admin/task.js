// /admin/projects/{id}/tasks/{taskId} — one task: what reviewers see, its verdict, every
// review, and the webhook deliveries of its verdict (redeliverable), then the raw payload.

import { html, useState } from '../../lib/html.js';
import { get, post } from '../../lib/api.js';
import { ago, personName, when } from '../../lib/format.js';
import { Icon } from '../../ui/icons.js';
import { PageHeader, useTitle } from '../../ui/layout.js';
import { ErrorState, Skeleton, useAsync } from '../../ui/states.js';
import { Badge, DataTable, StatusBadge } from '../../ui/table.js';
import { toast } from '../../ui/toast.js';
import { FieldList, Passage, gameNames } from '../review/games.js';
import { PromptUsed, WorkLinks } from '../review/card.js';
import { AdminLayout } from './nav.js';
import { DeliveryTable } from './deliveries.js';
import { Verdict, taskTitle } from './tasks.js';

// The content of the card as reviewers see it, without its actions.
export function ViewPreview({ task }) {
  const view = task.view || {};
  const card = task.card || {};
  return html`<div class="preview">
    ${card.subtitle && html`<p class="card-subtitle">${card.subtitle}</p>`}
    <${WorkLinks} links=${card.links} issue=${card.issue} />
    ${card.suggestion && card.suggestion.label && html`<p class="muted">Automation suggests <strong>${card.suggestion.label}</strong>
      ${typeof card.suggestion.confidence === 'number' && ` (${Math.round(card.suggestion.confidence * 100)}%)`}</p>`}
    ${Array.isArray(card.fields) && card.fields.length > 0 && html`<${FieldList} fields=${card.fields} />`}
    ${view.prompt && html`<div class="prompt"><span class="eyebrow">Prompt</span><p>${view.prompt}</p></div>`}
    ${view.a && html`<div class="versus-sides">
      <section class="side"><header class="side-head"><span class="side-letter">A</span></header><${Passage} text=${view.a} /></section>
      <section class="side"><header class="side-head"><span class="side-letter">B</span></header><${Passage} text=${view.b} /></section>
    </div>`}
    ${view.claim && html`<div class="grounding-sides">
      <section class="side side-claim"><header class="side-head"><span class="eyebrow">Claim</span></header><p class="claim">${view.claim}</p></section>
      <section class="side"><header class="side-head"><span class="eyebrow">Source</span></header><${Passage} text=${view.source_text} /></section>
    </div>`}
    ${view.text && html`<${Passage} text=${view.text} />`}
    ${view.fields && html`<${FieldList} fields=${view.fields} />`}
    ${view.choices && html`<p class="muted">Buckets: ${view.choices.join(', ')}</p>`}
    <${PromptUsed} prompt=${card.prompt} />
  </div>`;
}

function Meta({ task }) {
  const rows = [
    ['Game', task.game && task.game !== task.module ? `${gameNames[task.module]} (shown as ${gameNames[task.game]})` : gameNames[task.module]],
    ['Mode', task.mode === 'gate' ? `gate · ${task.on_timeout} on timeout` : 'monitor'],
    ['Source', task.source || '—'],
    ['External id', task.external_id || '—'],
    ['Reviews', `${task.reviews_received} of ${task.reviews_required}`],
    ['Created', when(task.created_at)],
    ['Deadline', task.expires_at ? when(task.expires_at) : '—'],
    ['Resolved', task.reviewed_at ? when(task.reviewed_at) : '—'],
  ];
  return html`<dl class="meta">${rows.map(([k, v]) => html`<div key=${k}><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>`;
}

export default function Task({ params }) {
  const path = `/projects/${encodeURIComponent(params.id)}`;
  const task = useAsync(() => get(`${path}/tasks/${encodeURIComponent(params.taskId)}`), [params.id, params.taskId]);
  const deliveries = useAsync(() => get(`${path}/deliveries?task_id=${encodeURIComponent(params.taskId)}&limit=100`), [params.taskId]);
  const [busy, setBusy] = useState(null);
  useTitle(task.data ? taskTitle(task.data) : 'Task');
  const back = { href: `/admin/projects/${params.id}/tasks`, label: 'Tasks' };
  if (task.data === undefined) {
    return html`<${AdminLayout}>${task.error
      ? html`<${PageHeader} title="Task" back=${back} /><${ErrorState} title="This task could not load" error=${task.error} retry=${task.reload} />`
      : html`<${Skeleton} lines=${8} />`}</${AdminLayout}>`;
  }
  const t = task.data;
  const redeliver = async (delivery) => {
    setBusy(delivery.id);
    try {
      await post(`${path}/deliveries/${delivery.id}/redeliver`);
      toast('Sending the verdict again', 'success');
      deliveries.reload();
    } catch (error) {
      toast(error.message, 'error');
    } finally {
      setBusy(null);
    }
  };
  const reviewColumns = [
    { label: 'Reviewer', render: (r) => personName(r.reviewer) },
    { label: 'Decision', render: (r) => html`<${Badge} kind=${r.decision === 'approve' ? 'success' : r.decision === 'flag' ? 'danger' : 'warning'}>${r.decision}</${Badge}>` },
    { label: 'Choice', render: (r) => r.choice || '—' },
    { label: 'Reason', render: (r) => r.reason || '—' },
    { label: 'Took', className: 'hide-narrow', render: (r) => `${Math.round(r.decision_ms / 1000)} s` },
    { label: 'When', render: (r) => html`<span title=${r.reviewed_at}>${ago(r.reviewed_at)}</span>` },
  ];
  return html`<${AdminLayout}>
    <${PageHeader} title=${taskTitle(t)} back=${back}
      actions=${html`<${StatusBadge} status=${t.status} />${t.golden && html` <${Badge} kind="accent">golden</${Badge}>`}`} />
    <div class="detail-grid">
      <section class="panel">
        <h2 class="panel-title">What reviewers see</h2>
        <${ViewPreview} task=${t} />
      </section>
      <aside class="stack">
        <section class="panel">
          <h2 class="panel-title">Verdict</h2>
          <p class="verdict-line"><${Verdict} task=${t} /></p>
          ${t.reason && html`<p class="muted">${t.reason}</p>`}
          ${t.escalated && t.status === 'reviewed' && html`<p class="small muted">Resolved by an admin after an escalation.</p>`}
          ${t.detail && html`<details><summary>Detail</summary><pre class="code">${JSON.stringify(t.detail, null, 2)}</pre></details>`}
        </section>
        <section class="panel"><h2 class="panel-title">About</h2><${Meta} task=${t} /></section>
      </aside>
    </div>
    <section class="panel">
      <h2 class="panel-title">Reviews</h2>
      <${DataTable} caption="Reviews" columns=${reviewColumns} rows=${t.reviews} rowKey=${(r) => `${r.reviewer.id}-${r.reviewed_at}`}
        empty=${html`<p class="muted">No reviews yet.</p>`} />
    </section>
    <section class="panel">
      <h2 class="panel-title">Webhook deliveries</h2>
      ${deliveries.data === undefined ? html`<${Skeleton} lines=${2} />`
        : html`<${DeliveryTable} rows=${deliveries.data} busy=${busy} onRedeliver=${redeliver} projectId=${params.id}
            empty=${html`<p class="muted">${t.status === 'pending' ? 'The verdict is delivered once the task resolves.' : 'No callback URL or webhook received this verdict.'}</p>`} />`}
    </section>
    <details class="panel">
      <summary class="panel-title"><${Icon} name="chevronRight" size=${16} /> Payload as sent</summary>
      <pre class="code">${JSON.stringify(t.payload, null, 2)}</pre>
      ${t.card && html`<h3 class="small muted">Card</h3><pre class="code">${JSON.stringify(t.card, null, 2)}</pre>`}
    </details>
  </${AdminLayout}>`;
}
