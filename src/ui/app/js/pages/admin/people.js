// /admin/people — everyone who can sign in: their role and projects, adding a person
// (with a password shown once), resetting a password, removing; and each project's
// reviewer scores.

import { html, useState } from '../../lib/html.js';
import { del, get, patch, post, put } from '../../lib/api.js';
import { ago, personName } from '../../lib/format.js';
import { useSession } from '../../lib/session.js';
import { SecretValue } from '../../ui/copy.js';
import { Dialog, confirmAction } from '../../ui/dialog.js';
import { Field, SubmitButton, fieldError, formError } from '../../ui/form.js';
import { Icon } from '../../ui/icons.js';
import { PageHeader, useTitle } from '../../ui/layout.js';
import { EmptyState, Loaded, useAsync } from '../../ui/states.js';
import { Badge, DataTable } from '../../ui/table.js';
import { toast } from '../../ui/toast.js';
import { AdminLayout } from './nav.js';
import { ReviewerStats } from './reviewers.js';

const roles = ['reviewer', 'viewer', 'admin', 'owner'];
const roleHints = {
  owner: 'Everything, including other owners.',
  admin: 'Runs the service: projects, keys, people, escalations.',
  reviewer: 'Reviews the projects they are added to.',
  viewer: 'Reads results; never decides.',
};

function PasswordShown({ who, password, onClose }) {
  return html`<${Dialog} open=${!!password} title=${`Password for ${who}`} onClose=${onClose}>
    <div class="stack">
      <p class="notice notice-warning"><${Icon} name="alert" /> Hand it over now: it is shown only this once.</p>
      <${SecretValue} value=${password || ''} label="Password" />
      <div class="dialog-foot"><button type="button" class="btn btn-primary" onClick=${onClose}>Done</button></div>
    </div>
  </${Dialog}>`;
}

function AddPerson({ open, onClose, projects, mayMakeOwners }) {
  const blank = { email: '', display_name: '', role: 'reviewer', password: '', projects: [] };
  const [form, setForm] = useState(blank);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [shown, setShown] = useState(null);
  const set = (key) => (e) => setForm({ ...form, [key]: e.target.value });
  const close = () => { setForm(blank); setError(null); setShown(null); onClose(); };
  const toggle = (id) => setForm({
    ...form, projects: form.projects.includes(id) ? form.projects.filter((p) => p !== id) : [...form.projects, id],
  });
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const user = await post('/users', {
        email: form.email.trim(), role: form.role,
        display_name: form.display_name.trim() || undefined, password: form.password || undefined,
      });
      await Promise.all(form.projects.map((id) => put(`/projects/${id}/reviewers/${user.id}`)));
      toast(`${personName(user)} can now sign in`, 'success');
      if (user.password) setShown({ who: personName(user), password: user.password });
      else close();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  if (shown) return html`<${PasswordShown} who=${shown.who} password=${shown.password} onClose=${close} />`;
  return html`<${Dialog} open=${open} title="Add a person" onClose=${close}>
    <form class="form" onSubmit=${submit}>
      ${formError(error, ['email', 'role', 'password', 'display_name']) && html`<p class="form-error" role="alert">${error.message}</p>`}
      <${Field} label="Email" error=${fieldError(error, 'email')}>
        ${(id, d) => html`<input id=${id} aria-describedby=${d} type="email" required value=${form.email} onInput=${set('email')} autofocus />`}
      </${Field}>
      <${Field} label="Name" hint="Optional; shown instead of the email." error=${fieldError(error, 'display_name')}>
        ${(id, d) => html`<input id=${id} aria-describedby=${d} maxlength="200" value=${form.display_name} onInput=${set('display_name')} />`}
      </${Field}>
      <${Field} label="Role" hint=${roleHints[form.role]} error=${fieldError(error, 'role')}>
        ${(id, d) => html`<select id=${id} aria-describedby=${d} value=${form.role} onChange=${set('role')}>
          ${roles.filter((r) => r !== 'owner' || mayMakeOwners).map((r) => html`<option value=${r}>${r}</option>`)}
        </select>`}
      </${Field}>
      <${Field} label="Password" hint="Leave empty to generate one (shown once)." error=${fieldError(error, 'password')}>
        ${(id, d) => html`<input id=${id} aria-describedby=${d} type="password" autocomplete="new-password" value=${form.password} onInput=${set('password')} />`}
      </${Field}>
      ${form.role === 'reviewer' && projects.length > 0 && html`<fieldset class="checks">
        <legend>Reviews these projects</legend>
        ${projects.map((p) => html`<label key=${p.id} class="check"><input type="checkbox" checked=${form.projects.includes(p.id)}
          onChange=${() => toggle(p.id)} /> ${p.name}</label>`)}
      </fieldset>`}
      <div class="dialog-foot">
        <button type="button" class="btn" onClick=${close}>Cancel</button>
        <${SubmitButton} busy=${busy} disabled=${!form.email.trim()}>Add person</${SubmitButton}>
      </div>
    </form>
  </${Dialog}>`;
}

