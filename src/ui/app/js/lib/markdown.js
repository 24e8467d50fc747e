// A small, safe Markdown renderer shared by every page that shows text people or agents
// wrote (issue descriptions, comments, agents' summaries, documentation).
//
// Safe by construction: it builds Preact elements, never HTML strings, so any HTML in the
// text is shown as text (there is no raw-HTML pass-through), and links only ever point at
// http(s), mailto, this site's own paths or anchors in the page (`javascript:` and the
// like stay plain text).
// It knows headings, paragraphs, **strong**, *emphasis*, `inline` and fenced code, bullet,
// numbered and task lists, block quotes, rules, [links](https://…) and bare https:// links.
//
// API:
//   <Markdown text="…" className="…" headingOffset={2} codeLink={fn} />
//                                                a <div class="markdown">
//   renderMarkdown(text, { headingOffset, codeLink })
//                                                the same blocks as an array of elements,
//                                                to place yourself
// `headingOffset` moves headings down (default 2: a description's `#` becomes an <h3>, so
// embedded text never outranks the page's own headings); 0 keeps `#` as <h1>.
// `codeLink(code)` may turn an `inline code` span into a link by returning its href, e.g.
// the API reference links `GET /api/dispatch/next` to that operation.

import { html } from './html.js';

const SAFE_URL = /^(https?:\/\/|mailto:|\/(?!\/)|#)/i;

// Inline text: `code`, **strong**, *em* / _em_, [text](url) and bare https:// links.
function inline(text, codeLink) {
  const out = [];
  const pattern = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\*[^*\s][^*]*\*|(?<!\w)_[^_\s][^_]*_(?!\w))|(\[[^\]]+\]\([^)\s]+\))|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])/g;
  let at = 0;
  let found;
  while ((found = pattern.exec(text))) {
    if (found.index > at) out.push(text.slice(at, found.index));
    const [token] = found;
    if (found[1]) {
      const code = html`<code>${token.slice(1, -1)}</code>`;
      const href = codeLink && codeLink(token.slice(1, -1));
      out.push(href ? html`<a href=${href}>${code}</a>` : code);
    } else if (found[2]) out.push(html`<strong>${inline(token.slice(2, -2), codeLink)}</strong>`);
    else if (found[3]) out.push(html`<em>${inline(token.slice(1, -1), codeLink)}</em>`);
    else if (found[4]) {
      const [, label, url] = token.match(/^\[([^\]]+)\]\(([^)\s]+)\)$/);
      out.push(SAFE_URL.test(url) ? html`<a href=${url} rel="noopener noreferrer" target=${/^[/#]/.test(url) ? undefined : '_blank'}>${inline(label, codeLink)}</a>` : token);
    } else out.push(html`<a href=${token} rel="noopener noreferrer" target="_blank">${token}</a>`);
    at = found.index + token.length;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

// The blocks of `lines`, as elements.
function blocks(lines, headingOffset, codeLink) {
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
      const level = Math.min(heading[1].length + headingOffset, 6);
      out.push(html`<${`h${level}`}>${inline(heading[2], codeLink)}</${`h${level}`}>`);
      i += 1;
      continue;
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) { out.push(html`<hr />`); i += 1; continue; }
    if (/^\s*>/.test(line)) {
      const quoted = [];
      while (i < lines.length && /^\s*>/.test(lines[i])) { quoted.push(lines[i].replace(/^\s*>\s?/, '')); i += 1; }
      out.push(html`<blockquote>${blocks(quoted, headingOffset, codeLink)}</blockquote>`);
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
          ? html`<li class="task-item"><input type="checkbox" disabled checked=${task[1] !== ' '} /> ${inline(task[2], codeLink)}</li>`
          : html`<li>${inline(text, codeLink)}</li>`;
      });
      out.push(ordered ? html`<ol>${rendered}</ol>` : html`<ul>${rendered}</ul>`);
      continue;
    }
    const paragraph = [];
    while (i < lines.length && lines[i].trim() && !/^(#{1,6}\s|\s*(```|~~~)|\s*>)/.test(lines[i]) && !isList(lines[i])) {
      paragraph.push(lines[i].trim());
      i += 1;
    }
    out.push(html`<p>${inline(paragraph.join(' '), codeLink)}</p>`);
  }
  return out;
}

// The elements `text` renders to as Markdown (an empty array for no text).
export function renderMarkdown(text, { headingOffset = 2, codeLink } = {}) {
  if (!text) return [];
  return blocks(String(text).replace(/\r\n?/g, '\n').split('\n'), headingOffset, codeLink);
}

// <Markdown text="…" />: the text rendered as Markdown, safely, in a `.markdown` block.
export function Markdown({ text, className = '', headingOffset = 2, codeLink }) {
  if (!text) return null;
  return html`<div class=${`markdown ${className}`.trim()}>${renderMarkdown(text, { headingOffset, codeLink })}</div>`;
}
