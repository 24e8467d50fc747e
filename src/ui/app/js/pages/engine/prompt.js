// /prompts/{id} — one template: its conditions and versions; a version's content and
// its diff against the previous one; a new version, promoting one; the health of each
// version (a sparkline of its score after each review) and the reviews themselves; and
// the prompt this server would render for any issue.

import { cx, html, useState } from '../../lib/html.js';
import { get, post } from '../../lib/api.js';
import { lineDiff } from '../../lib/diff.js';
import { ago, count, percent } from '../../lib/format.js';
import { Sparkline } from '../../ui/charts.js';
import { CopyButton } from '../../ui/copy.js';
import { Dialog } from '../../ui/dialog.js';
import { Field, Segmented, SubmitButton, fieldError } from '../../ui/form.js';
import { Icon } from '../../ui/icons.js';
import { PageHeader, useTitle } from '../../ui/layout.js';
import { ErrorState, Skeleton, useAsync } from '../../ui/states.js';
import { Badge, DataTable } from '../../ui/table.js';
import { toast } from '../../ui/toast.js';
import { EngineLayout, IssueLink } from './common.js';
import { IssuePicker } from './new_issue.js';
import { Conditions, score } from './prompts.js';

// A version's score after each of its reviews, oldest first, as the server keeps it:
// the first review's composite, then 0.3 × composite + 0.7 × the previous score.
function scoreHistory(reviews) {
  let current = null;
  return reviews.map((r) => {
    const composite = (r.clarity + r.completeness + r.relevance) / 3;
    current = current === null ? composite : 0.3 * composite + 0.7 * current;
    return current;
  });
}

function NewVersion({ template, from, open, onClose }) {
  const [content, setContent] = useState(from ? from.content : '');
  const [changelog, setChangelog] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const version = (await post(`/api/templates/${template.id}/versions`, { content, changelog: changelog || undefined, authorType: 'human', authorName: 'web app' })).data;
      toast(`Version ${version.version} saved${version.status === 'active' ? ' and active' : ' as a draft'}`, 'success');
      onClose(version);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return html`<${Dialog} open=${open} title=${`New version of ${template.name}`} onClose=${() => onClose(null)} wide>
    <form class="form" onSubmit=${submit}>
      ${error && !['content', 'changelog'].includes(error.field) && html`<p class="form-error" role="alert">${error.message}</p>`}
      <${Field} label="Content" hint="Handlebars. It starts as a draft: promote it to make it the one agents get." error=${fieldError(error, 'content')}>
        ${(id) => html`<textarea id=${id} class="mono" rows="14" value=${content} onInput=${(e) => setContent(e.target.value)}></textarea>`}</${Field}>
      <${Field} label="What changed" error=${fieldError(error, 'changelog')}>
        ${(id) => html`<input id=${id} value=${changelog} placeholder="Ask for a failing test first" onInput=${(e) => setChangelog(e.target.value)} />`}</${Field}>
      <div class="dialog-foot"><button type="button" class="btn" onClick=${() => onClose(null)}>Cancel</button>
        <${SubmitButton} busy=${busy} disabled=${!content.trim()}>Save version</${SubmitButton}></div>
    </form>
  </${Dialog}>`;
}

function Diff({ before, after }) {
  return html`<pre class="diff" aria-label="Changes">${lineDiff(before, after).map((line, i) => html`<div key=${i}
    class=${line.kind === 'same' ? '' : `diff-${line.kind}`}>${line.text || ' '}</div>`)}</pre>`;
}

