// The reference's navigation: a filter over every operation (path, summary, operation id)
// and the schemas, then the tags grouped by API with their operations. The current tag
// is open; others open on request or while filtering. Arrow keys move between entries.

import { cx, html, useEffect, useRef, useState } from '../../lib/html.js';
import { Icon } from '../../ui/icons.js';
import { MethodBadge, PathText } from './operation.js';
import { SCHEMAS, matches, operationHref, schemaHref } from './spec.js';

// The entries the arrow keys move between, in order.
function focusables(root) {
  return [...root.querySelectorAll('input, a[href], button')].filter((el) => el.offsetParent !== null);
}

// Arrow keys, Home and End move focus within the navigation; Escape goes back to the
// filter. Left and Right close and open a tag.
function onKeys(event, root, inputRef) {
  const items = focusables(root);
  const at = items.indexOf(document.activeElement);
  const go = (i) => {
    event.preventDefault();
    const target = items[Math.max(0, Math.min(items.length - 1, i))];
    if (target) target.focus();
  };
  const inInput = document.activeElement === inputRef.current;
  switch (event.key) {
    case 'ArrowDown': go(at + 1); break;
    case 'ArrowUp': go(at - 1); break;
    case 'Home': if (!inInput) go(0); break;
    case 'End': if (!inInput) go(items.length - 1); break;
    case 'Escape':
      if (!inInput) { event.preventDefault(); inputRef.current.focus(); }
      break;
    default:
  }
}

function OperationLink({ spec, op, current, onNavigate }) {
  return html`<li>
    <a class=${cx('nav-op', current && 'current')} href=${operationHref(spec, op)} data-op-link=${op.id}
        data-kind=${op.kind} aria-current=${current ? 'location' : undefined} title=${op.summary} onClick=${onNavigate}>
      <${MethodBadge} method=${op.method} small />
      <span class="nav-op-path">${op.kind === 'webhook' ? `${op.path} (webhook)` : html`<${PathText} path=${op.path} />`}</span>
    </a>
  </li>`;
}

function TagEntry({ spec, tag, active, current, query, expanded, toggle, onNavigate }) {
  const ops = [...tag.operations, ...tag.webhooks].filter((op) => !query || matches(op, query));
  if (query && !ops.length) return null;
  const open = !!query || expanded;
  const listId = `nav-${tag.slug}`;
  return html`<li class=${cx('nav-tag', active && 'active')}>
    <div class="nav-tag-row">
      <a class="nav-tag-link" href=${`/docs/${tag.slug}`} aria-current=${active && !current ? 'page' : undefined}
        onClick=${onNavigate}>${tag.label}</a>
      <button type="button" class="nav-tag-toggle" aria-expanded=${open ? 'true' : 'false'} aria-controls=${listId}
          aria-label=${`${open ? 'Hide' : 'Show'} the operations of ${tag.label}`} disabled=${!!query}
          onClick=${toggle}>
        <span class="nav-count">${ops.length}</span>
        <${Icon} name=${open ? 'chevronDown' : 'chevronRight'} size=${14} />
      </button>
    </div>
    ${open && html`<ul class="nav-ops" id=${listId}>
      ${ops.map((op) => html`<${OperationLink} key=${op.id} spec=${spec} op=${op} current=${op.id === current}
        onNavigate=${onNavigate} />`)}
    </ul>`}
  </li>`;
}

