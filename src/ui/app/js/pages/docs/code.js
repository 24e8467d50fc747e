// Code samples of the reference: JSON and shell, lightly coloured (as elements, never as
// HTML), scrolling inside their own box, with a copy button.

import { html } from '../../lib/html.js';
import { CopyButton } from '../../ui/copy.js';

const JSON_TOKENS = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;
const SHELL_TOKENS = /^(curl)\b|(\s)(-{1,2}[A-Za-z][\w-]*)|('(?:[^']|'\\'')*')|("(?:\\.|[^"\\])*")|(\\$)/gm;

function tokens(code, pattern, classify) {
  const out = [];
  let last = 0;
  let key = 0;
  for (const found of code.matchAll(pattern)) {
    if (found.index > last) out.push(code.slice(last, found.index));
    for (const [text, kind] of classify(found)) {
      out.push(kind ? html`<span key=${key++} class=${`tok-${kind}`}>${text}</span>` : text);
    }
    last = found.index + found[0].length;
  }
  if (last < code.length) out.push(code.slice(last));
  return out;
}

// Coloured pieces of `code` in `language` ('json', 'shell' or anything else as text).
export function highlight(code, language) {
  if (language === 'json') {
    return tokens(code, JSON_TOKENS, ([, string, colon, literal, number]) => {
      if (string !== undefined) return colon ? [[string, 'key'], [colon, null]] : [[string, 'str']];
      return [[literal ?? number, literal !== undefined ? 'lit' : 'num']];
    });
  }
  if (language === 'shell') {
    return tokens(code, SHELL_TOKENS, ([, command, space, flag, single, double, continuation]) => {
      if (command) return [[command, 'cmd']];
      if (flag) return [[space, null], [flag, 'flag']];
      if (continuation) return [[continuation, 'punct']];
      return [[single ?? double, 'str']];
    });
  }
  return [code];
}

// A titled code sample with a copy button: <CodeBlock title="Request" code=… language="shell" />.
// `tools` adds controls to the header (a status picker).
export function CodeBlock({ title, code, language, copyLabel, tools, className }) {
  return html`<figure class=${['code-card', className].filter(Boolean).join(' ')}>
    <figcaption class="code-card-head">
      <span class="code-card-title">${title}</span>
      <span class="code-card-tools">
        ${tools}
        ${code && html`<${CopyButton} text=${code} className="btn btn-ghost btn-small code-copy"
          ariaLabel=${copyLabel || `Copy the ${title.toLowerCase()}`} />`}
      </span>
    </figcaption>
    ${code ? html`<pre class="code-card-body" tabindex="0"><code>${highlight(code, language)}</code></pre>`
      : html`<p class="code-card-empty">No body.</p>`}
  </figure>`;
}
