// Copying secrets and keys: a copy button with feedback, and a secret shown masked until
// revealed.

import { html, useState } from '../lib/html.js';
import { Icon } from './icons.js';
import { toast } from './toast.js';

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'visually-hidden';
  document.body.appendChild(area);
  area.select();
  document.execCommand('copy');
  area.remove();
}

export function CopyButton({ text, label = 'Copy', className = 'btn' }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await copyText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 1800);
    } catch {
      toast('Copying is blocked here: select the text and copy it by hand.', 'error');
    }
  };
  return html`<button type="button" class=${className} onClick=${copy}>
    <${Icon} name=${copied ? 'check' : 'copy'} /> ${copied ? 'Copied' : label}
  </button>`;
}

// A value (a key or secret) in monospace, with a copy button; `masked` hides it until
// the person reveals it.
export function SecretValue({ value, masked = false, label = 'Secret' }) {
  const [shown, setShown] = useState(!masked);
  return html`<div class="secret">
    <code class="secret-value" aria-label=${label}>${shown ? value : '•'.repeat(Math.min(32, value.length))}</code>
    <div class="secret-actions">
      ${masked && html`<button type="button" class="btn" onClick=${() => setShown(!shown)}>
        <${Icon} name=${shown ? 'eyeOff' : 'eye'} /> ${shown ? 'Hide' : 'Reveal'}
      </button>`}
      <${CopyButton} text=${value} />
    </div>
  </div>`;
}
