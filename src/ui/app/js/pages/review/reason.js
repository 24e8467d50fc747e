// The reason box that flagging and escalating open: a required (or optional) reason, a
// severity for swiper flags, and the passage it is about. Enter sends it, Shift+Enter
// starts a new line, Esc cancels.

import { html, useEffect, useRef, useState } from '../../lib/html.js';
import { Dialog } from '../../ui/dialog.js';

export const severities = ['low', 'medium', 'high', 'critical'];

// `request`: { title, prompt, initial?, confirm, severity?, optional?, quote?, resolve }.
export function ReasonDialog({ request, onDone }) {
  const [reason, setReason] = useState('');
  const [severity, setSeverity] = useState('medium');
  const area = useRef(null);
  useEffect(() => {
    if (!request) return;
    setReason(request.initial || '');
    setSeverity('medium');
    requestAnimationFrame(() => {
      if (area.current) {
        area.current.focus();
        area.current.select();
      }
    });
  }, [request]);
  const finish = (answer) => {
    request.resolve(answer);
    onDone();
  };
  const valid = request && (request.optional || reason.trim().length > 0);
  const send = (event) => {
    if (event) event.preventDefault();
    if (!valid) return;
    finish({ reason: reason.trim() || undefined, severity: request.severity ? severity : undefined });
  };
  const keys = (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) send(event);
  };
  return html`<${Dialog} open=${!!request} title=${request ? request.title : ''} onClose=${() => finish(null)}>
    ${request && html`<form class="reason-form" onSubmit=${send}>
      ${request.quote && html`<blockquote class="reason-quote">${request.quote}</blockquote>`}
      <label for="reason-text">${request.prompt}${request.optional ? html` <span class="muted">(optional)</span>` : ''}</label>
      <textarea id="reason-text" ref=${area} rows="3" maxlength="500" value=${reason}
        onInput=${(e) => setReason(e.target.value)} onKeyDown=${keys}
        aria-required=${request.optional ? 'false' : 'true'}></textarea>
      ${request.severity && html`<fieldset class="segmented">
        <legend>Severity</legend>
        ${severities.map((level) => html`<label key=${level} class=${`segment severity-${level}`}>
          <input type="radio" name="severity" value=${level} checked=${severity === level}
            onChange=${() => setSeverity(level)} />
          <span>${level}</span>
        </label>`)}
      </fieldset>`}
      <div class="dialog-foot">
        <button type="button" class="btn" onClick=${() => finish(null)}>Cancel <kbd>Esc</kbd></button>
        <button type="submit" class="btn btn-primary" disabled=${!valid}>${request.confirm} <kbd>Enter</kbd></button>
      </div>
    </form>`}
  </${Dialog}>`;
}