function Memberships({ user, projects, onClose }) {
  const [chosen, setChosen] = useState(() => new Set(user ? user.project_ids : []));
  const [busy, setBusy] = useState(false);
  if (!user) return null;
  const save = async (event) => {
    event.preventDefault();
    setBusy(true);
    try {
      const before = new Set(user.project_ids);
      await Promise.all([
        ...[...chosen].filter((id) => !before.has(id)).map((id) => put(`/projects/${id}/reviewers/${user.id}`)),
        ...[...before].filter((id) => !chosen.has(id)).map((id) => del(`/projects/${id}/reviewers/${user.id}`)),
      ]);
      toast('Projects updated', 'success');
      onClose();
    } catch (error) {
      toast(error.message, 'error');
    } finally {
      setBusy(false);
    }
  };
  const toggle = (id) => {
    const next = new Set(chosen);
    if (next.has(id)) next.delete(id); else next.add(id);
    setChosen(next);
  };
  return html`<${Dialog} open=${true} title=${`Projects of ${personName(user)}`} onClose=${onClose}>
    <form class="form" onSubmit=${save}>
      <fieldset class="checks">
        <legend>Reviews these projects</legend>
        ${projects.map((p) => html`<label key=${p.id} class="check"><input type="checkbox" checked=${chosen.has(p.id)}
          onChange=${() => toggle(p.id)} /> ${p.name}</label>`)}
      </fieldset>
      <div class="dialog-foot">
        <button type="button" class="btn" onClick=${onClose}>Cancel</button>
        <${SubmitButton} busy=${busy}>Save</${SubmitButton}>
      </div>
    </form>
  </${Dialog}>`;
}

function ScoresByProject({ projects }) {
  const [projectId, setProjectId] = useState('');
  const chosen = projectId || (projects[0] && projects[0].id);
  const scores = useAsync(() => (chosen ? get(`/projects/${chosen}/reviewers`) : Promise.resolve([])), [chosen]);
  return html`<section class="panel">
    <div class="panel-head">
      <h2 class="panel-title">Reviewer scores</h2>
      ${projects.length > 0 && html`<label class="inline-field">Project
        <select value=${chosen} onChange=${(e) => setProjectId(e.target.value)}>
          ${projects.map((p) => html`<option value=${p.id}>${p.name}</option>`)}
        </select></label>`}
    </div>
    <${Loaded} async=${scores}>${(rows) => html`<${ReviewerStats} projectId=${chosen} rows=${rows}
      empty=${html`<p class="muted">${projects.length ? 'Nobody reviews this project yet.' : 'Create a project first.'}</p>`} />`}</${Loaded}>
  </section>`;
}

