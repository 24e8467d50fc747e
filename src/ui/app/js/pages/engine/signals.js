// /signals — the latest signals with their source, type and severity and the issue each
// created; filtered by source and severity, the payload one click away.

import { html, useState } from '../../lib/html.js';
import { get, query } from '../../lib/api.js';
import { ago, count } from '../../lib/format.js';
import { JsonTree } from '../../ui/json.js';
import { PageHeader, useTitle } from '../../ui/layout.js';
import { EmptyState, Loaded, useAsync } from '../../ui/states.js';
import { DataTable } from '../../ui/table.js';
import { EngineLayout, IssueLink, IssueStatus, SeverityBadge, usePolling } from './common.js';

const PAGE = 50;

export default function Signals() {
  useTitle('Signals');
  const [severity, setSeverity] = useState('');
  const [source, setSource] = useState('');
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState(null);
  const signals = useAsync(() => get(`/api/signals${query({ severity, source, limit: PAGE, page })}`), [severity, source, page]);
  usePolling(signals.reload, 15, [signals.reload]);
  const columns = [
    { label: 'Arrived', render: (s) => html`<span class="nowrap" title=${s.createdAt}>${ago(s.createdAt)}</span>` },
    { label: 'Source', render: (s) => html`<strong>${s.source}</strong>` },
    { label: 'Type', className: 'hide-narrow', render: (s) => s.type },
    { label: 'Severity', render: (s) => html`<${SeverityBadge} severity=${s.severity} />` },
    { label: 'Issue', render: (s) => (s.issue ? html`<span class="title-cell"><${IssueLink} issue=${s.issue} /><${IssueStatus} status=${s.issue.status} /></span>` : html`<span class="muted">deleted</span>`) },
    { label: '', align: 'end', render: (s) => html`<button type="button" class="btn btn-ghost btn-small" aria-expanded=${open === s.id ? 'true' : 'false'}
        onClick=${() => setOpen(open === s.id ? null : s.id)}>${open === s.id ? 'Hide' : 'Payload'}</button>` },
  ];
  return html`<${EngineLayout}>
    <${PageHeader} title="Signals" subtitle=${signals.data ? `${count(signals.data.total)} received` : ' '} />
    <div class="stack">
      <div class="filters">
        <select aria-label="Severity" value=${severity} onChange=${(e) => { setSeverity(e.target.value); setPage(1); }}>
          <option value="">Any severity</option>${['critical', 'high', 'medium', 'low'].map((s) => html`<option value=${s}>${s}</option>`)}</select>
        <input type="search" aria-label="Source" class="select-small" placeholder="Source (sentry, github, …)" value=${source}
          onChange=${(e) => { setSource(e.target.value.trim()); setPage(1); }} />
      </div>
      <${Loaded} async=${signals}>${(r) => html`
        <${DataTable} caption="Signals" columns=${columns} rows=${r.data}
          empty=${html`<${EmptyState} icon="alert" title="No signals">Send one with POST /api/signals, or connect GitHub, Sentry or PostHog. The overview shows how.</${EmptyState}>`} />
        ${open && r.data.find((s) => s.id === open) && html`<section class="panel"><h2 class="panel-title">Payload</h2>
          <${JsonTree} value=${r.data.find((s) => s.id === open).payload} /></section>`}
        ${r.total > PAGE && html`<div class="pager"><span>Page ${page} of ${Math.ceil(r.total / PAGE)}</span><span class="row-actions">
          <button type="button" class="btn btn-small" disabled=${page <= 1} onClick=${() => setPage(page - 1)}>Previous</button>
          <button type="button" class="btn btn-small" disabled=${page * PAGE >= r.total} onClick=${() => setPage(page + 1)}>Next</button></span></div>`}`}
      </${Loaded}>
    </div>
  </${EngineLayout}>`;
}
