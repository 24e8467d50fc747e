// The dialog that creates an issue (from the issues page with C, the overview, or an
// issue's "Add child"), and the picker that finds an issue by its title.

import { html, useEffect, useState } from '../../lib/html.js';
import { get, post } from '../../lib/api.js';
import { navigate } from '../../lib/router.js';
import { Dialog } from '../../ui/dialog.js';
import { Field, SubmitButton, fieldError, formError } from '../../ui/form.js';
import { toast } from '../../ui/toast.js';
import { PRIORITIES, STATUSES, TYPES, priorityWord, statusWord, typeWord } from './common.js';

// The FTS5 query for what a person typed: each word quoted (so punctuation is taken
// literally), the last one a prefix, all of them required.
export function searchQuery(text) {
  const words = text.trim().split(/\s+/).filter(Boolean).map((w) => `"${w.replace(/"/g, '""')}"`);
  if (words.length) words[words.length - 1] += '*';
  return words.join(' ');
}

// A text field that finds issues by title and calls `onPick(issue)`.
export function IssuePicker({ onPick, exclude = [], placeholder = 'Find an issue by title…', id }) {
  const [text, setText] = useState('');
  const [found, setFound] = useState([]);
  useEffect(() => {
    if (!text.trim()) { setFound([]); return undefined; }
    const timer = setTimeout(() => {
      get(`/api/issues?q=${encodeURIComponent(searchQuery(text))}&limit=8`)
        .then((r) => setFound(r.data.filter((i) => !exclude.includes(i.id))), () => setFound([]));
    }, 150);
    return () => clearTimeout(timer);
  }, [text]);
  return html`<div class="issue-picker">
    <input id=${id} type="search" value=${text} placeholder=${placeholder} autocomplete="off"
      onInput=${(e) => setText(e.target.value)} />
    ${found.length > 0 && html`<ul class="picker-results" role="listbox">
      ${found.map((i) => html`<li key=${i.id}><button type="button" role="option"
        onClick=${() => { setText(''); setFound([]); onPick(i); }}><span class="issue-number">#${i.number}</span> ${i.title}</button></li>`)}
    </ul>`}
  </div>`;
}

export function NewIssue({ open, onClose, parent, projects = [] }) {
  const blank = { title: '', description: '', type: 'task', status: 'todo', priority: 3, projectId: parent ? parent.projectId || '' : '' };
  const [form, setForm] = useState(blank);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const set = (key) => (event) => setForm({ ...form, [key]: event.target.value });
  const close = () => { setForm(blank); setError(null); onClose(); };
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = { ...form, priority: Number(form.priority), projectId: form.projectId || undefined };
      if (parent) body.parentId = parent.id;
      if (!body.description) delete body.description;
      const created = (await post('/api/issues', body)).data;
      toast(`#${created.number} created`, 'success');
      close();
      navigate(`/issues/${created.number}`);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const fields = ['title', 'description', 'type', 'status', 'priority', 'projectId'];
  return html`<${Dialog} open=${open} title=${parent ? `New child of #${parent.number}` : 'New issue'} onClose=${close} wide>
    <form class="form" onSubmit=${submit}>
      ${formError(error, fields) && html`<p class="form-error" role="alert">${error.message}</p>`}
      <${Field} label="Title" error=${fieldError(error, 'title')}>
        ${(id, d) => html`<input id=${id} aria-describedby=${d} required maxlength="500" value=${form.title} autofocus
          placeholder="Checkout fails for EU cards" onInput=${set('title')} />`}
      </${Field}>
      <${Field} label="Description" hint="Markdown: **bold**, \`code\`, lists, links." error=${fieldError(error, 'description')}>
        ${(id, d) => html`<textarea id=${id} aria-describedby=${d} rows="5" value=${form.description} onInput=${set('description')}></textarea>`}
      </${Field}>
      <div class="filters">
        <label class="inline-field">Type <select value=${form.type} onChange=${set('type')}>${TYPES.map((t) => html`<option value=${t}>${typeWord(t)}</option>`)}</select></label>
        <label class="inline-field">Status <select value=${form.status} onChange=${set('status')}>${STATUSES.map((s) => html`<option value=${s}>${statusWord(s)}</option>`)}</select></label>
        <label class="inline-field">Priority <select value=${form.priority} onChange=${set('priority')}>${PRIORITIES.map((p) => html`<option value=${p}>${priorityWord(p)}</option>`)}</select></label>
        ${projects.length > 0 && html`<label class="inline-field">Project <select value=${form.projectId} onChange=${set('projectId')}>
          <option value="">None</option>${projects.map((p) => html`<option value=${p.id}>${p.name}</option>`)}</select></label>`}
      </div>
      <div class="dialog-foot">
        <button type="button" class="btn" onClick=${close}>Cancel</button>
        <${SubmitButton} busy=${busy} disabled=${!form.title.trim()}>Create issue</${SubmitButton}>
      </div>
    </form>
  </${Dialog}>`;
}
