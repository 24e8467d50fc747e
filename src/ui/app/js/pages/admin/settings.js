// A project's name and review settings, the sign-off of its agents' work included.

import { html, useState } from '../../lib/html.js';
import { patch } from '../../lib/api.js';
import { Field, SubmitButton, fieldError, formError } from '../../ui/form.js';
import { SignOffFields, ratePercent, rateToSend } from './sign_off.js';
import { toast } from '../../ui/toast.js';
import { timeoutChoices } from './projects.js';

export default function Settings({ project, onChanged }) {
  const [name, setName] = useState(project.name);
  const [timeout, setTimeoutSeconds] = useState(String(project.default_gate_timeout_seconds));
  const [signOff, setSignOff] = useState(project.sign_off || 'off');
  const [rate, setRate] = useState(ratePercent(project.sign_off_rate));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const choices = timeoutChoices.some(([s]) => String(s) === timeout)
    ? timeoutChoices : [...timeoutChoices, [Number(timeout), `${timeout} seconds`]];
  const save = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const body = {
      name: name.trim(), default_gate_timeout_seconds: Number(timeout),
      sign_off: signOff, sign_off_rate: rateToSend(signOff, rate),
    };
    try {
      await patch(`/projects/${project.id}`, body);
      toast('Settings saved', 'success');
      onChanged();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const names = ['name', 'default_gate_timeout_seconds', 'sign_off', 'sign_off_rate'];
  return html`<form class="panel form form-narrow" onSubmit=${save}>
    <h2 class="panel-title">Settings</h2>
    ${formError(error, names) && html`<p class="form-error" role="alert">${error.message}</p>`}
    <${Field} label="Name" error=${fieldError(error, 'name')}>
      ${(id, d) => html`<input id=${id} aria-describedby=${d} required maxlength="500" value=${name} onInput=${(e) => setName(e.target.value)} />`}
    </${Field}>
    <${Field} label="Gate timeout" error=${fieldError(error, 'default_gate_timeout_seconds')}
      hint="How long a gate task waits for a person when it names no timeout of its own; then its on_timeout applies.">
      ${(id, d) => html`<select id=${id} aria-describedby=${d} value=${timeout} onChange=${(e) => setTimeoutSeconds(e.target.value)}>
        ${choices.map(([seconds, label]) => html`<option value=${String(seconds)}>${label}</option>`)}
      </select>`}
    </${Field}>
    <${SignOffFields} policy=${signOff} rate=${rate} onPolicy=${setSignOff} onRate=${setRate} error=${error}
      names=${{ policy: 'sign_off', rate: 'sign_off_rate' }} />
    <div><${SubmitButton} busy=${busy} disabled=${!name.trim()}>Save settings</${SubmitButton}></div>
  </form>`;
}