export default function People() {
  useTitle('People');
  const { user: me } = useSession();
  const people = useAsync(() => get('/users'), []);
  const projects = useAsync(() => get('/projects'), []);
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState(null);
  const [shown, setShown] = useState(null);
  const isOwner = me.role === 'owner';
  const projectName = (id) => ((projects.data || []).find((p) => p.id === id) || {}).name || 'a deleted project';

  const changeRole = async (user, role) => {
    try {
      await patch(`/users/${user.id}`, { role });
      toast(`${personName(user)} is now ${role === 'admin' || role === 'owner' ? 'an' : 'a'} ${role}`, 'success');
    } catch (error) {
      toast(error.message, 'error');
    }
    people.reload();
  };
  const reset = async (user) => {
    const sure = await confirmAction({
      title: `Reset the password of ${personName(user)}?`, confirmLabel: 'Reset password', danger: true,
      body: 'A new password is generated and shown once. They are signed out everywhere until they use it.',
    });
    if (!sure) return;
    try {
      const { password } = await post(`/users/${user.id}/reset-password`);
      setShown({ who: personName(user), password });
    } catch (error) {
      toast(error.message, 'error');
    }
  };
  const remove = async (user) => {
    const sure = await confirmAction({
      title: `Remove ${personName(user)}?`, confirmLabel: 'Remove person', danger: true,
      body: 'They can no longer sign in. Their past reviews stay on the tasks they decided.',
    });
    if (!sure) return;
    try {
      await del(`/users/${user.id}`);
      toast('Person removed', 'success');
      people.reload();
    } catch (error) {
      toast(error.message, 'error');
    }
  };
  const columns = [
    { label: 'Person', render: (u) => html`<div class="person"><strong>${personName(u)}${u.id === me.id ? html` <span class="muted small">(you)</span>` : ''}</strong>
      <span class="muted small">${u.email}</span></div>` },
    { label: 'Role', render: (u) => {
      const locked = u.id === me.id || (u.role === 'owner' && !isOwner);
      return html`<label class="visually-hidden" for=${`role-${u.id}`}>Role of ${personName(u)}</label>
        <select id=${`role-${u.id}`} class="select-small" value=${u.role} disabled=${locked}
          onChange=${(e) => changeRole(u, e.target.value)}>
          ${roles.filter((r) => r !== 'owner' || isOwner || u.role === 'owner').map((r) => html`<option value=${r}>${r}</option>`)}
        </select>`;
    } },
    { label: 'Projects', render: (u) => (u.role === 'owner' || u.role === 'admin'
      ? html`<span class="muted small">all projects</span>`
      : u.role === 'viewer' ? html`<span class="muted small">reads results only</span>`
      : html`<div class="chip-row">${u.project_ids.map((id) => html`<${Badge} kind="neutral" key=${id}>${projectName(id)}</${Badge}>`)}
          <button type="button" class="btn btn-small btn-ghost" onClick=${() => setEditing(u)}>${u.project_ids.length ? 'Edit' : 'Add to a project'}</button></div>`) },
    { label: 'Since', className: 'hide-narrow nowrap', render: (u) => html`<span title=${u.created_at}>${ago(u.created_at)}</span>` },
    { label: '', align: 'end', render: (u) => (u.id === me.id || (u.role === 'owner' && !isOwner) ? null : html`<div class="row-actions">
      <button type="button" class="btn btn-small" onClick=${() => reset(u)}><${Icon} name="key" size=${14} /> Reset password</button>
      <button type="button" class="btn btn-small btn-danger-ghost" onClick=${() => remove(u)} aria-label=${`Remove ${personName(u)}`}><${Icon} name="trash" size=${14} /></button>
    </div>`) },
  ];
  return html`<${AdminLayout}>
    <${PageHeader} title="People" subtitle="Everyone who can sign in, and what they may do."
      actions=${html`<button type="button" class="btn btn-primary" onClick=${() => setAdding(true)}><${Icon} name="plus" /> Add a person</button>`} />
    <${Loaded} async=${people}>${(rows) => html`<${DataTable} caption="People" columns=${columns} rows=${rows}
      empty=${html`<${EmptyState} icon="users" title="Nobody here yet" />`} />`}</${Loaded}>
    ${projects.data && html`<${ScoresByProject} projects=${projects.data} />`}
    <${AddPerson} open=${adding} projects=${projects.data || []} mayMakeOwners=${isOwner}
      onClose=${() => { setAdding(false); people.reload(); }} />
    ${editing && html`<${Memberships} user=${editing} projects=${projects.data || []} onClose=${() => { setEditing(null); people.reload(); }} />`}
    <${PasswordShown} who=${shown && shown.who} password=${shown && shown.password} onClose=${() => setShown(null)} />
  </${AdminLayout}>`;
}
