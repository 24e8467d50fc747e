// /issues — every issue in a table with every filter the API has (status, type,
// priority, project, label, parent, sign-off), full-text search, sorting and pages, all kept in
// the URL so that a view can be reloaded and shared. Keys: J/K move, Enter opens,
// / searches, C creates.

import { html, useEffect, useRef, useState } from '../../lib/html.js';
import { get, query } from '../../lib/api.js';
import { navigate, useLocation, useQuery } from '../../lib/router.js';
import { useShortcuts } from '../../lib/keys.js';
import { ago, count } from '../../lib/format.js';
import { Icon } from '../../ui/icons.js';
import { PageHeader, useTitle } from '../../ui/layout.js';
import { EmptyState, Loaded, useAsync } from '../../ui/states.js';
import { DataTable } from '../../ui/table.js';
import {
  EngineLayout, IssueStatus, OPEN_STATUSES, PRIORITIES, PriorityMark, REVIEW_STATUSES, ReviewBadge, STATUSES, TYPES,
  TypeTag, getAll, priorityWord, reviewWord, statusWord, typeWord,
} from './common.js';
import { NewIssue, searchQuery } from './new_issue.js';

const PAGE = 25;
const FILTERS = ['q', 'status', 'type', 'priority', 'projectId', 'labelId', 'reviewStatus', 'parentId', 'sort', 'page'];

// The page's state as the URL holds it.
function useFilters() {
  const params = useQuery();
  const { path } = useLocation();
  const filters = Object.fromEntries(FILTERS.map((k) => [k, params[k] || '']));
  const update = (changes) => {
    const next = { ...filters, page: '', ...changes };
    navigate(`${path}${query(next)}`, { replace: true });
  };
  return [filters, update, params.new === '1'];
}

function Pager({ page, total, onPage }) {
  const pages = Math.max(1, Math.ceil(total / PAGE));
  const from = total ? (page - 1) * PAGE + 1 : 0;
  const to = Math.min(total, page * PAGE);
  return html`<div class="pager">
    <span>${count(from)}–${count(to)} of ${count(total)}</span>
    <span class="row-actions">
      <button type="button" class="btn btn-small" disabled=${page <= 1} onClick=${() => onPage(page - 1)}><${Icon} name="arrowLeft" size=${14} /> Previous</button>
      <button type="button" class="btn btn-small" disabled=${page >= pages} onClick=${() => onPage(page + 1)}>Next <${Icon} name="arrowRight" size=${14} /></button>
    </span>
  </div>`;
}

