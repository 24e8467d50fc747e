// A small, safe Markdown renderer: it builds Preact elements (never HTML strings), so any
// HTML in the text is shown as text. It knows headings, paragraphs, emphasis, inline and
// fenced code, lists, block quotes, rules and links (http, https and mailto only).

import { html } from './html.js';

const SAFE_URL = /^(https?:\/\/|mailto:|\/(?!\/))/i;

// Inline text: `code`, **strong**, *em* / _em_, [text](url) and bare https:// links.
function inline(text) {
  const out = [];
  const pattern = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\*[^*\s][^*]*\*|_[^_\s][^_]*_)|(\[[^\]]+\]\([^)\s]+\))|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])/g;
  let at = 0;
  let found;
  while ((found = pattern.exec(text))) {
    if (found.index > at) out.push(text.slice(at, found.index));
    const [token] = found;
    if (found[1]) out.push(html`<code>${token.slice(1, -1)}</code>`);
    else if (found[2]) out.push(html`<strong>${inline(token.slice(2, -2))}</strong>`);
    else if (found[3]) out.push(html`<em>${inline(token.slice(1, -1))}</em>`);
    else if (found[4]) {
      const [, label, url] = token.match(/^\[([^\]]+)\]\(([^)\s]+)\)$/);
      out.push(SAFE_URL.test(url) ? html`<a href=${url} rel="noopener noreferrer" target=${url.startsWith('/') ? undefined : '_blank'}>${inline(label)}</a>` : token);
    } else out.push(html`<a href=${token} rel="noopener noreferrer" target="_blank">${token}</a>`);
    at = found.index + token.length;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

// The blocks of `source`, as elements.
function blocks(lines) {
  const out = [];
  let i = 0;
  const isList = (line) => /^\s*([-*+]|\d+[.)])\s+/.test(line);
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) { i += 1; continue; }
    const fence = line.match(/^\s*(```|~~~)/);
    if (fence) {
      const body = [];
      i += 1;
      while (i < lines.length && !lines[i].trim().startsWith(fence[1])) { body.push(lines[i]); i += 1; }
      i += 1;
      out.push(html`<pre class="code"><code>${body.join('\n')}</code></pre>`);
      continue;
    }
    const heading = line.match(/^(#{1,6})\s+(.*)$/);
    if (heading) {
      const level = Math.min(heading[1].length + 2, 6);
      out.push(html`<${`h${level}`}>${inline(heading[2])}</${`h${level}`}>`);
      i += 1;
      continue;
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) { out.push(html`<hr />`); i += 1; continue; }
    if (/^\s*>/.test(line)) {
      const quoted = [];
      while (i < lines.length && /^\s*>/.test(lines[i])) { quoted.push(lines[i].replace(/^\s*>\s?/, '')); i += 1; }
      out.push(html`<blockquote>${blocks(quoted)}</blockquote>`);
      continue;
    }
    if (isList(line)) {
      const ordered = /^\s*\d/.test(line);
      const items = [];
      while (i < lines.length && (isList(lines[i]) || (lines[i].trim() && /^\s{2,}/.test(lines[i])))) {
        if (isList(lines[i])) items.push([lines[i].replace(/^\s*([-*+]|\d+[.)])\s+/, '')]);
        else items[items.length - 1].push(lines[i].trim());
        i += 1;
      }
      const rendered = items.map((item) => {
        const text = item.join(' ');
        const task = text.match(/^\[([ xX])\]\s+(.*)$/);
        return task
          ? html`<li class="task-item"><input type="checkbox" disabled checked=${task[1] !== ' '} /> ${inline(task[2])}</li>`
          : html`<li>${inline(text)}</li>`;
      });
      out.push(ordered ? html`<ol>${rendered}</ol>` : html`<ul>${rendered}</ul>`);
      continue;
    }
    const paragraph = [];
    while (i < lines.length && lines[i].trim() && !/^(#{1,6}\s|\s*(```|~~~)|\s*>)/.test(lines[i]) && !isList(lines[i])) {
      paragraph.push(lines[i].trim());
      i += 1;
    }
    out.push(html`<p>${inline(paragraph.join(' '))}</p>`);
  }
  return out;
}

// <Markdown text="…" />: the text rendered as Markdown, safely.
export function Markdown({ text, className = '' }) {
  if (!text) return null;
  return html`<div class=${`markdown ${className}`}>${blocks(String(text).replace(/\r\n?/g, '\n').split('\n'))}</div>`;
}
