// /issues/{number} — one issue, editable in place: title, status, priority and type in
// the header; description (Markdown, rendered safely); labels, project, parent and
// children; relations with what blocks it shown first; the claim and its lease; a
// person's sign-off of the agent's work (its state, its review task, a reviewer's
// corrections); the hypothesis, the agent's results and the signal's payload; threaded
// comments.

import { html, useEffect, useState } from '../../lib/html.js';
import { del, get, patch, post } from '../../lib/api.js';
import { useShortcuts } from '../../lib/keys.js';
import { navigate } from '../../lib/router.js';
import { ago, percent, when } from '../../lib/format.js';
import { Markdown } from '../../lib/markdown.js';
import { Progress } from '../../ui/charts.js';
import { confirmAction } from '../../ui/dialog.js';
import { Icon } from '../../ui/icons.js';
import { JsonTree } from '../../ui/json.js';
import { PageHeader, useTitle } from '../../ui/layout.js';
import { ErrorState, Skeleton, useAsync } from '../../ui/states.js';
import { toast } from '../../ui/toast.js';
import {
  EngineLayout, IssueLink, IssueStatus, LabelChip, PRIORITIES, RELATION_TYPES, ReviewBadge, STATUSES, TYPES,
  getAll, issueByNumber, priorityWord, relationWord, statusWord, typeWord,
} from './common.js';
import { Comments } from './comments.js';
import { IssuePicker, NewIssue } from './new_issue.js';
import { releaseClaim } from './dispatch.js';

async function loadIssue(number) {
  const found = await issueByNumber(number);
  if (!found) throw new Error(`There is no issue #${number}. It may have been deleted.`);
  const issue = (await get(`/api/issues/${found.id}`)).data;
  const relatedIds = [...new Set(issue.relations.map((r) => r.relatedIssueId))];
  const related = await Promise.all(relatedIds.map((id) => get(`/api/issues/${id}`).then((r) => r.data, () => null)));
  return { issue, related: Object.fromEntries(relatedIds.map((id, i) => [id, related[i]])) };
}

function InlineTitle({ issue, save }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(issue.title);
  useEffect(() => setText(issue.title), [issue.title]);
  if (!editing) {
    return html`<span class="editable" role="button" tabindex="0" title="Click to edit"
      onClick=${() => setEditing(true)} onKeyDown=${(e) => { if (e.key === 'Enter') setEditing(true); }}>${issue.title}</span>`;
  }
  const commit = async () => {
    if (text.trim() && text !== issue.title) await save({ title: text.trim() });
    setEditing(false);
  };
  return html`<input class="issue-title-edit" aria-label="Title" value=${text} autofocus maxlength="500"
    onInput=${(e) => setText(e.target.value)} onBlur=${commit}
    onKeyDown=${(e) => { if (e.key === 'Enter') commit(); if (e.key === 'Escape') { setText(issue.title); setEditing(false); } }} />`;
}

function Description({ issue, save }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(issue.description || '');
  const commit = async () => { await save({ description: text }); setEditing(false); };
  return html`<section class="panel">
    <div class="panel-head"><h2 class="panel-title">Description</h2>
      ${!editing && html`<button type="button" class="btn btn-ghost btn-small" onClick=${() => { setText(issue.description || ''); setEditing(true); }}>
        <${Icon} name="mark" size=${14} /> Edit</button>`}</div>
    ${editing ? html`<div class="form">
        <textarea aria-label="Description" rows="10" value=${text} autofocus onInput=${(e) => setText(e.target.value)}></textarea>
        <div class="row-actions"><button type="button" class="btn btn-primary btn-small" onClick=${commit}>Save</button>
          <button type="button" class="btn btn-small" onClick=${() => setEditing(false)}>Cancel</button>
          <span class="muted small">Markdown</span></div>
      </div>`
      : issue.description ? html`<${Markdown} text=${issue.description} />` : html`<p class="muted">No description.</p>`}
  </section>`;
}

