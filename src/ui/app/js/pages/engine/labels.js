// /labels — every label with its colour; create one with a colour, delete one.

import { html, useState } from '../../lib/html.js';
import { del, get, post } from '../../lib/api.js';
import { ago } from '../../lib/format.js';
import { confirmAction } from '../../ui/dialog.js';
import { SubmitButton } from '../../ui/form.js';
import { Icon } from '../../ui/icons.js';
import { PageHeader, useTitle } from '../../ui/layout.js';
import { EmptyState, Loaded, useAsync } from '../../ui/states.js';
import { DataTable } from '../../ui/table.js';
import { toast } from '../../ui/toast.js';
import { EngineLayout, LabelChip } from './common.js';

const SWATCHES = ['#dc2626', '#ea580c', '#ca8a04', '#16a34a', '#0891b2', '#4f46e5', '#9333ea', '#db2777', '#64748b'];

export default function Labels() {
  useTitle('Labels');
  const labels = useAsync(() => get('/api/labels?limit=200'), []);
  const [name, setName] = useState('');
  const [color, setColor] = useState(SWATCHES[5]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const create = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await post('/api/labels', { name: name.trim(), color });
      toast(`Label “${name.trim()}” created`, 'success');
      setName('');
      labels.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const remove = async (label) => {
    const sure = await confirmAction({ title: `Delete “${label.name}”?`, confirmLabel: 'Delete label', danger: true,
      body: 'Issues lose it from their lists. Its name stays taken.' });
    if (!sure) return;
    try {
      await del(`/api/labels/${label.id}`);
      labels.reload();
    } catch (failure) {
      toast(failure.message, 'error');
    }
  };
  const columns = [
    { label: 'Label', render: (l) => html`<${LabelChip} label=${l} />` },
    { label: 'Colour', className: 'hide-narrow', render: (l) => html`<code>${l.color}</code>` },
    { label: 'Issues', render: (l) => html`<a href=${`/issues?labelId=${l.id}`}>Show issues</a>` },
    { label: 'Created', className: 'hide-narrow', render: (l) => html`<span title=${l.createdAt}>${ago(l.createdAt)}</span>` },
    { label: '', align: 'end', render: (l) => html`<button type="button" class="btn btn-small btn-danger-ghost" onClick=${() => remove(l)}>
      <${Icon} name="trash" size=${14} /> Delete</button>` },
  ];
  return html`<${EngineLayout}>
    <${PageHeader} title="Labels" subtitle="Labels sort issues and pick prompt templates (a template may require labels)." />
    <form class="panel inline-form" onSubmit=${create} aria-label="New label">
      <input aria-label="Name" required maxlength="100" placeholder="New label name" value=${name} onInput=${(e) => setName(e.target.value)} />
      <input type="color" class="color-input" aria-label="Colour" value=${color} onInput=${(e) => setColor(e.target.value)} />
      <span class="chip-row">${SWATCHES.map((c) => html`<button key=${c} type="button" class="swatch" aria-label=${`Colour ${c}`}
        aria-pressed=${c === color ? 'true' : 'false'} style=${{ '--label': c }} onClick=${() => setColor(c)}></button>`)}</span>
      <${SubmitButton} busy=${busy} disabled=${!name.trim()}><${Icon} name="plus" /> Create label</${SubmitButton}>
      ${error && html`<p class="form-error" role="alert">${error.message}</p>`}
    </form>
    <${Loaded} async=${labels}>${(r) => html`<${DataTable} caption="Labels" columns=${columns} rows=${r.data}
      empty=${html`<${EmptyState} icon="link" title="No labels yet">Create one above.</${EmptyState}>`} />`}</${Loaded}>
  </${EngineLayout}>`;
}
