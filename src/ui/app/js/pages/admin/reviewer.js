// /admin/projects/{id}/reviewers/{userId} — one reviewer in one project: their scores
// there, every probe they met (decoys and golden tasks) with what was expected and how
// they answered, and whether the project's audit log, which all of it is read from,
// still verifies.

import { html, useState } from '../../lib/html.js';
import { get } from '../../lib/api.js';
import { ago, count, percent, personName, when } from '../../lib/format.js';
import { BadgeList } from '../../ui/badges.js';
import { Icon } from '../../ui/icons.js';
import { PageHeader, useTitle } from '../../ui/layout.js';
import { ErrorState, Skeleton, useAsync } from '../../ui/states.js';
import { Badge, DataTable } from '../../ui/table.js';
import { AdminLayout } from './nav.js';

// Probes listed at first, and at most (the API's limit).
const FIRST = 100;
const MOST = 1000;

// One score: a big number, what it is, and how it was reached.
function Score({ label, value, detail, title }) {
  return html`<div class="score" title=${title}>
    <span class="score-value">${value}</span>
    <span class="score-label">${label}</span>
    ${detail && html`<span class="score-detail muted small">${detail}</span>`}
  </div>`;
}

function Scores({ stats }) {
  const of = (right, scored, what) => (scored ? `${right} of ${scored} ${what}` : `no ${what} yet`);
  return html`<section class="panel">
    <h2 class="panel-title">Scores in this project</h2>
    <div class="scores">
      <${Score} label="Trust" value=${stats.trust_score.toFixed(2)}
        detail=${`${stats.golden_correct + stats.decoys_caught} right of ${stats.golden_scored + stats.decoys_scored} probes`}
        title="(right + 1) / (scored + 2) over golden tasks and decoys" />
      <${Score} label="Catch rate" value=${percent(stats.catch_rate)} detail=${of(stats.decoys_caught, stats.decoys_scored, 'decoys')}
        title="Decoys flagged / decoys scored (escalations abstain)" />
      <${Score} label="Accuracy" value=${percent(stats.accuracy)} detail=${of(stats.golden_correct, stats.golden_scored, 'golden tasks')}
        title="Golden tasks answered right / golden tasks scored" />
      <${Score} label="Agreement" value=${percent(stats.agreement)} detail="with the final verdict of shared tasks" />
      <${Score} label="XP" value=${count(stats.xp)} detail=${`level ${stats.level}`} />
      <${Score} label="Streak" value=${stats.streak} detail=${`best ${stats.best_streak}`} />
      <${Score} label="Reviews" value=${count(stats.reviews)} detail=${`${stats.decoys_seen} of them decoys`} />
    </div>
    <${BadgeList} ids=${stats.badges} />
  </section>`;
}

// Whether the project's audit chain recomputes, and its head (to note down elsewhere).
function Chain({ verification }) {
  if (verification.data === undefined) {
    return verification.error
      ? html`<div class="notice notice-warning" role="alert"><${Icon} name="alert" /> The audit log could not be checked: ${verification.error.message}</div>`
      : html`<${Skeleton} lines=${1} />`;
  }
  const v = verification.data;
  if (!v.ok) {
    const b = v.first_break;
    return html`<div class="notice notice-danger chain-status" role="alert"><${Icon} name="alert" />
      <div><strong>The audit log does not verify.</strong> ${`Record #${b.seq} (${b.record_id}): ${b.problem}. Nothing after it can be trusted.`}</div></div>`;
  }
  return html`<div class="notice notice-success chain-status"><${Icon} name="shield" />
    <div><strong>Audit log intact:</strong> ${`${count(v.records)} records re-hashed, ${count(v.draws_recomputed)} draws and ${count(v.plants_recomputed)} planted errors recomputed`}${v.plants_erased ? `, ${v.plants_erased} erased with their task` : ''}.
      ${v.head && html` <span class="muted">Head #${v.head.seq} <code title=${v.head.hash}>${v.head.hash.slice(0, 16)}</code></span>`}</div></div>`;
}

// A golden answer as words: `true` approve, `false` flag, a choice, or both.
function expectedText(expected) {
  if (expected === null || expected === undefined) return '—';
  if (typeof expected === 'boolean') return expected ? 'approve' : 'flag';
  if (typeof expected === 'string') return expected;
  const parts = [];
  if (typeof expected.verdict === 'boolean') parts.push(expected.verdict ? 'approve' : 'flag');
  if (expected.choice !== undefined && expected.choice !== null) parts.push(String(expected.choice));
  return parts.join(' · ') || JSON.stringify(expected);
}

function Outcome({ record }) {
  if (record.correct === null) return html`<${Badge} kind="neutral">abstained</${Badge}>`;
  const [right, wrong] = record.decoy ? ['caught', 'missed'] : ['right', 'wrong'];
  return record.correct ? html`<${Badge} kind="success">${right}</${Badge}>` : html`<${Badge} kind="danger">${wrong}</${Badge}>`;
}

