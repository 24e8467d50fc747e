// /projects — the engine's projects with their issues counted by status, their goal,
// health and sign-off policy; create and edit them. (Their other review settings live
// under Admin.)

import { html, useState } from '../../lib/html.js';
import { get, patch, post } from '../../lib/api.js';
import { count, percent } from '../../lib/format.js';
import { Progress, StackedBar } from '../../ui/charts.js';
import { Dialog } from '../../ui/dialog.js';
import { Field, SubmitButton, fieldError, formError, useForm } from '../../ui/form.js';
import { Icon } from '../../ui/icons.js';
import { PageHeader, useTitle } from '../../ui/layout.js';
import { EmptyState, Loaded, useAsync } from '../../ui/states.js';
import { Badge } from '../../ui/table.js';
import { toast } from '../../ui/toast.js';
import { EngineLayout, STATUSES, getAll, statusWord } from './common.js';
import { SignOffFields, ratePercent, rateToSend } from '../admin/sign_off.js';

const PROJECT_STATUSES = ['backlog', 'planned', 'active', 'paused', 'completed', 'canceled'];
const HEALTH = { on_track: ['On track', 'success'], at_risk: ['At risk', 'warning'], off_track: ['Off track', 'danger'] };
const words = (s) => s.charAt(0).toUpperCase() + s.slice(1).replace('_', ' ');

// The project's sign-off policy in a few words (nothing when agents sign off their own work).
function signOffWord(project) {
  if (project.signOff === 'required') return 'Sign-off required';
  if (project.signOff === 'sampled') return `Sign-off for ${percent(project.signOffRate)} of issues`;
  return null;
}

function ProjectDialog({ project, goals, onClose }) {
  const { form, setForm, set, busy, error, submit } = useForm({
    name: project ? project.name : '', description: project ? project.description || '' : '',
    status: project ? project.status : 'active', health: project ? project.health : 'on_track', goalId: project ? project.goalId || '' : '',
    signOff: project ? project.signOff || 'off' : 'off', signOffRate: project ? ratePercent(project.signOffRate) : '',
  }, async (form) => {
    const body = {
      ...form, goalId: form.goalId || (project ? null : undefined), signOffRate: rateToSend(form.signOff, form.signOffRate),
    };
    if (project) await patch(`/api/projects/${project.id}`, body);
    else await post('/api/projects', body);
    toast(project ? 'Project saved' : `Project “${form.name}” created`, 'success');
    onClose(true);
  });
  return html`<${Dialog} open=${true} title=${project ? `Edit ${project.name}` : 'New project'} onClose=${() => onClose(false)}>
    <form class="form" onSubmit=${submit}>
      ${formError(error, ['name', 'description', 'signOff', 'signOffRate']) && html`<p class="form-error" role="alert">${error.message}</p>`}
      <${Field} label="Name" error=${fieldError(error, 'name')}>${(id) => html`<input id=${id} required maxlength="500" value=${form.name} autofocus onInput=${set('name')} />`}</${Field}>
      <${Field} label="Description" error=${fieldError(error, 'description')}>${(id) => html`<textarea id=${id} rows="3" value=${form.description} onInput=${set('description')}></textarea>`}</${Field}>
      <div class="filters">
        <label class="inline-field">Status <select value=${form.status} onChange=${set('status')}>${PROJECT_STATUSES.map((s) => html`<option value=${s}>${words(s)}</option>`)}</select></label>
        <label class="inline-field">Health <select value=${form.health} onChange=${set('health')}>${Object.entries(HEALTH).map(([k, [w]]) => html`<option value=${k}>${w}</option>`)}</select></label>
        <label class="inline-field">Goal <select value=${form.goalId} onChange=${set('goalId')}><option value="">None</option>${goals.map((g) => html`<option value=${g.id}>${g.title}</option>`)}</select></label>
      </div>
      <${SignOffFields} policy=${form.signOff} rate=${form.signOffRate} error=${error} names=${{ policy: 'signOff', rate: 'signOffRate' }}
        onPolicy=${(signOff) => setForm({ ...form, signOff })} onRate=${(signOffRate) => setForm({ ...form, signOffRate })} />
      <div class="dialog-foot"><button type="button" class="btn" onClick=${() => onClose(false)}>Cancel</button>
        <${SubmitButton} busy=${busy} disabled=${!form.name.trim()}>${project ? 'Save' : 'Create project'}</${SubmitButton}></div>
    </form>
  </${Dialog}>`;
}