function Preview({ template }) {
  const [issue, setIssue] = useState(null);
  const preview = useAsync(() => (issue ? get(`/api/templates/preview/${issue.id}`) : Promise.resolve(null)), [issue && issue.id]);
  const p = preview.data;
  return html`<section class="panel" aria-label="Preview">
    <div class="panel-head"><h2 class="panel-title">Preview for an issue</h2></div>
    <${IssuePicker} placeholder="Find an issue to render the prompt for…" onPick=${setIssue} />
    ${issue && html`<p class="small">For <${IssueLink} issue=${issue} /></p>`}
    ${issue && p === undefined && !preview.error && html`<${Skeleton} lines=${4} />`}
    ${preview.error && html`<${ErrorState} title="The prompt could not be rendered" error=${preview.error} retry=${preview.reload} />`}
    ${p && !p.prompt && html`<p class="muted">${p.message || 'No template applies to this issue.'}</p>`}
    ${p && p.prompt && html`<div class="stack">
      ${p.template.id !== template.id && html`<p class="notice notice-warning"><${Icon} name="alert" /> This issue gets
        <a href=${`/prompts/${p.template.id}`}>${p.template.name}</a>, not this template.</p>`}
      <div class="panel-head"><span class="small muted">${p.template.slug} · v${p.version.version}. Agents see their own key where this shows <code>$LOOP_API_KEY</code>.</span>
        <${CopyButton} text=${p.prompt} className="btn btn-small" /></div>
      <pre class="code prompt-text" aria-label="Rendered prompt">${p.prompt}</pre>
    </div>`}
  </section>`;
}

async function loadTemplate(id) {
  const [template, versions, reviews, health] = await Promise.all([
    get(`/api/templates/${id}`), get(`/api/templates/${id}/versions?limit=200`), get(`/api/templates/${id}/reviews?limit=200`),
    get('/api/dashboard/prompts'),
  ]);
  const mine = health.data.find((t) => t.template.id === id);
  return { template: template.data, versions: versions.data, reviews: reviews.data, signOff: mine ? mine.signOffByVersion || [] : [] };
}

