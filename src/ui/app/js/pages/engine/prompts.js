// /prompts — prompt health: each template with its conditions, its active version, an
// SVG sparkline of its recent versions' review scores, its review counts and whether it
// needs attention; a new template.

import { html, useState } from '../../lib/html.js';
import { get, post } from '../../lib/api.js';
import { navigate } from '../../lib/router.js';
import { count, percent } from '../../lib/format.js';
import { Sparkline } from '../../ui/charts.js';
import { Dialog } from '../../ui/dialog.js';
import { Field, SubmitButton, fieldError, formError, useForm } from '../../ui/form.js';
import { Icon } from '../../ui/icons.js';
import { PageHeader, useTitle } from '../../ui/layout.js';
import { EmptyState, Loaded, useAsync } from '../../ui/states.js';
import { Badge } from '../../ui/table.js';
import { toast } from '../../ui/toast.js';
import { EngineLayout, TYPES, typeWord } from './common.js';

// A template's conditions as short phrases.
export function Conditions({ conditions }) {
  const parts = [];
  const c = conditions || {};
  if (c.type) parts.push(`type is ${c.type}`);
  if (c.signalSource) parts.push(`from ${c.signalSource}`);
  if (c.labels && c.labels.length) parts.push(`labelled ${c.labels.join(', ')}`);
  if (c.projectId) parts.push('in one project');
  if (c.hasFailedSessions !== undefined) parts.push(c.hasFailedSessions ? 'after a failed session' : 'no failed session');
  if (c.hypothesisConfidence !== undefined) parts.push(`confidence ≥ ${c.hypothesisConfidence}`);
  return parts.length ? html`<span class="chip-row">${parts.map((p) => html`<span key=${p} class="badge">${p}</span>`)}</span>`
    : html`<span class="muted small">Any issue</span>`;
}

export const score = (value) => (typeof value === 'number' ? value.toFixed(1) : '—');

function NewTemplate({ open, onClose }) {
  const { form, set, busy, error, submit } = useForm({ slug: '', name: '', type: '', content: '' }, async (form) => {
    const template = (await post('/api/templates', { slug: form.slug, name: form.name, conditions: form.type ? { type: form.type } : {} })).data;
    if (form.content.trim()) {
      await post(`/api/templates/${template.id}/versions`, { content: form.content, changelog: 'First version', authorType: 'human', authorName: 'web app' });
    }
    toast(`Template “${template.name}” created`, 'success');
    onClose();
    navigate(`/prompts/${template.id}`);
  });
  return html`<${Dialog} open=${open} title="New template" onClose=${onClose} wide>
    <form class="form" onSubmit=${submit}>
      ${formError(error, ['slug', 'name', 'content']) && html`<p class="form-error" role="alert">${error.message}</p>`}
      <${Field} label="Name" error=${fieldError(error, 'name')}>${(id) => html`<input id=${id} required value=${form.name} onInput=${set('name')} autofocus />`}</${Field}>
      <${Field} label="Slug" hint="Lowercase words joined by hyphens; it never changes." error=${fieldError(error, 'slug')}>
        ${(id) => html`<input id=${id} required pattern="[a-z0-9]+(-[a-z0-9]+)*" value=${form.slug} onInput=${set('slug')} placeholder="checkout-bugs" />`}</${Field}>
      <${Field} label="For issues of type">${(id) => html`<select id=${id} value=${form.type} onChange=${set('type')}>
        <option value="">Any type</option>${TYPES.map((t) => html`<option value=${t}>${typeWord(t)}</option>`)}</select>`}</${Field}>
      <${Field} label="First version" hint="Handlebars: {{issue.title}}, {{> api_reference}}, …">
        ${(id) => html`<textarea id=${id} class="mono" rows="8" value=${form.content} onInput=${set('content')}></textarea>`}</${Field}>
      <div class="dialog-foot"><button type="button" class="btn" onClick=${onClose}>Cancel</button>
        <${SubmitButton} busy=${busy} disabled=${!form.slug || !form.name}>Create template</${SubmitButton}></div>
    </form>
  </${Dialog}>`;
}

// How people judged the work done with the active version, when they signed any off.
function signedOff(t) {
  return t.activeVersion && (t.signOffByVersion || []).find((v) => v.versionId === t.activeVersion.id);
}

export default function Prompts() {
  useTitle('Prompts');
  const health = useAsync(() => get('/api/dashboard/prompts'), []);
  const [creating, setCreating] = useState(false);
  return html`<${EngineLayout}>
    <${PageHeader} title="Prompts" subtitle="Templates pick themselves by each issue's facts; agents rate every prompt they get."
      actions=${html`<button type="button" class="btn btn-primary" onClick=${() => setCreating(true)}><${Icon} name="plus" /> New template</button>`} />
    <${Loaded} async=${health}>${(r) => (r.data.length ? html`<div class="card-grid">${r.data.map((t) => {
      const versions = [...t.recentVersions].sort((a, b) => a.version - b.version);
      return html`<a key=${t.template.id} class="panel prompt-card" href=${`/prompts/${t.template.id}`}>
        <div class="panel-head"><h2 class="panel-title">${t.template.name}</h2>
          ${t.needsAttention ? html`<${Badge} kind="warning">needs attention</${Badge}>` : t.activeVersion && html`<${Badge} kind="success">v${t.activeVersion.version} active</${Badge}>`}</div>
        <code class="small">${t.template.slug}</code>
        <${Conditions} conditions=${t.template.conditions} />
        <div class="panel-head">
          <${Sparkline} values=${versions.map((v) => v.reviewScore)} label=${`Review score by version: ${versions.map((v) => `v${v.version} ${score(v.reviewScore)}`).join(', ')}`} />
          <span class="numbers"><span><strong>${score(t.reviewSummary.compositeScore)}</strong> score</span>
            <span><strong>${count(t.reviewSummary.totalReviews)}</strong> reviews</span>
            <span><strong>${t.activeVersion ? count(t.activeVersion.usageCount) : 0}</strong> uses</span>
            ${signedOff(t) && html`<span><strong>${percent(signedOff(t).approvalRate)}</strong> signed off</span>`}</span>
        </div>
      </a>`;
    })}</div>` : html`<${EmptyState} icon="mark" title="No templates">Create one to shape the prompts agents get.</${EmptyState}>`)}</${Loaded}>
    <${NewTemplate} open=${creating} onClose=${() => { setCreating(false); health.reload(); }} />
  </${EngineLayout}>`;
}