// Where an error was planted, in words: "the text", "the claim", "field 2".
function placeName(field) {
  const numbered = /fields\.(\d+)\.value$/.exec(field);
  return numbered ? `field ${Number(numbered[1]) + 1}` : `the ${field}`;
}

// What the probe was: a decoy's planted error and the task it copied, or the golden task.
function Probe({ record, projectId }) {
  const task = (id) => html`<a class="row-link" href=${`/admin/projects/${projectId}/tasks/${id}`}
    title=${id}>task <code>${id.slice(-8)}</code></a>`;
  if (!record.decoy) return html`<div class="probe"><span>Golden ${task(record.task_id)}</span></div>`;
  const p = record.planted && record.planted.change;
  return html`<div class="probe">
    <span>Decoy of ${task(record.source_task_id)}</span>
    ${p ? html`<span class="planted small">${p.contradicts
      ? html`added <q class="planted-new">${p.planted}</q>`
      : html`<q class="planted-old">${p.original}</q> → <q class="planted-new">${p.planted}</q> <span class="muted" title=${p.field}>in ${placeName(p.field)}</span>`}</span>`
    : html`<span class="muted small">erased with its task</span>`}
  </div>`;
}

// `brokenAt`: the first record the chain does not verify at, if any; it and every record
// after it are marked.
function Probes({ detail, projectId, limit, onMore, brokenAt }) {
  const columns = [
    { label: '#', align: 'end', render: (r) => html`<span title=${`Audit record ${r.id}`}>${r.seq}</span>` },
    { label: 'When', render: (r) => html`<span title=${when(r.at)}>${ago(r.at)}</span>` },
    { label: 'Probe', render: (r) => html`<${Probe} record=${r} projectId=${projectId} />` },
    { label: 'Expected', render: (r) => expectedText(r.expected) },
    { label: 'Answered', render: (r) => html`${r.decision}${r.choice !== null && r.choice !== undefined && typeof r.choice !== 'object' ? ` · ${r.choice}` : ''}
      ${r.reason && html`<div class="muted small">${r.reason}</div>`}` },
    { label: 'Outcome', render: (r) => html`<${Outcome} record=${r} />` },
    { label: 'XP', align: 'end', render: (r) => (r.xp > 0 ? `+${r.xp}` : String(r.xp)) },
    { label: 'Record hash', className: 'hide-narrow', render: (r) => html`<code title=${r.hash}>${r.hash.slice(0, 12)}</code>` },
  ];
  const probes = detail.probes;
  return html`<section class="panel">
    <div class="panel-head">
      <h2 class="panel-title">Probes met</h2>
      <span class="muted small">Decoys and golden tasks, newest first; each row is one audit record.</span>
    </div>
    <${DataTable} caption="Probes met" columns=${columns} rows=${probes}
      rowClass=${(r) => (brokenAt && r.seq >= brokenAt ? 'row-unverified' : '')}
      empty=${html`<p class="muted">No decoy or golden task has reached this reviewer in this project yet.</p>`} />
    ${probes.length === limit && limit < MOST && html`<div><button type="button" class="btn" onClick=${onMore}>Show more</button></div>`}
  </section>`;
}

export default function Reviewer({ params }) {
  const path = `/projects/${encodeURIComponent(params.id)}`;
  const [limit, setLimit] = useState(FIRST);
  const detail = useAsync(() => get(`${path}/reviewers/${encodeURIComponent(params.userId)}?limit=${limit}`),
    [params.id, params.userId, limit]);
  const verification = useAsync(() => get(`${path}/audit/verify`), [params.id]);
  useTitle(detail.data ? `${personName(detail.data.user)} · Reviewer` : 'Reviewer');
  const back = { href: `/admin/projects/${params.id}/reviewers`, label: 'Reviewers' };
  if (detail.data === undefined) {
    return html`<${AdminLayout}>${detail.error
      ? html`<${PageHeader} title="Reviewer" back=${back} /><${ErrorState} title="This reviewer could not load" error=${detail.error} retry=${detail.reload} />`
      : html`<${Skeleton} lines=${8} />`}</${AdminLayout}>`;
  }
  const d = detail.data;
  return html`<${AdminLayout}>
    <${PageHeader} title=${personName(d.user)} back=${back}
      subtitle=${html`${d.user.email} · ${d.user.role}${!d.member && ' · not a member of this project'}`} />
    <${Chain} verification=${verification} />
    <${Scores} stats=${d.stats} />
    <${Probes} detail=${d} projectId=${params.id} limit=${limit} onMore=${() => setLimit(MOST)}
      brokenAt=${verification.data && verification.data.first_break && verification.data.first_break.seq} />
  </${AdminLayout}>`;
}
