// Form pieces: a labelled field with its hint and error, a submit button that shows it is
// working, and the state every dialog's form keeps.

import { cx, html, useId, useState } from '../lib/html.js';
import { Spinner } from './states.js';

// <Field label hint error>{(id) => html`<input id=${id} …>`}</Field>
export function Field({ label, hint, error, children, className }) {
  const id = useId();
  const hintId = `${id}-hint`;
  return html`<div class=${cx('field', error && 'field-invalid', className)}>
    <label for=${id}>${label}</label>
    ${children(id, hint || error ? hintId : undefined)}
    ${error ? html`<p id=${hintId} class="field-error" role="alert">${error}</p>`
      : hint && html`<p id=${hintId} class="field-hint">${hint}</p>`}
  </div>`;
}

// A button that is disabled and shows a spinner while `busy`.
export function SubmitButton({ busy, children, className = 'btn btn-primary', disabled }) {
  return html`<button type="submit" class=${className} disabled=${busy || disabled} aria-busy=${busy ? 'true' : undefined}>
    ${busy && html`<${Spinner} label="Working" />`} ${children}
  </button>`;
}

// A row of toggle buttons choosing one of `options` (values; '' reads "All").
export function Segmented({ options, value, onChange, label }) {
  return html`<div class="segmented-tabs" role="group" aria-label=${label}>
    ${options.map((option) => html`<button key=${option} type="button" class=${cx('seg', value === option && 'active')}
      aria-pressed=${value === option ? 'true' : 'false'} onClick=${() => onChange(option)}>${option || 'All'}</button>`)}
  </div>`;
}

// The message of a failed request for the field `name`, if the server named that field.
export function fieldError(error, name) {
  return error && error.field === name ? error.message : undefined;
}

// The message of a failed request not tied to one of `names`.
export function formError(error, names = []) {
  return error && !names.includes(error.field) ? error.message : undefined;
}

// A form's values, whether it is sending and what went wrong: `submit` runs `send(form)`
// with the button busy, and keeps its failure for `formError`/`fieldError` to show.
export function useForm(initial, send) {
  const [form, setForm] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const set = (key) => (e) => setForm({ ...form, [key]: e.target.value });
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await send(form);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return { form, setForm, set, busy, error, submit };
}
