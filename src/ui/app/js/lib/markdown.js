// A small, safe Markdown renderer for documentation text (the OpenAPI document's
// descriptions): paragraphs, lists, headings, fenced code, `code`, **bold**, *emphasis*
// and links. It builds elements, never HTML strings: raw HTML in the text shows as text,
// and only http(s), mailto, same-site and in-page links become links.

import { html } from './html.js';

const INLINE = /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)|\*\*([^*]+?)\*\*|\*([^*\s](?:[^*]*?[^*\s])?)\*|\[([^\]]+)\]\(([^)\s]+)\)|(https?:\/\/[^\s<>()]*[^\s<>().,;:!?'"])/g;

// Whether a link target is safe to follow.
function safeHref(href) {
  return /^(https?:|mailto:|\/(?!\/)|#)/i.test(href) ? href : null;
}

function link(href, children, key) {
  const external = /^(https?:|mailto:)/i.test(href);
  return html`<a key=${key} href=${href} target=${external ? '_blank' : undefined}
    rel=${external ? 'noopener noreferrer' : undefined}>${children}</a>`;
}

// Inline markup of `text` as elements. `codeLink(code)` may turn an inline code span
// into a link (e.g. an operation named in a description) by returning its href.
export function inline(text, codeLink) {
  const out = [];
  let last = 0;
  let key = 0;
  for (const found of String(text).matchAll(INLINE)) {
    if (found.index > last) out.push(text.slice(last, found.index));
    const [whole, , code, bold, em, label, href, bare] = found;
    if (code !== undefined) {
      const content = code.replace(/^ (.*) $/, '$1');
      const target = codeLink && codeLink(content);
      const span = html`<code key=${key++}>${content}</code>`;
      out.push(target ? link(target, span, key++) : span);
    } else if (bold !== undefined) out.push(html`<strong key=${key++}>${inline(bold, codeLink)}</strong>`);
    else if (em !== undefined) out.push(html`<em key=${key++}>${inline(em, codeLink)}</em>`);
    else if (label !== undefined) {
      const target = safeHref(href);
      out.push(target ? link(target, inline(label, codeLink), key++) : inline(label, codeLink));
    } else if (bare !== undefined) out.push(link(bare, bare, key++));
    else out.push(whole);
    last = found.index + whole.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

// Splits `text` into blocks: { type: 'p' | 'h' | 'ul' | 'ol' | 'code', … }.
export function blocks(text) {
  const lines = String(text || '').replace(/\r\n?/g, '\n').split('\n');
  const out = [];
  let paragraph = [];
  let list = null;
  const flush = () => {
    if (paragraph.length) out.push({ type: 'p', text: paragraph.join(' ') });
    paragraph = [];
    if (list) out.push(list);
    list = null;
  };
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    const fence = /^\s*(```|~~~)\s*(\S*)/.exec(line);
    if (fence) {
      flush();
      const body = [];
      for (i += 1; i < lines.length && !lines[i].trim().startsWith(fence[1]); i += 1) body.push(lines[i]);
      out.push({ type: 'code', text: body.join('\n'), language: fence[2] });
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const bullet = /^\s*[-*+]\s+(.*)$/.exec(line);
    const numbered = /^\s*\d+[.)]\s+(.*)$/.exec(line);
    if (!line.trim()) flush();
    else if (heading) {
      flush();
      out.push({ type: 'h', level: heading[1].length, text: heading[2] });
    } else if (bullet || numbered) {
      const type = bullet ? 'ul' : 'ol';
      if (paragraph.length || (list && list.type !== type)) flush();
      if (!list) list = { type, items: [] };
      list.items.push((bullet || numbered)[1]);
    } else if (list && /^\s+/.test(line)) {
      list.items[list.items.length - 1] += ` ${line.trim()}`;
    } else {
      if (list) flush();
      paragraph.push(line.trim());
    }
  }
  flush();
  return out;
}

// <Markdown text=… /> as a block of paragraphs, lists and code.
export function Markdown({ text, codeLink, className = 'prose' }) {
  if (!text) return null;
  return html`<div class=${className}>${blocks(text).map((block, i) => {
    switch (block.type) {
      case 'h': return html`<p key=${i} class="prose-heading" role="heading" aria-level=${Math.min(6, block.level + 2)}>${inline(block.text, codeLink)}</p>`;
      case 'ul': return html`<ul key=${i}>${block.items.map((item, j) => html`<li key=${j}>${inline(item, codeLink)}</li>`)}</ul>`;
      case 'ol': return html`<ol key=${i}>${block.items.map((item, j) => html`<li key=${j}>${inline(item, codeLink)}</li>`)}</ol>`;
      case 'code': return html`<pre key=${i} class="code"><code>${block.text}</code></pre>`;
      default: return html`<p key=${i}>${inline(block.text, codeLink)}</p>`;
    }
  })}</div>`;
}
