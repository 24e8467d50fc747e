// Where a project's verdicts go: the secret they are signed with (reveal, copy, rotate)
// and the webhook subscriptions (add, remove).

import { html, useState } from '../../lib/html.js';
import { del, get, post } from '../../lib/api.js';
import { ago } from '../../lib/format.js';
import { SecretValue } from '../../ui/copy.js';
import { confirmAction } from '../../ui/dialog.js';
import { SubmitButton, fieldError } from '../../ui/form.js';
import { Icon } from '../../ui/icons.js';
import { EmptyState, Loaded, useAsync } from '../../ui/states.js';
import { DataTable } from '../../ui/table.js';
import { toast } from '../../ui/toast.js';

function SigningSecret({ project }) {
  const [secret, setSecret] = useState(null);
  const [busy, setBusy] = useState(false);
  const reveal = async () => {
    try {
      setSecret((await get(`/projects/${project.id}/signing-secret`)).secret);
    } catch (error) {
      toast(error.message, 'error');
    }
  };
  const rotate = async () => {
    const sure = await confirmAction({
      title: 'Rotate the signing secret?', confirmLabel: 'Rotate secret', danger: true,
      body: 'Every delivery from now on, retries included, is signed with a new secret. Receivers that check signatures reject verdicts until they have it.',
    });
    if (!sure) return;
    setBusy(true);
    try {
      setSecret((await post(`/projects/${project.id}/signing-secret/rotate`)).secret);
      toast('Signing secret rotated', 'success');
    } catch (error) {
      toast(error.message, 'error');
    } finally {
      setBusy(false);
    }
  };
  return html`<section class="panel">
    <h2 class="panel-title">Signing secret</h2>
    <p class="muted">Each verdict carries <code>X-LoopQuest-Signature: sha256=…</code>, the HMAC-SHA256 of the body with this secret.</p>
    ${secret ? html`<${SecretValue} value=${secret} masked=${false} label="Signing secret" />`
      : html`<div class="secret"><code class="secret-value" aria-label="Signing secret (hidden)">whsec_${'•'.repeat(24)}</code>
        <div class="secret-actions"><button type="button" class="btn" onClick=${reveal}><${Icon} name="eye" /> Reveal</button></div></div>`}
    <div class="panel-actions">
      <button type="button" class="btn btn-danger-ghost" disabled=${busy} onClick=${rotate}><${Icon} name="refresh" /> Rotate secret</button>
    </div>
  </section>`;
}

function Hooks({ project }) {
  const hooks = useAsync(() => get(`/projects/${project.id}/hooks`), [project.id]);
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const add = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await post(`/projects/${project.id}/hooks`, { url: url.trim() });
      setUrl('');
      toast('Webhook added', 'success');
      hooks.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const remove = async (hook) => {
    const sure = await confirmAction({
      title: 'Remove this webhook?', confirmLabel: 'Remove', danger: true,
      body: `${hook.url} stops receiving verdicts. Deliveries already under way finish.`,
    });
    if (!sure) return;
    try {
      await del(`/projects/${project.id}/hooks/${hook.id}`);
      toast('Webhook removed', 'success');
      hooks.reload();
    } catch (failure) {
      toast(failure.message, 'error');
    }
  };
  const columns = [
    { label: 'URL', render: (h) => html`<span class="url mono">${h.url}</span>` },
    { label: 'Added', className: 'hide-narrow', render: (h) => html`<span title=${h.created_at}>${ago(h.created_at)}</span>` },
    { label: '', align: 'end', render: (h) => html`<button type="button" class="btn btn-small btn-danger-ghost"
        onClick=${() => remove(h)}><${Icon} name="trash" size=${14} /> Remove</button>` },
  ];
  return html`<section class="panel">
    <h2 class="panel-title">Webhooks</h2>
    <p class="muted">Every verdict of the project is posted to each of these URLs (besides a task's own callback URL).</p>
    <form class="inline-form" onSubmit=${add}>
      <label for="hook-url" class="visually-hidden">Webhook URL</label>
      <input id="hook-url" type="url" placeholder="https://example.com/loop/verdicts" value=${url}
        aria-invalid=${fieldError(error, 'url') ? 'true' : undefined} onInput=${(e) => setUrl(e.target.value)} />
      <${SubmitButton} busy=${busy} disabled=${!url.trim()}><${Icon} name="plus" /> Add webhook</${SubmitButton}>
    </form>
    ${error && html`<p class="form-error" role="alert">${error.message}</p>`}
    <${Loaded} async=${hooks}>${(rows) => html`<${DataTable} caption="Webhooks" columns=${columns} rows=${rows}
      empty=${html`<${EmptyState} icon="link" title="No webhooks">Verdicts still reach each task's callback URL, and can be polled.</${EmptyState}>`} />`}</${Loaded}>
  </section>`;
}

export default function Webhooks({ project }) {
  return html`<div class="stack"><${SigningSecret} project=${project} /><${Hooks} project=${project} /></div>`;
}
