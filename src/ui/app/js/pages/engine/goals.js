// /goals — measurable targets with a progress bar (current of target, in their unit),
// their deadline and project; create and edit them.

import { html, useState } from '../../lib/html.js';
import { patch, post } from '../../lib/api.js';
import { Progress } from '../../ui/charts.js';
import { Dialog } from '../../ui/dialog.js';
import { Field, SubmitButton, fieldError, formError, useForm } from '../../ui/form.js';
import { Icon } from '../../ui/icons.js';
import { PageHeader, useTitle } from '../../ui/layout.js';
import { EmptyState, Loaded, useAsync } from '../../ui/states.js';
import { Badge } from '../../ui/table.js';
import { toast } from '../../ui/toast.js';
import { EngineLayout, getAll } from './common.js';

const GOAL_STATUSES = { active: 'info', achieved: 'success', abandoned: 'neutral' };
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

function Deadline({ date, status }) {
  if (!date) return null;
  const days = Math.round((Date.parse(`${date}T00:00:00Z`) - Date.now()) / 86400000);
  const late = days < 0 && status === 'active';
  const when = days === 0 ? 'today' : days > 0 ? `in ${days} day${days === 1 ? '' : 's'}` : `${-days} day${days === -1 ? '' : 's'} ago`;
  return html`<span class=${late ? 'text-danger' : ''}>Due ${dateFormat.format(new Date(`${date}T00:00:00Z`))} (${when})</span>`;
}

function GoalDialog({ goal, projects, onClose }) {
  const text = (v) => (v === null || v === undefined ? '' : String(v));
  const { form, set, busy, error, submit } = useForm({
    title: text(goal && goal.title), description: text(goal && goal.description), metric: text(goal && goal.metric),
    unit: text(goal && goal.unit), currentValue: text(goal && goal.currentValue), targetValue: text(goal && goal.targetValue),
    status: goal ? goal.status : 'active', projectId: text(goal && goal.projectId), deadline: text(goal && goal.deadline),
  }, async (form) => {
    const orNull = (v) => (v.trim() === '' ? null : v.trim());
    const num = (v) => (v.trim() === '' ? null : Number(v));
    const body = {
      title: form.title.trim(), description: orNull(form.description), metric: orNull(form.metric), unit: orNull(form.unit),
      currentValue: num(form.currentValue), targetValue: num(form.targetValue), status: form.status,
      projectId: orNull(form.projectId), deadline: orNull(form.deadline),
    };
    if (!goal) for (const key of Object.keys(body)) if (body[key] === null) delete body[key];
    if (goal) await patch(`/api/goals/${goal.id}`, body);
    else await post('/api/goals', body);
    toast(goal ? 'Goal saved' : 'Goal created', 'success');
    onClose(true);
  });
  const names = ['title', 'description', 'metric', 'unit', 'currentValue', 'targetValue', 'deadline'];
  return html`<${Dialog} open=${true} title=${goal ? 'Edit goal' : 'New goal'} onClose=${() => onClose(false)}>
    <form class="form" onSubmit=${submit}>
      ${formError(error, names) && html`<p class="form-error" role="alert">${error.message}</p>`}
      <${Field} label="Goal" error=${fieldError(error, 'title')}>${(id) => html`<input id=${id} required maxlength="500" value=${form.title} autofocus
        placeholder="Checkout conversion above 3.5%" onInput=${set('title')} />`}</${Field}>
      <${Field} label="Metric" error=${fieldError(error, 'metric')}>${(id) => html`<input id=${id} value=${form.metric} placeholder="checkout_conversion" onInput=${set('metric')} />`}</${Field}>
      <div class="filters">
        <label class="inline-field">Now <input type="number" step="any" class="select-small" value=${form.currentValue} onInput=${set('currentValue')} /></label>
        <label class="inline-field">Target <input type="number" step="any" class="select-small" value=${form.targetValue} onInput=${set('targetValue')} /></label>
        <label class="inline-field">Unit <input class="select-small" value=${form.unit} placeholder="%" onInput=${set('unit')} /></label>
      </div>
      <div class="filters">
        <label class="inline-field">Deadline <input type="date" class="select-small" value=${form.deadline} onInput=${set('deadline')} /></label>
        <label class="inline-field">Status <select value=${form.status} onChange=${set('status')}>${Object.keys(GOAL_STATUSES).map((s) => html`<option value=${s}>${s}</option>`)}</select></label>
        <label class="inline-field">Project <select value=${form.projectId} onChange=${set('projectId')}><option value="">None</option>
          ${projects.map((p) => html`<option value=${p.id}>${p.name}</option>`)}</select></label>
      </div>
      ${['currentValue', 'targetValue', 'deadline'].map((n) => fieldError(error, n) && html`<p class="field-error">${fieldError(error, n)}</p>`)}
      <${Field} label="Description" error=${fieldError(error, 'description')}>${(id) => html`<textarea id=${id} rows="2" value=${form.description} onInput=${set('description')}></textarea>`}</${Field}>
      <div class="dialog-foot"><button type="button" class="btn" onClick=${() => onClose(false)}>Cancel</button>
        <${SubmitButton} busy=${busy} disabled=${!form.title.trim()}>${goal ? 'Save' : 'Create goal'}</${SubmitButton}></div>
    </form>
  </${Dialog}>`;
}

