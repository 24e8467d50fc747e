// Signing in with an email and password; afterwards the person returns to the page that
// sent them here.

import { html, useState } from '../lib/html.js';
import { signIn } from '../lib/session.js';
import { Field, SubmitButton, fieldError, formError } from '../ui/form.js';
import { Logo } from '../ui/icons.js';
import { useTitle } from '../ui/layout.js';

// Once signed in, the app shell takes the person on to `next` (see main.js).
export default function Login() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  useTitle('Sign in');

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return html`<div class="auth">
    <form class="auth-card" onSubmit=${submit} novalidate>
      <div class="auth-brand"><${Logo} size=${40} /></div>
      <h1>Sign in to Loop</h1>
      <p class="muted">Review what your automations produce, and run the review service.</p>
      ${formError(error, ['email', 'password']) && html`<p class="form-error" role="alert">${formError(error, ['email', 'password'])}</p>`}
      <${Field} label="Email" error=${fieldError(error, 'email')}>
        ${(id, described) => html`<input id=${id} type="email" name="email" autocomplete="username" required autofocus
          aria-describedby=${described} value=${email} onInput=${(e) => setEmail(e.target.value)} />`}
      </${Field}>
      <${Field} label="Password" error=${fieldError(error, 'password')}>
        ${(id, described) => html`<input id=${id} type="password" name="password" autocomplete="current-password" required
          aria-describedby=${described} value=${password} onInput=${(e) => setPassword(e.target.value)} />`}
      </${Field}>
      <${SubmitButton} busy=${busy} className="btn btn-primary btn-block">Sign in</${SubmitButton}>
      <p class="auth-foot muted">No account yet? An owner or admin adds people under Admin → People.
        The first owner is created on the server with <code>loop users add --email you@example.com --role owner</code>.</p>
    </form>
  </div>`;
}
