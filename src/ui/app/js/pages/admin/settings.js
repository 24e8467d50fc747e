// A project's name and review settings.

import { html, useState } from '../../lib/html.js';
import { patch } from '../../lib/api.js';
import { Field, SubmitButton, fieldError, formError } from '../../ui/form.js';
import { toast } from '../../ui/toast.js';
import { timeoutChoices } from './projects.js';

export default function Settings({ project, onChanged }) {
  const [name, setName] = useState(project.name);
  const [timeout, setTimeoutSeconds] = useState(String(project.default_gate_timeout_seconds));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const choices = timeoutChoices.some(([s]) => String(s) === timeout)
    ? timeoutChoices : [...timeoutChoices, [Number(timeout), `${timeout} seconds`]];
  const save = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await patch(`/projects/${project.id}`, { name: name.trim(), default_gate_timeout_seconds: Number(timeout) });
      toast('Settings saved', 'success');
      onChanged();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="panel form form-narrow" onSubmit=${save}>
    <h2 class="panel-title">Settings</h2>
    ${formError(error, ['name', 'default_gate_timeout_seconds']) && html`<p class="form-error" role="alert">${error.message}</p>`}
    <${Field} label="Name" error=${fieldError(error, 'name')}>
      ${(id, d) => html`<input id=${id} aria-describedby=${d} required maxlength="500" value=${name} onInput=${(e) => setName(e.target.value)} />`}
    </${Field}>
    <${Field} label="Gate timeout" error=${fieldError(error, 'default_gate_timeout_seconds')}
      hint="How long a gate task waits for a person when it names no timeout of its own; then its on_timeout applies.">
      ${(id, d) => html`<select id=${id} aria-describedby=${d} value=${timeout} onChange=${(e) => setTimeoutSeconds(e.target.value)}>
        ${choices.map(([seconds, label]) => html`<option value=${String(seconds)}>${label}</option>`)}
      </select>`}
    </${Field}>
    <div><${SubmitButton} busy=${busy} disabled=${!name.trim()}>Save settings</${SubmitButton}></div>
  </form>`;
}