export default function Goals() {
  useTitle('Goals');
  const data = useAsync(() => Promise.all([getAll('/api/goals'), getAll('/api/projects')]), []);
  const [editing, setEditing] = useState(null);
  return html`<${EngineLayout}>
    <${PageHeader} title="Goals" subtitle="What the work is for. An active goal gives its project's issues 20 points in the queue."
      actions=${html`<button type="button" class="btn btn-primary" onClick=${() => setEditing('new')}><${Icon} name="plus" /> New goal</button>`} />
    <${Loaded} async=${data}>${([goals, projects]) => (goals.length ? html`<div class="card-grid">${goals.map((g) => {
      const project = projects.find((p) => p.id === g.projectId);
      const measured = typeof g.targetValue === 'number' && typeof g.currentValue === 'number';
      return html`<section key=${g.id} class="panel goal-card">
        <div class="panel-head"><h2 class="panel-title">${g.title}</h2><${Badge} kind=${GOAL_STATUSES[g.status] || 'neutral'}>${g.status}</${Badge}></div>
        ${g.description && html`<p class="muted small">${g.description}</p>`}
        ${measured ? html`<${Progress} value=${g.currentValue} max=${g.targetValue} label=${`${g.title}: ${g.currentValue} of ${g.targetValue}`} />
          <span class="numbers"><span><strong>${g.currentValue}${g.unit ? ` ${g.unit}` : ''}</strong> of ${g.targetValue}${g.unit ? ` ${g.unit}` : ''}</span>
            ${g.metric && html`<code>${g.metric}</code>`}</span>` : html`<span class="muted small">No target set</span>`}
        <span class="numbers"><${Deadline} date=${g.deadline} status=${g.status} />${project && html`<a href=${`/issues?projectId=${project.id}`}>${project.name}</a>`}</span>
        <div><button type="button" class="btn btn-small btn-ghost" onClick=${() => setEditing(g)}><${Icon} name="mark" size=${14} /> Edit</button></div>
      </section>`;
    })}</div>` : html`<${EmptyState} icon="flag" title="No goals yet"
        action=${html`<button type="button" class="btn btn-primary" onClick=${() => setEditing('new')}><${Icon} name="plus" /> New goal</button>`}>
        Set a measurable target, such as a conversion rate or an error budget, and link it to a project.</${EmptyState}>`)}
    </${Loaded}>
    ${editing && html`<${GoalDialog} goal=${editing === 'new' ? null : editing} projects=${data.data ? data.data[1] : []}
      onClose=${(changed) => { setEditing(null); if (changed) data.reload(); }} />`}
  </${EngineLayout}>`;
}
