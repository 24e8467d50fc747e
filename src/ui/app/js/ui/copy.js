// Copying secrets and keys: a copy button with feedback, and a secret shown masked until
// revealed.

import { html, useState } from '../lib/html.js';
import { Icon } from './icons.js';
import { toast } from './toast.js';

// Puts `text` on the clipboard: the Clipboard API where the page may use it, else (or
// when it refuses) the older copy command on a hidden text area.
export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return;
    } catch {
      // Permission refused or the document not focused: try the older way.
    }
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'visually-hidden';
  document.body.appendChild(area);
  area.select();
  const copied = document.execCommand('copy');
  area.remove();
  if (!copied) throw new Error('copy refused');
}

// A button that copies `text` and says so ("Copied") for a moment, also to screen
// readers.
export function CopyButton({ text, label = 'Copy', className = 'btn', ariaLabel }) {
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
  return html`<button type="button" class=${className} onClick=${copy}
      aria-label=${ariaLabel && (copied ? 'Copied' : ariaLabel)}
      aria-live="polite" data-copied=${copied ? 'true' : undefined}>
    <${Icon} name=${copied ? 'check' : 'copy'} /> <span>${copied ? 'Copied' : label}</span>
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
