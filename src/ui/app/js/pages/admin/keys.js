// A project's API keys: create one (shown once, with a copy button and a first request
// to try), see each key's prefix and last use, revoke.

import { html, useState } from '../../lib/html.js';
import { del, get, post } from '../../lib/api.js';
import { ago } from '../../lib/format.js';
import { SecretValue } from '../../ui/copy.js';
import { Dialog, confirmAction } from '../../ui/dialog.js';
import { Field, SubmitButton, fieldError } from '../../ui/form.js';
import { Icon } from '../../ui/icons.js';
import { EmptyState, Loaded, useAsync } from '../../ui/states.js';
import { Badge, DataTable } from '../../ui/table.js';
import { toast } from '../../ui/toast.js';

function NewKey({ project, open, onClose }) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [created, setCreated] = useState(null);
  const close = () => {
    setName('');
    setCreated(null);
    setError(null);
    onClose();
  };
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setCreated(await post(`/projects/${project.id}/keys`, { name: name.trim() || undefined }));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const origin = window.location.origin;
  return html`<${Dialog} open=${open} title=${created ? 'Your new API key' : 'New API key'} onClose=${close} wide=${!!created}>
    ${created ? html`<div class="stack">
        <p class="notice notice-warning"><${Icon} name="alert" /> Copy it now: this is the only time the key is shown.</p>
        <${SecretValue} value=${created.key} label="API key" />
        <p class="muted small">Try it: this creates a task that appears in the review queue.</p>
        <pre class="code small">curl -s ${origin}/api/v1/tasks \\
  -H "Authorization: Bearer ${created.key}" \\
  -H "Content-Type: application/json" \\
  -d '{"module": "swiper", "payload": {"content": "Hello from ${project.name}"}}'</pre>
        <div class="dialog-foot"><button type="button" class="btn btn-primary" onClick=${close}>Done</button></div>
      </div>`
    : html`<form class="form" onSubmit=${submit}>
        <${Field} label="Name" hint="Where the key is used, so you recognise it later (e.g. zapier)." error=${fieldError(error, 'name')}>
          ${(id, d) => html`<input id=${id} aria-describedby=${d} maxlength="100" value=${name} autofocus
            placeholder="zapier" onInput=${(e) => setName(e.target.value)} />`}
        </${Field}>
        ${error && !error.field && html`<p class="form-error" role="alert">${error.message}</p>`}
        <div class="dialog-foot">
          <button type="button" class="btn" onClick=${close}>Cancel</button>
          <${SubmitButton} busy=${busy}>Create key</${SubmitButton}>
        </div>
      </form>`}
  </${Dialog}>`;
}

export default function Keys({ project }) {
  const keys = useAsync(() => get(`/projects/${project.id}/keys`), [project.id]);
  const [creating, setCreating] = useState(false);
  const revoke = async (key) => {
    const sure = await confirmAction({
      title: `Revoke “${key.name}”?`, confirmLabel: 'Revoke key', danger: true,
      body: `Requests with ${key.prefix}… stop working at once. Automations using it need a new key.`,
    });
    if (!sure) return;
    try {
      await del(`/projects/${project.id}/keys/${key.id}`);
      toast('Key revoked', 'success');
      keys.reload();
    } catch (error) {
      toast(error.message, 'error');
    }
  };
  const columns = [
    { label: 'Name', render: (k) => html`<strong>${k.name}</strong>` },
    { label: 'Key', render: (k) => html`<code>${k.prefix}…</code>` },
    { label: 'Created', className: 'hide-narrow', render: (k) => html`<span title=${k.created_at}>${ago(k.created_at)}</span>` },
    { label: 'Last used', render: (k) => (k.last_used_at ? html`<span title=${k.last_used_at}>${ago(k.last_used_at)}</span>` : html`<span class="muted">never</span>`) },
    { label: 'Status', render: (k) => (k.revoked_at ? html`<${Badge} kind="neutral">revoked</${Badge}>` : html`<${Badge} kind="success">active</${Badge}>`) },
    { label: '', align: 'end', render: (k) => (k.revoked_at ? null : html`<button type="button" class="btn btn-small btn-danger-ghost"
        onClick=${() => revoke(k)}><${Icon} name="trash" size=${14} /> Revoke</button>`) },
  ];
  return html`<div class="stack">
    <div class="toolbar">
      <p class="muted">Automations send tasks with <code>Authorization: Bearer lq_…</code>. Each key may make 120 requests a minute.</p>
      <button type="button" class="btn btn-primary" onClick=${() => setCreating(true)}><${Icon} name="plus" /> New key</button>
    </div>
    <${Loaded} async=${keys}>${(rows) => html`<${DataTable} caption="API keys" columns=${columns} rows=${rows}
      rowClass=${(k) => (k.revoked_at ? 'row-dim' : '')}
      empty=${html`<${EmptyState} icon="key" title="No keys yet"
        action=${html`<button type="button" class="btn btn-primary" onClick=${() => setCreating(true)}><${Icon} name="plus" /> New key</button>`}>
        Create a key for each automation that sends work to this project.
      </${EmptyState}>`} />`}</${Loaded}>
    <${NewKey} project=${project} open=${creating} onClose=${() => { setCreating(false); keys.reload(); }} />
  </div>`;
}