// <DocsNav spec section current query setQuery inputRef onNavigate />, `current` being the
// operation or schema in view.
export function DocsNav({ spec, section, current, query, setQuery, inputRef, onNavigate }) {
  const root = useRef(null);
  const scroller = useRef(null);
  const [expanded, setExpanded] = useState(() => new Set(section ? [section] : []));
  useEffect(() => {
    if (section) setExpanded((was) => (was.has(section) ? was : new Set([...was, section])));
  }, [section]);

  // Keeps the current entry in view inside the navigation (not the page).
  useEffect(() => {
    const box = scroller.current;
    const selector = current
      ? `[data-op-link="${CSS.escape(current)}"], [data-schema-link="${CSS.escape(current)}"]` : '.nav-tag.active';
    const item = box && box.querySelector(selector);
    if (!item) return;
    const top = item.offsetTop - box.offsetTop;
    if (top < box.scrollTop + 8 || top > box.scrollTop + box.clientHeight - 48) {
      box.scrollTop = Math.max(0, top - box.clientHeight / 3);
    }
  }, [current, section]);

  const toggle = (tagSlug) => setExpanded((was) => {
    const next = new Set(was);
    if (next.has(tagSlug)) next.delete(tagSlug);
    else next.add(tagSlug);
    return next;
  });
  const trimmed = query.trim();
  const opCount = trimmed ? spec.operations.filter((op) => matches(op, trimmed)).length : spec.operations.length;
  const schemaHits = trimmed ? spec.schemas.filter((name) => name.toLowerCase().includes(trimmed.toLowerCase())) : [];
  const schemasOpen = trimmed ? schemaHits.length > 0 : expanded.has(SCHEMAS);
  const nothing = trimmed && !opCount && !schemaHits.length
    && !spec.tags.some((t) => t.webhooks.some((op) => matches(op, trimmed)));

  const onFilterKey = (event) => {
    if (event.key === 'Enter') {
      const first = root.current.querySelector('.nav-ops a[href]');
      if (first) {
        event.preventDefault();
        first.click();
      }
    } else if (event.key === 'Escape' && query) {
      // The first Esc clears the filter; the next one leaves it (and closes the drawer).
      event.preventDefault();
      event.stopPropagation();
      setQuery('');
    } else if (event.key === 'Escape') {
      event.target.blur();
    }
  };

  return html`<nav class="docs-nav" aria-label="API reference" ref=${root}
      onKeyDown=${(event) => onKeys(event, root.current, inputRef)}>
    <div class="docs-filter">
      <${Icon} name="search" size=${16} />
      <input ref=${inputRef} type="search" value=${query} placeholder="Filter endpoints"
        aria-label="Filter endpoints and schemas by path, summary or operation id" aria-describedby="docs-filter-count"
        autocomplete="off" spellcheck="false" onInput=${(e) => setQuery(e.target.value)} onKeyDown=${onFilterKey} />
      ${!query && html`<kbd aria-hidden="true">/</kbd>`}
    </div>
    <p id="docs-filter-count" class="visually-hidden" aria-live="polite">
      ${trimmed ? `${opCount} operation${opCount === 1 ? '' : 's'} and ${schemaHits.length} schema${schemaHits.length === 1 ? '' : 's'} match` : ''}
    </p>
    <div class="docs-nav-scroll" ref=${scroller}>
      ${!trimmed && html`<a class=${cx('nav-top', !section && 'active')} href="/docs" aria-current=${!section ? 'page' : undefined}
        onClick=${onNavigate}><${Icon} name="book" size=${16} /> Overview</a>`}
      ${nothing && html`<p class="nav-empty">Nothing matches “${trimmed}”. Try part of a path, like <code>tasks</code>.</p>`}
      ${spec.groups.map((group) => {
        const tags = group.tags.map((tag) => html`<${TagEntry} key=${tag.slug} spec=${spec} tag=${tag}
          active=${tag.slug === section} current=${tag.slug === section ? current : null} query=${trimmed}
          expanded=${expanded.has(tag.slug)} toggle=${() => toggle(tag.slug)} onNavigate=${onNavigate} />`);
        if (trimmed && !group.tags.some((t) => [...t.operations, ...t.webhooks].some((op) => matches(op, trimmed)))) return null;
        return html`<section key=${group.name} class="nav-group" aria-label=${group.name}>
          <h2 class="nav-group-title">${group.name}</h2>
          <ul class="nav-tags">${tags}</ul>
        </section>`;
      })}
      ${(!trimmed || schemaHits.length > 0) && html`<section class="nav-group" aria-label="Data">
        <h2 class="nav-group-title">Data</h2>
        <ul class="nav-tags">
          <li class=${cx('nav-tag', section === SCHEMAS && 'active')}>
            <div class="nav-tag-row">
              <a class="nav-tag-link" href=${`/docs/${SCHEMAS}`} aria-current=${section === SCHEMAS ? 'page' : undefined}
                onClick=${onNavigate}>Schemas</a>
              <button type="button" class="nav-tag-toggle" aria-expanded=${schemasOpen ? 'true' : 'false'}
                  aria-controls="nav-schemas" aria-label=${`${schemasOpen ? 'Hide' : 'Show'} the schemas`}
                  disabled=${!!trimmed} onClick=${() => toggle(SCHEMAS)}>
                <span class="nav-count">${trimmed ? schemaHits.length : spec.schemas.length}</span>
                <${Icon} name=${schemasOpen ? 'chevronDown' : 'chevronRight'} size=${14} />
              </button>
            </div>
            ${schemasOpen && html`<ul class="nav-ops" id="nav-schemas">${(trimmed ? schemaHits : spec.schemas).map((name) => html`<li key=${name}>
              <a class=${cx('nav-op', section === SCHEMAS && current === name && 'current')} href=${schemaHref(name)}
                data-schema-link=${name} aria-current=${section === SCHEMAS && current === name ? 'location' : undefined}
                onClick=${onNavigate}>
                <span class="nav-op-path">${name}</span></a></li>`)}</ul>`}
          </li>
        </ul>
      </section>`}
    </div>
  </nav>`;
}
