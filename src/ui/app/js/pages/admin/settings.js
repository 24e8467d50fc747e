// A project's name and review settings: the gate timeout, how often its reviewers meet
// decoys and golden tasks (entered as percentages, stored as shares from 0 to 1), and the
// sign-off of its agents' work.

import { html, useState } from '../../lib/html.js';
import { patch } from '../../lib/api.js';
import { Field, SubmitButton, fieldError, formError } from '../../ui/form.js';
import { SignOffFields, ratePercent, rateToSend } from './sign_off.js';
import { toast } from '../../ui/toast.js';
import { timeoutChoices } from './projects.js';

// A share from 0 to 1 as a percentage without float noise ("5", "2.5").
function asPercent(share) {
  return String(Math.round(share * 100000) / 1000);
}

export default function Settings({ project, onChanged }) {
  const [name, setName] = useState(project.name);
  const [timeout, setTimeoutSeconds] = useState(String(project.default_gate_timeout_seconds));
  const [signOff, setSignOff] = useState(project.sign_off || 'off');
  const [rate, setRate] = useState(ratePercent(project.sign_off_rate));
  const [decoys, setDecoys] = useState(asPercent(project.decoy_rate));
  const [golden, setGolden] = useState(asPercent(project.golden_rate));
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
      decoy_rate: Number(decoys) / 100, golden_rate: Number(golden) / 100,
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
  const names = ['name', 'default_gate_timeout_seconds', 'decoy_rate', 'golden_rate', 'sign_off', 'sign_off_rate'];
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
    <${Field} label="Decoys (% of cards)" error=${fieldError(error, 'decoy_rate')}
      hint="Copies of recent cards with one planted error, to check that reviewers stay attentive. 5 is one card in 20; 0 turns them off.">
      ${(id, d) => html`<input id=${id} aria-describedby=${d} type="number" min="0" max="100" step="0.1" required value=${decoys}
        onInput=${(e) => setDecoys(e.target.value)} />`}
    </${Field}>
    <${Field} label="Golden tasks (% of cards)" error=${fieldError(error, 'golden_rate')}
      hint="Resolved golden tasks mixed in even while real work waits, to measure accuracy. At 0 they are shown only when nothing else waits.">
      ${(id, d) => html`<input id=${id} aria-describedby=${d} type="number" min="0" max="100" step="0.1" required value=${golden}
        onInput=${(e) => setGolden(e.target.value)} />`}
    </${Field}>
    <${SignOffFields} policy=${signOff} rate=${rate} onPolicy=${setSignOff} onRate=${setRate} error=${error}
      names=${{ policy: 'sign_off', rate: 'sign_off_rate' }} />
    <div><${SubmitButton} busy=${busy} disabled=${!name.trim()}>Save settings</${SubmitButton}></div>
  </form>`;
}