export default function Issues() {
  useTitle('Issues');
  const [filters, update, askNew] = useFilters();
  const [text, setText] = useState(filters.q);
  const [current, setCurrent] = useState(0);
  const [creating, setCreating] = useState(askNew);
  const search = useRef(null);
  const page = Number(filters.page) || 1;
  const lookups = useAsync(() => Promise.all([getAll('/api/projects'), getAll('/api/labels')]), []);
  const [projects, labels] = lookups.data || [[], []];
  const key = JSON.stringify(filters);
  const issues = useAsync(() => {
    const { q, page: _page, ...rest } = filters;
    return get(`/api/issues${query({ ...rest, q: q ? searchQuery(q) : '', limit: PAGE, page })}`);
  }, [key]);
  useEffect(() => setCurrent(0), [key]);
  useEffect(() => { if (filters.q !== text && document.activeElement !== search.current) setText(filters.q); }, [filters.q]);
  // Searching as one types, a moment after the last key.
  useEffect(() => {
    if (text === filters.q) return undefined;
    const timer = setTimeout(() => update({ q: text }), 250);
    return () => clearTimeout(timer);
  }, [text]);
  const rows = issues.data ? issues.data.data : [];
  useShortcuts('Issues', [
    { key: 'j', label: 'Next issue', run: () => setCurrent((i) => Math.min(i + 1, rows.length - 1)) },
    { key: 'k', label: 'Previous issue', run: () => setCurrent((i) => Math.max(i - 1, 0)) },
    { key: 'Enter', label: 'Open the selected issue', run: () => rows[current] && navigate(`/issues/${rows[current].number}`) },
    { key: '/', label: 'Search', run: () => search.current && search.current.focus() },
    { key: 'c', label: 'New issue', run: () => setCreating(true) },
  ]);
  const projectName = (id) => (projects.find((p) => p.id === id) || {}).name;
  const columns = [
    { label: '#', sortKey: 'number', className: 'num muted', render: (i) => i.number },
    { label: 'Title', sortKey: 'title', render: (i) => html`<div class="title-cell">
      <a class="row-link" href=${`/issues/${i.number}`}>${i.title}</a>
      ${i.parentId && html`<span class="small muted">child issue</span>`}</div>` },
    { label: 'Status', sortKey: 'status', render: (i) => html`<span class="status-cell"><${IssueStatus} status=${i.status} /><${ReviewBadge} reviewStatus=${i.reviewStatus} /></span>` },
    { label: 'Priority', sortKey: 'priority', className: 'hide-narrow', render: (i) => html`<${PriorityMark} priority=${i.priority} />` },
    { label: 'Type', sortKey: 'type', className: 'hide-narrow', render: (i) => html`<${TypeTag} type=${i.type} />` },
    { label: 'Project', className: 'hide-narrow', render: (i) => (i.projectId ? projectName(i.projectId) || html`<span class="muted">—</span>` : html`<span class="muted">—</span>`) },
    { label: 'Updated', sortKey: 'updatedAt', className: 'hide-narrow', render: (i) => html`<span class="muted nowrap" title=${i.updatedAt}>${ago(i.updatedAt)}</span>` },
  ];
  const select = (name, options, all) => html`<select aria-label=${name} value=${filters[name]}
      onChange=${(e) => update({ [name]: e.target.value })}>
    <option value="">${all}</option>${options}</select>`;
  const filtered = FILTERS.some((k) => !['sort', 'page'].includes(k) && filters[k]);
  return html`<${EngineLayout}>
    <${PageHeader} title="Issues" subtitle=${issues.data ? `${count(issues.data.total)} ${filtered ? 'matching' : 'in all'}` : ' '}
      actions=${html`<button type="button" class="btn btn-primary" onClick=${() => setCreating(true)}><${Icon} name="plus" /> New issue <kbd>C</kbd></button>`} />
    <div class="stack">
      <div class="filters">
        <label class="search-box"><span class="visually-hidden">Search issues</span><${Icon} name="search" size=${16} />
          <input ref=${search} type="search" placeholder="Search titles and descriptions" value=${text}
            onInput=${(e) => setText(e.target.value)}
            onKeyDown=${(e) => { if (e.key === 'Escape') e.target.blur(); if (e.key === 'Enter') update({ q: text }); }} /><kbd>/</kbd></label>
        ${select('status', html`<option value=${OPEN_STATUSES.join(',')}>Open</option>${STATUSES.map((s) => html`<option value=${s}>${statusWord(s)}</option>`)}`, 'Any status')}
        ${select('type', TYPES.map((t) => html`<option value=${t}>${typeWord(t)}</option>`), 'Any type')}
        ${select('priority', PRIORITIES.map((p) => html`<option value=${p}>${priorityWord(p)}</option>`), 'Any priority')}
        ${projects.length > 0 && select('projectId', projects.map((p) => html`<option value=${p.id}>${p.name}</option>`), 'Any project')}
        ${labels.length > 0 && select('labelId', labels.map((l) => html`<option value=${l.id}>${l.name}</option>`), 'Any label')}
        ${select('reviewStatus', REVIEW_STATUSES.map((r) => html`<option value=${r}>${reviewWord(r)}</option>`), 'Any sign-off')}
        ${filters.parentId && html`<span class="filter-chip">Children of one issue
          <button type="button" class="chip-remove" aria-label="Show all issues" onClick=${() => update({ parentId: '' })}>×</button></span>`}
        ${filtered && html`<button type="button" class="btn btn-ghost btn-small" onClick=${() => { setText(''); navigate('/issues', { replace: true }); }}>Clear</button>`}
      </div>
      <${Loaded} async=${issues} lines=${8}>${(r) => html`
        <${DataTable} caption="Issues" columns=${columns} rows=${r.data} sort=${filters.sort} onSort=${(sort) => update({ sort })}
          rowClass=${(i) => (i === rows[current] ? 'row-current' : '')}
          empty=${html`<${EmptyState} icon="tasks" title=${filtered ? 'No issue matches' : 'No issues yet'}
            action=${html`<button type="button" class="btn btn-primary" onClick=${() => setCreating(true)}><${Icon} name="plus" /> New issue</button>`}>
            ${filtered ? 'Try other words or fewer filters.' : 'Signals become issues in triage; you can also create one yourself.'}
          </${EmptyState}>`} />
        ${r.total > PAGE && html`<${Pager} page=${page} total=${r.total} onPage=${(p) => update({ ...filters, page: String(p) })} />`}`}
      </${Loaded}>
    </div>
    <${NewIssue} open=${creating} projects=${projects} onClose=${() => { setCreating(false); issues.reload(); }} />
  </${EngineLayout}>`;
}