function Hypothesis({ hypothesis }) {
  return html`<section class="panel">
    <h2 class="panel-title">Hypothesis</h2>
    ${hypothesis.statement && html`<p><strong>${hypothesis.statement}</strong></p>`}
    ${typeof hypothesis.confidence === 'number' && html`<div class="hypothesis-confidence">
      <span class="muted small">Confidence</span><${Progress} value=${hypothesis.confidence} max=${1} label="Confidence" />
      <strong>${percent(hypothesis.confidence)}</strong></div>`}
    ${Array.isArray(hypothesis.evidence) && hypothesis.evidence.length > 0 && html`<div><h3 class="small muted">Evidence</h3>
      <ul>${hypothesis.evidence.map((e, i) => html`<li key=${i}>${typeof e === 'string' ? e : JSON.stringify(e)}</li>`)}</ul></div>`}
    ${hypothesis.validationCriteria && html`<div><h3 class="small muted">Validation criteria</h3><${Markdown} text=${hypothesis.validationCriteria} /></div>`}
    ${hypothesis.prediction && html`<div><h3 class="small muted">Prediction</h3><p>${hypothesis.prediction}</p></div>`}
  </section>`;
}

function AgentWork({ issue }) {
  const commits = issue.commits || [];
  const prs = issue.pullRequests || [];
  if (!issue.agentSummary && !commits.length && !prs.length && !issue.agentSessionId) return null;
  const safe = (url) => (/^https?:\/\//.test(url || '') ? url : undefined);
  return html`<section class="panel">
    <h2 class="panel-title">Agent's results</h2>
    ${issue.agentSessionId && html`<p class="small muted">Session <code>${issue.agentSessionId}</code></p>`}
    ${issue.agentSummary && html`<${Markdown} text=${issue.agentSummary} />`}
    ${prs.length > 0 && html`<div><h3 class="small muted">Pull requests</h3><ul class="ref-list">${prs.map((pr) => html`<li key=${pr.url || pr.number}>
      <a href=${safe(pr.url)} target="_blank" rel="noopener noreferrer">#${pr.number} ${pr.title}</a> ${(pr.mergedAt || pr.state) && html`<span class="badge">${pr.mergedAt ? 'merged' : pr.state}</span>`}</li>`)}</ul></div>`}
    ${commits.length > 0 && html`<div><h3 class="small muted">Commits</h3><ul class="ref-list">${commits.map((c) => html`<li key=${c.sha}>
      <a href=${safe(c.url)} target="_blank" rel="noopener noreferrer"><code>${String(c.sha).slice(0, 7)}</code></a> ${c.message}
      ${c.author && html`<span class="muted small"> · ${c.author}</span>`}</li>`)}</ul></div>`}
  </section>`;
}

function Claim({ issue, onChanged }) {
  if (!issue.claimedAt) return null;
  // Work handed to a person for sign-off is no longer the agent's to hold or release:
  // the verdict decides where the issue goes.
  const awaiting = issue.reviewStatus === 'pending';
  const holding = issue.status === 'in_progress' && !awaiting;
  return html`<section class="panel side-section">
    <h3>Claim</h3>
    <div class="lease">
      <span>${holding ? 'Claimed' : 'Last claimed'} <span title=${issue.claimedAt}>${ago(issue.claimedAt)}</span>
        ${issue.agentSessionId && html` by <code>${issue.agentSessionId}</code>`}</span>
      ${holding && issue.leaseExpiresAt && html`<span class="muted small">Lease ends ${ago(issue.leaseExpiresAt)} (${when(issue.leaseExpiresAt)})</span>`}
      ${holding && !issue.leaseExpiresAt && html`<span class="muted small">No lease: held until the agent lets go.</span>`}
      ${awaiting && html`<span class="muted small">The agent handed its work to a person for sign-off.</span>`}
    </div>
    ${holding && html`<div><button type="button" class="btn btn-small" onClick=${async () => { if (await releaseClaim(issue)) onChanged(); }}>
      <${Icon} name="arrowLeft" size=${14} /> Release to To do</button></div>`}
  </section>`;
}

const signOffNotes = {
  pending: 'A person decides in Review whether the agent\'s work is done.',
  approved: 'A person approved the agent\'s work.',
  flagged: 'A person sent the work back; the reason is in the comments.',
};

// Where a person's sign-off of the agent's work stands, with its review task (the
// verdict, the reviews, the card as the reviewer saw it) and any corrections.
function SignOff({ issue }) {
  if (!issue.reviewStatus) return null;
  const corrected = (issue.reviewCorrection || []).filter((f) => f.changed);
  return html`<section class="panel side-section" aria-label="Sign-off">
    <h3>Sign-off</h3>
    <div><${ReviewBadge} reviewStatus=${issue.reviewStatus} /></div>
    <p class="muted small">${signOffNotes[issue.reviewStatus]}</p>
    ${issue.reviewTaskId && issue.projectId && html`<a class="small icon-link" href=${`/admin/projects/${issue.projectId}/tasks/${issue.reviewTaskId}`}>
      <${Icon} name="link" size=${14} /> Review task</a>`}
    ${corrected.length > 0 && html`<div><h4 class="small muted">Corrected in review</h4><dl class="correction-list">
      ${corrected.map((f, i) => html`<div key=${i}><dt>${f.label}</dt><dd><s>${f.original}</s> → <strong>${f.value}</strong></dd></div>`)}</dl></div>`}
  </section>`;
}

function Labels({ issue, labels, save }) {
  const mine = issue.labels.map((l) => l.id);
  const others = labels.filter((l) => !mine.includes(l.id));
  const set = (ids) => save({ labelIds: ids });
  return html`<section class="side-section">
    <h3>Labels</h3>
    <div class="chip-row">
      ${issue.labels.map((l) => html`<${LabelChip} key=${l.id} label=${l} onRemove=${() => set(mine.filter((id) => id !== l.id))} />`)}
      ${!issue.labels.length && html`<span class="muted small">None</span>`}
    </div>
    ${others.length > 0 && html`<select aria-label="Add a label" class="select-small" value=""
      onChange=${(e) => e.target.value && set([...mine, e.target.value])}>
      <option value="">Add a label…</option>${others.map((l) => html`<option value=${l.id}>${l.name}</option>`)}</select>`}
  </section>`;
}

function Family({ issue, save, onChild }) {
  const [picking, setPicking] = useState(false);
  return html`<section class="side-section">
    <h3>Parent</h3>
    ${issue.parent ? html`<ul class="relation-list"><li><span class="grow"><${IssueLink} issue=${issue.parent} /></span>
        <button type="button" class="btn btn-ghost btn-icon btn-small" aria-label="Remove the parent" onClick=${() => save({ parentId: null })}><${Icon} name="x" size=${14} /></button></li></ul>`
      : picking ? html`<${IssuePicker} exclude=${[issue.id]} placeholder="Find the parent…" onPick=${(p) => { setPicking(false); save({ parentId: p.id }); }} />`
      : html`<div><button type="button" class="btn btn-ghost btn-small" onClick=${() => setPicking(true)}><${Icon} name="plus" size=${14} /> Set a parent</button></div>`}
    <h3>Children</h3>
    ${issue.children.length ? html`<ul class="relation-list">${issue.children.map((c) => html`<li key=${c.id}>
        <${IssueStatus} status=${c.status} /><span class="grow"><${IssueLink} issue=${c} /></span></li>`)}</ul>`
      : html`<span class="muted small">None</span>`}
    ${!issue.parentId && html`<div class="row-actions"><button type="button" class="btn btn-ghost btn-small" onClick=${onChild}><${Icon} name="plus" size=${14} /> Add a child</button>
      ${issue.children.length > 0 && html`<a class="btn btn-ghost btn-small" href=${`/issues?parentId=${issue.id}`}>In the table</a>`}</div>`}
  </section>`;
}

function Relations({ issue, related, onChanged }) {
  const [type, setType] = useState('blocked_by');
  const add = async (other) => {
    try {
      await post(`/api/issues/${issue.id}/relations`, { type, relatedIssueId: other.id });
      toast(`${relationWord(type)} #${other.number}`, 'success');
      onChanged();
    } catch (error) {
      toast(error.message, 'error');
    }
  };
  const remove = async (relation) => {
    try {
      await del(`/api/relations/${relation.id}`);
      onChanged();
    } catch (error) {
      toast(error.message, 'error');
    }
  };
  const ordered = [...issue.relations].sort((a, b) => RELATION_TYPES.indexOf(a.type) - RELATION_TYPES.indexOf(b.type));
  return html`<section class="side-section" aria-label="Relations">
    <h3>Relations</h3>
    ${ordered.length ? html`<ul class="relation-list">${ordered.map((r) => {
      const other = related[r.relatedIssueId];
      return html`<li key=${r.id} class=${`relation-${r.type}`}>
        <span class=${r.type === 'blocked_by' ? 'badge badge-danger' : 'badge'}>${relationWord(r.type)}</span>
        <span class="grow">${other ? html`<${IssueLink} issue=${other} />` : html`<span class="muted">a deleted issue</span>`}</span>
        <button type="button" class="btn btn-ghost btn-icon btn-small" aria-label="Remove the relation" onClick=${() => remove(r)}><${Icon} name="x" size=${14} /></button>
      </li>`;
    })}</ul>` : html`<span class="muted small">None</span>`}
    <div class="stack-tight">
      <select aria-label="Relation" class="select-small" value=${type} onChange=${(e) => setType(e.target.value)}>
        ${RELATION_TYPES.map((t) => html`<option value=${t}>${relationWord(t)}</option>`)}</select>
      <${IssuePicker} exclude=${[issue.id]} placeholder="Find an issue to relate…" onPick=${add} />
    </div>
  </section>`;
}

function Blocked({ issue, related }) {
  const blockers = issue.relations.filter((r) => r.type === 'blocked_by')
    .map((r) => related[r.relatedIssueId]).filter((o) => o && !['done', 'canceled'].includes(o.status));
  if (!blockers.length) return null;
  return html`<div class="blocked-banner" role="status"><${Icon} name="alert" />
    <div><strong>Blocked</strong> — agents will not be given this issue until these are done or canceled:
      <ul>${blockers.map((b) => html`<li key=${b.id}><${IssueLink} issue=${b} /> · ${statusWord(b.status)}</li>`)}</ul></div>
  </div>`;
}

export default function IssuePage({ params }) {
  const loaded = useAsync(() => loadIssue(params.number), [params.number]);
  const lookups = useAsync(() => Promise.all([getAll('/api/labels'), getAll('/api/projects')]), []);
  const [addingChild, setAddingChild] = useState(false);
  const issue = loaded.data && loaded.data.issue;
  const focus = (selector) => () => {
    const el = document.querySelector(selector);
    if (el) { el.focus(); if (el.getAttribute('role') === 'button') el.click(); }
  };
  useShortcuts('Issue', [
    { key: 'e', label: 'Edit the title', run: focus('.page-heading .editable') },
    { key: 's', label: 'Change the status', run: focus('select[aria-label=status]') },
    { key: 'p', label: 'Change the priority', run: focus('select[aria-label=priority]') },
    { key: 't', label: 'Change the type', run: focus('select[aria-label=type]') },
    { key: 'm', label: 'Write a comment', run: focus('textarea[aria-label="New comment"]') },
    { key: 'u', label: 'Back to the issues', run: () => navigate('/issues') },
  ], { active: !!issue });
  useTitle(issue ? `#${issue.number} ${issue.title}` : `Issue #${params.number}`);
  const back = { href: '/issues', label: 'Issues' };
  if (!issue) {
    return html`<${EngineLayout}>${loaded.error
      ? html`<${PageHeader} title=${`Issue #${params.number}`} back=${back} /><${ErrorState} title="This issue could not load" error=${loaded.error} retry=${loaded.reload} />`
      : html`<${Skeleton} lines=${8} />`}</${EngineLayout}>`;
  }
  const [labels, projects] = lookups.data || [[], []];
  const save = async (changes) => {
    try {
      await patch(`/api/issues/${issue.id}`, changes);
      loaded.reload();
    } catch (error) {
      toast(error.message, 'error');
    }
  };
  const remove = async () => {
    const sure = await confirmAction({ title: `Delete #${issue.number}?`, confirmLabel: 'Delete issue', danger: true,
      body: 'It leaves every list, the queue and the counts. Its comments and relations stay.' });
    if (!sure) return;
    try {
      await del(`/api/issues/${issue.id}`);
      toast(`#${issue.number} deleted`, 'success');
      navigate('/issues');
    } catch (error) {
      toast(error.message, 'error');
    }
  };
  const choose = (name, value, options, word) => html`<select class="inline-select" aria-label=${name} value=${value}
      onChange=${(e) => save({ [name]: name === 'priority' ? Number(e.target.value) : e.target.value })}>
    ${options.map((o) => html`<option value=${o}>${word(o)}</option>`)}</select>`;
  return html`<${EngineLayout}>
    <${PageHeader} back=${back} title=${html`<span class="issue-number">#${issue.number}</span> <${InlineTitle} issue=${issue} save=${save} />`}
      subtitle=${html`<span class="issue-meta-row">
        ${choose('status', issue.status, STATUSES, statusWord)}
        ${choose('priority', issue.priority, PRIORITIES, priorityWord)}
        ${choose('type', issue.type, TYPES, typeWord)}
        <${ReviewBadge} reviewStatus=${issue.reviewStatus} />
        <span class="muted small">opened ${ago(issue.createdAt)} · updated ${ago(issue.updatedAt)}
          ${issue.completedAt ? ` · done ${ago(issue.completedAt)}` : ''}</span></span>`}
      actions=${html`<button type="button" class="btn btn-danger-ghost btn-small" onClick=${remove}><${Icon} name="trash" size=${14} /> Delete</button>`} />
    <${Blocked} issue=${issue} related=${loaded.data.related} />
    <div class="detail-grid">
      <div class="stack">
        <${Description} issue=${issue} save=${save} />
        ${issue.hypothesis && html`<${Hypothesis} hypothesis=${issue.hypothesis} />`}
        <${AgentWork} issue=${issue} />
        ${issue.signalPayload && html`<section class="panel"><h2 class="panel-title">Signal${issue.signalSource ? ` from ${issue.signalSource}` : ''}</h2>
          <${JsonTree} value=${issue.signalPayload} /></section>`}
        <${Comments} issueId=${issue.id} onChanged=${loaded.reload} />
      </div>
      <aside class="stack">
        <${SignOff} issue=${issue} />
        <${Claim} issue=${issue} onChanged=${loaded.reload} />
        <section class="panel">
          <section class="side-section"><h3>Project</h3>
            <select aria-label="Project" class="select-small" value=${issue.projectId || ''} onChange=${(e) => save({ projectId: e.target.value || null })}>
              <option value="">No project</option>${projects.map((p) => html`<option value=${p.id}>${p.name}</option>`)}</select></section>
          <${Labels} issue=${issue} labels=${labels} save=${save} />
          <${Relations} issue=${issue} related=${loaded.data.related} onChanged=${loaded.reload} />
          <${Family} issue=${issue} save=${save} onChild=${() => setAddingChild(true)} />
        </section>
      </aside>
    </div>
    <${NewIssue} open=${addingChild} parent=${issue} projects=${projects} onClose=${() => { setAddingChild(false); loaded.reload(); }} />
  </${EngineLayout}>`;
}
