// The API reference at /docs: the OpenAPI document this server serves, read by people.
// /docs is the overview, /docs/{tag} one tag's operations (only those are built, so the
// page stays quick on a phone), /docs/schemas the schemas; an operation or schema is an
// anchor (/docs/dispatch#dispatchNext), and /docs#dispatchNext finds its tag. Anyone may
// read it, signed in or not: it documents public contracts.

import { cx, html, useCallback, useEffect, useMemo, useRef, useState } from '../../lib/html.js';
import { useShortcuts } from '../../lib/keys.js';
import { Markdown } from '../../lib/markdown.js';
import { navigate, useLocation } from '../../lib/router.js';
import { Icon } from '../../ui/icons.js';
import { useTitle } from '../../ui/layout.js';
import { EmptyState, ErrorState, Skeleton, useAsync } from '../../ui/states.js';
import { DocsNav } from './nav.js';
import { Operation } from './operation.js';
import { Overview } from './overview.js';
import { Schemas } from './schemas.js';
import { SCHEMAS, loadSpec, operationHref, operationNamed, schemaHref } from './spec.js';

// Below this width the navigation is a drawer (keep in step with css/docs.css).
const NARROW = '(max-width: 960px)';

function decoded(hash) {
  try {
    return decodeURIComponent(hash.replace(/^#/, ''));
  } catch {
    return '';
  }
}

// The anchor (operation or schema) whose heading was last scrolled past the top of the
// window: the navigation marks it.
function useCurrentAnchor(ids) {
  const [current, setCurrent] = useState(null);
  useEffect(() => {
    if (!ids.length) {
      setCurrent(null);
      return undefined;
    }
    let frame = 0;
    const update = () => {
      frame = 0;
      const line = Math.min(window.innerHeight * 0.35, 240);
      let found = ids[0];
      for (const id of ids) {
        const el = document.getElementById(id);
        if (el && el.getBoundingClientRect().top <= line) found = id;
      }
      setCurrent(found);
    };
    const schedule = () => { if (!frame) frame = requestAnimationFrame(update); };
    update();
    window.addEventListener('scroll', schedule, { passive: true });
    window.addEventListener('resize', schedule);
    return () => {
      window.removeEventListener('scroll', schedule);
      window.removeEventListener('resize', schedule);
      if (frame) cancelAnimationFrame(frame);
    };
  }, [ids.join(' ')]);
  return current;
}

function TagPage({ spec, tag, codeLink }) {
  const index = spec.tags.indexOf(tag);
  const group = spec.groups.find((g) => g.tags.includes(tag));
  const [previous, next] = [spec.tags[index - 1], spec.tags[index + 1]];
  const count = tag.operations.length;
  return html`<div class="tag-page">
    <header class="section-head">
      ${group && html`<p class="eyebrow">${group.name}</p>`}
      <h1>${tag.label}</h1>
      ${tag.description && html`<${Markdown} text=${tag.description} codeLink=${codeLink} className="prose section-lead" />`}
      <p class="muted small">${count} operation${count === 1 ? '' : 's'}${tag.webhooks.length ? ` and ${tag.webhooks.length} webhook${tag.webhooks.length === 1 ? '' : 's'} Loop sends` : ''}</p>
    </header>
    ${tag.operations.map((op) => html`<${Operation} key=${op.id} spec=${spec} op=${op} codeLink=${codeLink} />`)}
    ${tag.webhooks.length > 0 && html`<h2 class="subsection-title">Webhooks Loop sends</h2>`}
    ${tag.webhooks.map((op) => html`<${Operation} key=${op.id} spec=${spec} op=${op} codeLink=${codeLink} />`)}
    <nav class="pager" aria-label="Neighbouring sections">
      ${previous ? html`<a class="pager-link" href=${`/docs/${previous.slug}`}>
        <span class="muted small">Previous</span><span><${Icon} name="arrowLeft" size=${16} /> ${previous.label}</span></a>` : html`<span></span>`}
      ${next ? html`<a class="pager-link pager-next" href=${`/docs/${next.slug}`}>
        <span class="muted small">Next</span><span>${next.label} <${Icon} name="arrowRight" size=${16} /></span></a>` : html`<span></span>`}
    </nav>
  </div>`;
}

function Reference({ spec, section }) {
  const { hash } = useLocation();
  const target = decoded(hash);
  const [query, setQuery] = useState('');
  const [navOpen, setNavOpen] = useState(false);
  const inputRef = useRef(null);
  const tag = section && section !== SCHEMAS ? spec.tagBySlug.get(section) : null;
  const known = !section || section === SCHEMAS || !!tag;
  const ids = useMemo(() => {
    if (tag) return [...tag.operations, ...tag.webhooks].map((op) => op.id);
    return section === SCHEMAS ? spec.schemas : [];
  }, [tag, section]);
  const current = useCurrentAnchor(ids);
  // Every anchor j and k step through: all operations in order, or the schemas.
  const anchors = useMemo(() => (section === SCHEMAS
    ? spec.schemas.map((name) => ({ id: name, href: schemaHref(name) }))
    : spec.tags.flatMap((t) => [...t.operations, ...t.webhooks]).map((op) => ({ id: op.id, href: operationHref(spec, op) }))),
  [spec, section === SCHEMAS]);

  useTitle(tag ? `${tag.name} · API reference` : section === SCHEMAS ? 'Schemas · API reference' : 'API reference');

  // Inline code naming an operation ("GET /api/dispatch/next") or a schema
  // ("components.schemas.Error") links to it.
  const codeLink = useCallback((code) => {
    const op = operationNamed(spec, code);
    if (op) return operationHref(spec, op);
    const schema = /^components\.schemas\.([\w.-]+)$/.exec(code);
    return schema && spec.schemas.includes(schema[1]) ? schemaHref(schema[1]) : null;
  }, [spec]);

  // /docs#operationId (or #SchemaName): on to the page that has it.
  useEffect(() => {
    if (section || !target) return;
    const op = spec.byId.get(target);
    if (op) navigate(operationHref(spec, op), { replace: true });
    else if (spec.schemas.includes(target)) navigate(schemaHref(target), { replace: true });
  }, [section, target]);

  // Brings the anchored operation or schema into view once it is built.
  useEffect(() => {
    if (!target || !section) return undefined;
    const frame = requestAnimationFrame(() => {
      const el = document.getElementById(target);
      if (!el) return;
      el.scrollIntoView({ block: 'start' });
      if (el.hasAttribute('tabindex')) el.focus({ preventScroll: true });
    });
    return () => cancelAnimationFrame(frame);
  }, [section, target]);

  const closeNav = () => setNavOpen(false);
  const focusFilter = () => {
    if (window.matchMedia(NARROW).matches) setNavOpen(true);
    requestAnimationFrame(() => inputRef.current && inputRef.current.focus());
  };
  const step = (by) => {
    const at = anchors.findIndex((a) => a.id === current);
    const next = anchors[Math.max(0, Math.min(anchors.length - 1, at < 0 ? 0 : at + by))];
    if (next) navigate(next.href, { replace: true });
  };
  useShortcuts('API reference', [
    { key: '/', label: 'Filter endpoints', run: focusFilter },
    { key: 'j', label: section === SCHEMAS ? 'Next schema' : 'Next operation', run: () => step(1) },
    { key: 'k', label: section === SCHEMAS ? 'Previous schema' : 'Previous operation', run: () => step(-1) },
  ]);
  useShortcuts('API reference', [{ key: 'Escape', label: 'Close the navigation', run: closeNav, inInputs: true }],
    { active: navOpen });

  let content;
  if (!known) {
    content = html`<${EmptyState} icon="book" title="No such section"
        action=${html`<a class="btn btn-primary" href="/docs">Go to the overview</a>`}>
      The reference has no section <code>${section}</code>. Pick one on the left, or filter by path.
    </${EmptyState}>`;
  } else if (section === SCHEMAS) content = html`<${Schemas} spec=${spec} />`;
  else if (tag) content = html`<${TagPage} key=${tag.slug} spec=${spec} tag=${tag} codeLink=${codeLink} />`;
  else content = html`<${Overview} spec=${spec} codeLink=${codeLink} />`;

  const here = tag ? tag.label : section === SCHEMAS ? 'Schemas' : 'Overview';
  return html`<div class=${cx('docs', navOpen && 'nav-open')}>
    <div class="docs-bar">
      <button type="button" class="btn btn-small docs-bar-toggle" aria-expanded=${navOpen ? 'true' : 'false'}
          aria-controls="docs-side" onClick=${() => (navOpen ? closeNav() : focusFilter())}>
        <${Icon} name=${navOpen ? 'x' : 'menu'} size=${16} /> <span>${navOpen ? 'Close' : 'Endpoints'}</span>
      </button>
      <span class="docs-bar-here">${here}</span>
    </div>
    <div class="docs-side" id="docs-side">
      <${DocsNav} spec=${spec} section=${known ? section : null} current=${current} query=${query}
        setQuery=${setQuery} inputRef=${inputRef} onNavigate=${closeNav} />
    </div>
    ${navOpen && html`<div class="docs-scrim" aria-hidden="true" onClick=${closeNav}></div>`}
    <div class="docs-content">${content}</div>
  </div>`;
}

// The layout's placeholder while the document loads: the navigation and a page.
function Placeholder() {
  return html`<div class="docs">
    <div class="docs-side"><div class="docs-nav"><${Skeleton} lines=${12} /></div></div>
    <div class="docs-content"><${Skeleton} lines=${8} /></div>
  </div>`;
}

export default function Docs({ params }) {
  const spec = useAsync(loadSpec, []);
  if (spec.data !== undefined) return html`<${Reference} spec=${spec.data} section=${params.section} />`;
  if (!spec.error) return html`<${Placeholder} />`;
  return html`<div class="page"><${ErrorState} title="The API reference could not load" error=${spec.error}
    retry=${spec.reload} /></div>`;
}