export default function Prompt({ params }) {
  const loaded = useAsync(() => loadTemplate(params.id), [params.id]);
  const [selectedId, setSelected] = useState(null);
  const [view, setView] = useState('content');
  const [drafting, setDrafting] = useState(false);
  const [busy, setBusy] = useState(false);
  useTitle(loaded.data ? loaded.data.template.name : 'Template');
  const back = { href: '/prompts', label: 'Prompts' };
  if (!loaded.data) {
    return html`<${EngineLayout}>${loaded.error ? html`<${PageHeader} title="Template" back=${back} />
      <${ErrorState} title="This template could not load" error=${loaded.error} retry=${loaded.reload} />` : html`<${Skeleton} lines=${8} />`}</${EngineLayout}>`;
  }
  const { template, versions, reviews, signOff } = loaded.data;
  const selected = versions.find((v) => v.id === selectedId) || versions.find((v) => v.status === 'active') || versions[0];
  const previous = selected && versions.find((v) => v.version === selected.version - 1);
  const signedOff = selected && signOff.find((v) => v.versionId === selected.id);
  const versionReviews = selected ? reviews.filter((r) => r.versionId === selected.id).reverse() : [];
  const promote = async () => {
    setBusy(true);
    try {
      await post(`/api/templates/${template.id}/versions/${selected.id}/promote`);
      toast(`Version ${selected.version} is now active`, 'success');
      loaded.reload();
    } catch (error) {
      toast(error.message, 'error');
    } finally {
      setBusy(false);
    }
  };
  const number = (id) => (versions.find((v) => v.id === id) || {}).version;
  const reviewColumns = [
    { label: 'Version', render: (r) => `v${number(r.versionId) ?? '?'}` },
    { label: 'By', render: (r) => (r.authorType === 'human' ? 'a person' : 'an agent') },
    { label: 'Clarity', align: 'end', render: (r) => r.clarity },
    { label: 'Complete', align: 'end', render: (r) => r.completeness },
    { label: 'Relevant', align: 'end', render: (r) => r.relevance },
    { label: 'Feedback', render: (r) => r.feedback || html`<span class="muted">—</span>` },
    { label: 'When', className: 'hide-narrow', render: (r) => html`<span class="nowrap" title=${r.createdAt}>${ago(r.createdAt)}</span>` },
  ];
  return html`<${EngineLayout}>
    <${PageHeader} back=${back} title=${template.name}
      subtitle=${html`<span class="issue-meta-row"><code>${template.slug}</code> <${Conditions} conditions=${template.conditions} />
        <span class="muted small">specificity ${template.specificity}</span></span>`}
      actions=${html`<button type="button" class="btn btn-primary" onClick=${() => setDrafting(true)}><${Icon} name="plus" /> New version</button>`} />
    ${template.description && html`<p class="muted">${template.description}</p>`}
    <div class="detail-grid">
      <div class="stack">
        ${selected ? html`<section class="panel" aria-label="Version">
          <div class="panel-head">
            <h2 class="panel-title">Version ${selected.version}
              ${' '}<${Badge} kind=${selected.status === 'active' ? 'success' : selected.status === 'draft' ? 'info' : 'neutral'}>${selected.status}</${Badge}></h2>
            <div class="panel-actions">
              ${previous && html`<${Segmented} label="Show" options=${['content', 'changes']} value=${view} onChange=${setView} />`}
              ${selected.status !== 'active' && html`<button type="button" class="btn btn-small btn-primary" disabled=${busy} onClick=${promote}>
                <${Icon} name="arrowUp" size=${14} /> Promote</button>`}
            </div>
          </div>
          ${selected.changelog && html`<p class="small muted">${selected.changelog} · by ${selected.authorName} (${selected.authorType}) · ${ago(selected.createdAt)}</p>`}
          ${view === 'changes' && previous ? html`<${Diff} before=${previous.content} after=${selected.content} />`
            : html`<pre class="code prompt-text" aria-label="Content">${selected.content}</pre>`}
        </section>` : html`<p class="muted panel">No versions yet: write the first one.</p>`}
        <${Preview} template=${template} />
      </div>
      <aside class="stack">
        <section class="panel" aria-label="Versions">
          <h2 class="panel-title">Versions</h2>
          <ul class="template-versions">${versions.map((v) => html`<li key=${v.id}>
            <button type="button" class=${cx('version-item', selected && v.id === selected.id && 'active')} onClick=${() => { setSelected(v.id); setView('content'); }}>
              <strong>v${v.version}</strong><span class="grow small muted">${v.status}</span>
              <span class="small">${score(v.reviewScore)}</span></button></li>`)}</ul>
        </section>
        ${selected && html`<section class="panel prompt-health" aria-label="Health">
          <h2 class="panel-title">Health of v${selected.version}</h2>
          <${Sparkline} values=${scoreHistory(versionReviews)} width=${240} height=${48}
            label=${`Score after each review of version ${selected.version}`} />
          <div class="numbers"><span><strong>${score(selected.reviewScore)}</strong> score</span>
            <span><strong>${count(versionReviews.length)}</strong> reviews</span>
            <span><strong>${count(selected.usageCount)}</strong> uses</span>
            <span><strong>${percent(selected.completionRate)}</strong> completed</span>
            ${signedOff && html`<span title=${`${signedOff.approved} approved, ${signedOff.flagged} flagged by people`}>
              <strong>${percent(signedOff.approvalRate)}</strong> signed off</span>`}</div>
        </section>`}
      </aside>
    </div>
    <section class="panel">
      <h2 class="panel-title">Reviews</h2>
      <${DataTable} caption="Reviews" columns=${reviewColumns} rows=${reviews}
        empty=${html`<p class="muted">No reviews yet: agents rate a prompt with POST /api/prompt-reviews after their work.</p>`} />
    </section>
    ${drafting && html`<${NewVersion} template=${template} from=${selected} open=${drafting}
      onClose=${(version) => { setDrafting(false); if (version) { setSelected(version.id); loaded.reload(); } }} />`}
  </${EngineLayout}>`;
}