async function loadProjects() {
  const [projects, goals] = await Promise.all([getAll('/api/projects'), getAll('/api/goals')]);
  const details = await Promise.all(projects.map((p) => get(`/api/projects/${p.id}`).then((r) => r.data)));
  return { projects: details, goals };
}

export default function Projects() {
  useTitle('Projects');
  const data = useAsync(loadProjects, []);
  const [editing, setEditing] = useState(null);
  return html`<${EngineLayout}>
    <${PageHeader} title="Projects" subtitle="Issues and goals grouped by product area. Each project also has review settings under Admin."
      actions=${html`<button type="button" class="btn btn-primary" onClick=${() => setEditing('new')}><${Icon} name="plus" /> New project</button>`} />
    <${Loaded} async=${data}>${({ projects, goals }) => (projects.length ? html`<div class="card-grid">${projects.map((p) => {
      const counts = p.issueCounts || {};
      const total = Object.values(counts).reduce((n, c) => n + c, 0);
      const [healthWord, healthKind] = HEALTH[p.health] || [p.health, 'neutral'];
      return html`<section key=${p.id} class="panel">
        <div class="panel-head"><h2 class="panel-title">${p.name}</h2><${Badge} kind=${healthKind}>${healthWord}</${Badge}></div>
        ${p.description && html`<p class="muted small">${p.description}</p>`}
        <span class="numbers"><span><strong>${words(p.status)}</strong></span>${p.goal && html`<span>Goal <a href="/goals">${p.goal.title}</a></span>`}
          ${signOffWord(p) && html`<span>${signOffWord(p)}</span>`}</span>
        ${p.goal && typeof p.goal.targetValue === 'number' && html`<span class="goal-line">
          <${Progress} value=${p.goal.currentValue || 0} max=${p.goal.targetValue} label=${`${p.goal.title}: progress`} />
          <span class="small muted nowrap">${p.goal.currentValue ?? 0} of ${p.goal.targetValue}${p.goal.unit ? ` ${p.goal.unit}` : ''}</span></span>`}
        ${total > 0 && html`<${StackedBar} segments=${STATUSES.map((s) => ({ label: statusWord(s), value: counts[s] || 0, kind: s }))} label=${`${total} issues by status`} />`}
        <span class="numbers">${STATUSES.filter((s) => counts[s]).map((s) => html`<span key=${s}><strong>${counts[s]}</strong> ${statusWord(s).toLowerCase()}</span>`)}
          ${!total && html`<span>No issues yet</span>`}</span>
        <div class="row-actions wrap">
          <a class="btn btn-small" href=${`/issues?projectId=${p.id}`}>${count(total)} issues</a>
          <button type="button" class="btn btn-small btn-ghost" onClick=${() => setEditing(p)}><${Icon} name="mark" size=${14} /> Edit</button>
          <a class="btn btn-small btn-ghost" href=${`/admin/projects/${p.id}`}>Review settings</a>
        </div>
      </section>`;
    })}</div>` : html`<${EmptyState} icon="folder" title="No projects yet"
        action=${html`<button type="button" class="btn btn-primary" onClick=${() => setEditing('new')}><${Icon} name="plus" /> New project</button>`}>
        A project groups issues and goals; a goal that is active gives its project's issues a head start in the queue.</${EmptyState}>`)}
    </${Loaded}>
    ${editing && html`<${ProjectDialog} project=${editing === 'new' ? null : editing} goals=${data.data ? data.data.goals : []}
      onClose=${(changed) => { setEditing(null); if (changed) data.reload(); }} />`}
  </${EngineLayout}>`;
}
