// A project's reviewers with their scores there, read from its audit log (reviews, XP,
// trust, accuracy on calibration tasks, catch rate on decoys, agreement with the final
// verdict), each opening a drill-down; adding and removing them.

import { html, useState } from '../../lib/html.js';
import { del, get, put } from '../../lib/api.js';
import { count, percent, personName } from '../../lib/format.js';
import { confirmAction } from '../../ui/dialog.js';
import { Icon } from '../../ui/icons.js';
import { EmptyState, Loaded, useAsync } from '../../ui/states.js';
import { Badge, DataTable } from '../../ui/table.js';
import { toast } from '../../ui/toast.js';

// "80%" with "4/5" beside it (null: "—").
function Share({ ratio, right, of }) {
  return html`${percent(ratio)}${of > 0 && html` <span class="muted small">${right}/${of}</span>`}`;
}

// The score table of project `projectId`'s reviewers, each name opening their drill-down;
// `onRemove(user)` adds a remove button to members.
export function ReviewerStats({ projectId, rows, onRemove, empty }) {
  const columns = [
    { label: 'Reviewer', render: (r) => html`<div class="person">
        <a class="row-link" href=${`/admin/projects/${projectId}/reviewers/${r.user.id}`}><strong>${personName(r.user)}</strong></a>
        <span class="muted small">${r.user.email}${!r.member && ' · not a member'}</span></div>` },
    { label: 'Reviews', align: 'end', render: (r) => count(r.stats.reviews) },
    { label: 'XP', align: 'end', render: (r) => html`${count(r.stats.xp)} <span class="muted small">L${r.stats.level}</span>` },
    { label: 'Trust', align: 'end', render: (r) => r.stats.trust_score.toFixed(2) },
    { label: 'Accuracy', align: 'end', render: (r) => html`<${Share} ratio=${r.stats.accuracy} right=${r.stats.golden_correct} of=${r.stats.golden_scored} />` },
    { label: 'Catch rate', align: 'end', render: (r) => html`<${Share} ratio=${r.stats.catch_rate} right=${r.stats.decoys_caught} of=${r.stats.decoys_scored} />` },
    { label: 'Agreement', align: 'end', render: (r) => percent(r.stats.agreement) },
    { label: 'Streak', align: 'end', className: 'hide-narrow', render: (r) => html`${r.stats.streak} <span class="muted small">best ${r.stats.best_streak}</span>` },
    ...(onRemove ? [{ label: '', align: 'end', render: (r) => r.member && html`<button type="button" class="btn btn-small btn-danger-ghost"
        onClick=${() => onRemove(r.user)} aria-label=${`Remove ${personName(r.user)} from the project`}><${Icon} name="x" size=${14} /> Remove</button>` }] : []),
  ];
  return html`<${DataTable} caption="Reviewers" columns=${columns} rows=${rows} rowKey=${(r) => r.user.id} empty=${empty} />`;
}

export default function Reviewers({ project }) {
  const reviewers = useAsync(() => get(`/projects/${project.id}/reviewers`), [project.id]);
  const people = useAsync(() => get('/users'), []);
  const [adding, setAdding] = useState('');
  const add = async (event) => {
    event.preventDefault();
    if (!adding) return;
    try {
      await put(`/projects/${project.id}/reviewers/${adding}`);
      setAdding('');
      toast('Reviewer added', 'success');
      reviewers.reload();
    } catch (error) {
      toast(error.message, 'error');
    }
  };
  const remove = async (user) => {
    const sure = await confirmAction({
      title: `Remove ${personName(user)}?`, confirmLabel: 'Remove', danger: true,
      body: 'They stop getting this project\'s cards. Their past reviews and scores stay.',
    });
    if (!sure) return;
    try {
      await del(`/projects/${project.id}/reviewers/${user.id}`);
      toast('Reviewer removed', 'success');
      reviewers.reload();
    } catch (error) {
      toast(error.message, 'error');
    }
  };
  const members = new Set((reviewers.data || []).filter((r) => r.member).map((r) => r.user.id));
  const candidates = (people.data || []).filter((u) => !members.has(u.id) && u.role !== 'viewer');
  return html`<div class="stack">
    <form class="inline-form" onSubmit=${add}>
      <label for="add-reviewer" class="visually-hidden">Person to add</label>
      <select id="add-reviewer" value=${adding} onChange=${(e) => setAdding(e.target.value)}>
        <option value="">Add a reviewer…</option>
        ${candidates.map((u) => html`<option value=${u.id}>${personName(u)} (${u.email})</option>`)}
      </select>
      <button type="submit" class="btn btn-primary" disabled=${!adding}><${Icon} name="plus" /> Add</button>
    </form>
    <p class="muted small">Owners and admins can review every project; <${Badge} kind="neutral">reviewer</${Badge}> accounts only the projects they are added to.
      Scores are this project's, from its audit log: trust is (right + 1) / (scored + 2) over calibration tasks and decoys. Open a reviewer to see each probe they met.</p>
    <${Loaded} async=${reviewers}>${(rows) => html`<${ReviewerStats} projectId=${project.id} rows=${rows} onRemove=${remove}
      empty=${html`<${EmptyState} icon="users" title="No reviewers on this project">Add people above; new accounts are made under People.</${EmptyState}>`} />`}</${Loaded}>
  </div>`;
}
