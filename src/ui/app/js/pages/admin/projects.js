// /admin/projects — every project with what waits in it (pending, escalated, reviewed),
// and creating a project.

import { html, useState } from '../../lib/html.js';
import { get, post } from '../../lib/api.js';
import { navigate } from '../../lib/router.js';
import { ago, count, span } from '../../lib/format.js';
import { Dialog } from '../../ui/dialog.js';
import { Field, SubmitButton, fieldError, formError } from '../../ui/form.js';
import { Icon } from '../../ui/icons.js';
import { PageHeader, useTitle } from '../../ui/layout.js';
import { EmptyState, Loaded, useAsync } from '../../ui/states.js';
import { DataTable } from '../../ui/table.js';
import { toast } from '../../ui/toast.js';
import { AdminLayout } from './nav.js';

export const timeoutChoices = [
  [3600, '1 hour'], [4 * 3600, '4 hours'], [86400, '1 day'], [3 * 86400, '3 days'], [7 * 86400, '7 days'], [30 * 86400, '30 days'],
];

function NewProject({ open, onClose }) {
  const [name, setName] = useState('');
  const [timeout, setTimeoutSeconds] = useState(86400);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const project = await post('/projects', { name, default_gate_timeout_seconds: Number(timeout) });
      toast(`Project “${project.name}” created`, 'success');
      onClose();
      navigate(`/admin/projects/${project.id}/keys`);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return html`<${Dialog} open=${open} title="New project" onClose=${onClose}>
    <form class="form" onSubmit=${submit}>
      ${formError(error, ['name', 'default_gate_timeout_seconds']) && html`<p class="form-error" role="alert">${error.message}</p>`}
      <${Field} label="Name" error=${fieldError(error, 'name')} hint="What people will see in the review queue.">
        ${(id, d) => html`<input id=${id} aria-describedby=${d} required maxlength="500" value=${name} autofocus
          onInput=${(e) => setName(e.target.value)} placeholder="Refund approvals" />`}
      </${Field}>
      <${Field} label="Gate timeout" error=${fieldError(error, 'default_gate_timeout_seconds')}
        hint="How long a gate task waits for a person when it names no timeout of its own.">
        ${(id, d) => html`<select id=${id} aria-describedby=${d} value=${timeout} onChange=${(e) => setTimeoutSeconds(e.target.value)}>
          ${timeoutChoices.map(([seconds, label]) => html`<option value=${seconds}>${label}</option>`)}
        </select>`}
      </${Field}>
      <div class="dialog-foot">
        <button type="button" class="btn" onClick=${onClose}>Cancel</button>
        <${SubmitButton} busy=${busy} disabled=${!name.trim()}>Create project</${SubmitButton}>
      </div>
    </form>
  </${Dialog}>`;
}

export default function Projects() {
  useTitle('Projects');
  const projects = useAsync(() => get('/projects'), []);
  const [creating, setCreating] = useState(false);
  const columns = [
    { label: 'Project', render: (p) => html`<a class="row-link" href=${`/admin/projects/${p.id}`}>${p.name}</a>` },
    { label: 'Pending', align: 'end', render: (p) => html`<span class=${p.pending ? 'num' : 'num muted'}>${count(p.pending)}</span>` },
    { label: 'Escalated', align: 'end', render: (p) => (p.escalated
      ? html`<a class="num num-warning" href="/admin/escalations">${count(p.escalated)}</a>`
      : html`<span class="num muted">0</span>`) },
    { label: 'Reviewed', align: 'end', render: (p) => html`<span class="num">${count(p.reviewed)}</span>` },
    { label: 'Gate timeout', className: 'hide-narrow', render: (p) => span(p.default_gate_timeout_seconds) },
    { label: 'Created', className: 'hide-narrow', render: (p) => html`<span title=${p.created_at}>${ago(p.created_at)}</span>` },
  ];
  return html`<${AdminLayout}>
    <${PageHeader} title="Projects" subtitle="Each project has its own API keys, webhooks and reviewers."
      actions=${html`<button type="button" class="btn btn-primary" onClick=${() => setCreating(true)}>
        <${Icon} name="plus" /> New project</button>`} />
    <${Loaded} async=${projects}>${(rows) => html`<${DataTable} caption="Projects" columns=${columns} rows=${rows}
      empty=${html`<${EmptyState} icon="folder" title="No projects yet"
        action=${html`<button type="button" class="btn btn-primary" onClick=${() => setCreating(true)}><${Icon} name="plus" /> New project</button>`}>
        A project collects the review tasks of one automation: create one, then give the automation an API key.
      </${EmptyState}>`} />`}
    </${Loaded}>
    <${NewProject} open=${creating} onClose=${() => { setCreating(false); projects.reload(); }} />
  </${AdminLayout}>`;
}
