// The sign-off policy of a project as form fields (whether a person must approve its
// agents' work, and for which share of issues), shared by the admin's project settings and
// the engine dashboard's project dialog.

import { html } from '../../lib/html.js';
import { Field, fieldError } from '../../ui/form.js';

const signOffChoices = [
  ['off', 'Off: agents mark their own work done'],
  ['required', 'Required: a person approves every issue'],
  ['sampled', 'Sampled: a person approves a share of issues'],
];

// A stored rate (0 to 1) as the percentage the form shows ('' when there is none).
export function ratePercent(rate) {
  return typeof rate === 'number' ? String(Math.round(rate * 1000) / 10) : '';
}

// The rate to send for the form's percentage: only sampling has one.
export function rateToSend(policy, percent) {
  return policy === 'sampled' ? Number(percent) / 100 : undefined;
}

// props: policy, rate (a percentage, as typed), onPolicy(value), onRate(text), error (the
// form's error), names ({policy, rate}: the API's names of the two fields, for its errors).
export function SignOffFields({ policy, rate, onPolicy, onRate, error, names }) {
  return html`<${Field} label="Sign-off of agents' work" error=${fieldError(error, names.policy)}
      hint="With sign-off, an agent cannot mark an issue done: it requests review, and the issue is done once a person approves it in Review.">
      ${(id, d) => html`<select id=${id} name="sign_off" aria-describedby=${d} value=${policy} onChange=${(e) => onPolicy(e.target.value)}>
        ${signOffChoices.map(([value, label]) => html`<option value=${value}>${label}</option>`)}
      </select>`}
    </${Field}>
    ${policy === 'sampled' && html`<${Field} label="Share of issues reviewed (%)" error=${fieldError(error, names.rate)}
      hint="Which issues are picked depends only on their number, so the same ones are picked every time.">
      ${(id, d) => html`<input id=${id} name="sign_off_rate" aria-describedby=${d} type="number" min="0" max="100" step="any" required
        value=${rate} onInput=${(e) => onRate(e.target.value)} />`}
    </${Field}>`}`;
}
