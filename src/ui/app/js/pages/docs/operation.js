// One operation of the reference: what it does, who may call it, its parameters, body
// and answers on the left; a curl to paste and example answers on the right.

import { Fragment, cx, html, useMemo, useState } from '../../lib/html.js';
import { Markdown } from '../../lib/markdown.js';
import { Icon } from '../../ui/icons.js';
import { CodeBlock } from './code.js';
import { credentialFor, curlFor, mediaExample, pretty, requestExample } from './examples.js';
import { Field, SchemaView } from './schema.js';
import { pickMedia, resolve } from './spec.js';

// GET, POST, … as a coloured badge.
export function MethodBadge({ method, small }) {
  return html`<span class=${cx('method', `method-${method.toLowerCase()}`, small && 'method-small')}>${method}</span>`;
}

// A path with its {parameters} marked and break points after each slash.
export function PathText({ path }) {
  const parts = path.split(/(\{[^}]+\})|(?<=\/)/).filter(Boolean);
  return parts.map((part, i) => (part.startsWith('{')
    ? html`<span key=${i} class="path-param">${part}</span>`
    : html`<${Fragment} key=${i}>${part}${part.endsWith('/') ? html`<wbr />` : null}</${Fragment}>`));
}

function statusKind(status) {
  const first = String(status)[0];
  return { 2: 'success', 3: 'info', 4: 'warning', 5: 'danger' }[first] || 'neutral';
}

const LOCATIONS = [
  ['path', 'Path parameters'],
  ['query', 'Query parameters'],
  ['header', 'Headers'],
  ['cookie', 'Cookies'],
];

function Section({ title, children, aside }) {
  return html`<section class="op-section">
    <div class="op-section-head"><h3>${title}</h3>${aside}</div>
    ${children}
  </section>`;
}

// Who may call the operation: each accepted credential, how it is sent and what it is.
function Security({ spec, op, codeLink }) {
  const schemes = (spec.doc.components && spec.doc.components.securitySchemes) || {};
  if (!op.security.length || op.security.some((alternative) => alternative.length === 0)) {
    return html`<${Section} title="Authorization">
      <p class="auth-none"><${Icon} name="shield" size=${16} /> No credentials: anyone who can reach the server may call this.</p>
    </${Section}>`;
  }
  return html`<${Section} title="Authorization">
    <ul class="auth-list">
      ${op.security.map((alternative, i) => html`<li key=${i} class="auth-item">
        ${i > 0 && html`<span class="auth-or">or</span>`}
        ${alternative.map((name) => {
          const scheme = resolve(spec.doc, schemes[name]).node;
          const credential = credentialFor(spec.doc, name);
          return html`<div key=${name} class="auth-scheme">
            <div class="auth-scheme-head">
              <${Icon} name="key" size=${16} />
              <strong>${name}</strong>
              <code class="auth-how">${credential.shown}</code>
            </div>
            ${scheme.description && html`<${Markdown} text=${scheme.description} codeLink=${codeLink} className="prose prop-desc" />`}
          </div>`;
        })}
      </li>`)}
    </ul>
  </${Section}>`;
}

function Parameters({ spec, op }) {
  return LOCATIONS.map(([where, title]) => {
    const list = op.parameters.filter((p) => p.in === where);
    if (!list.length) return null;
    return html`<${Section} key=${where} title=${title}>
      <ul class="props">
        ${list.map((p) => html`<${Field} key=${p.name} doc=${spec.doc} name=${p.name} schema=${p.schema || {}}
          required=${p.required} description=${p.description} deprecated=${p.deprecated}
          example=${'example' in p ? p.example : resolve(spec.doc, p.schema || {}).node.example} />`)}
      </ul>
    </${Section}>`;
  });
}

function RequestBody({ spec, op }) {
  const body = op.requestBody;
  const picked = body && pickMedia(body.content);
  if (!picked) return null;
  return html`<${Section} title="Request body"
      aside=${html`<span class="op-section-meta"><code>${picked.type}</code>${body.required ? ' · required' : ' · optional'}</span>`}>
    ${body.description && html`<${Markdown} text=${body.description} className="prose prop-desc" />`}
    ${picked.media.schema && html`<${SchemaView} doc=${spec.doc} schema=${picked.media.schema} />`}
  </${Section}>`;
}

function ResponseHeaders({ spec, headers }) {
  const entries = Object.entries(headers || {});
  if (!entries.length) return null;
  return html`<div class="response-headers">
    <h4>Headers</h4>
    <ul class="props">
      ${entries.map(([name, raw]) => {
        const header = resolve(spec.doc, raw).node;
        return html`<${Field} key=${name} doc=${spec.doc} name=${name} schema=${header.schema || {}}
          description=${header.description} required=${header.required} />`;
      })}
    </ul>
  </div>`;
}

// One status: a row that opens to its schema and headers.
function Response({ spec, status, response, open, toggle }) {
  const picked = pickMedia(response.content);
  const hasDetail = (picked && picked.media.schema) || Object.keys(response.headers || {}).length > 0;
  const panel = `${status}-panel`;
  const head = html`
    <span class=${`status status-${statusKind(status)}`}>${status}</span>
    <span class="response-summary"><${Markdown} text=${response.description || ''} className="prose response-desc" /></span>
    ${hasDetail && html`<${Icon} name=${open ? 'chevronDown' : 'chevronRight'} size=${16} />`}`;
  return html`<li class=${cx('response', open && 'open')}>
    ${hasDetail
      ? html`<button type="button" class="response-head" aria-expanded=${open ? 'true' : 'false'}
          data-panel=${panel} onClick=${toggle}>${head}</button>`
      : html`<div class="response-head static">${head}</div>`}
    ${open && hasDetail && html`<div class="response-body">
      ${picked && picked.media.schema && html`<p class="op-section-meta"><code>${picked.type}</code></p>
        <${SchemaView} doc=${spec.doc} schema=${picked.media.schema} />`}
      <${ResponseHeaders} spec=${spec} headers=${response.headers} />
    </div>`}
  </li>`;
}

function Responses({ spec, op }) {
  const first = op.responses.find((r) => /^2/.test(r.status) && pickMedia(r.response.content));
  const [open, setOpen] = useState(() => new Set(first ? [first.status] : []));
  const toggle = (status) => setOpen((was) => {
    const next = new Set(was);
    if (next.has(status)) next.delete(status);
    else next.add(status);
    return next;
  });
  return html`<${Section} title=${op.kind === 'webhook' ? 'Your answer' : 'Responses'}>
    <ul class="responses">
      ${op.responses.map(({ status, response }) => html`<${Response} key=${status} spec=${spec} status=${status}
        response=${response} open=${open.has(status)} toggle=${() => toggle(status)} />`)}
    </ul>
  </${Section}>`;
}

// The example answers, one status at a time.
function ResponseSample({ spec, op }) {
  const samples = useMemo(() => op.responses.map(({ status, response }) => {
    const picked = pickMedia(response.content);
    const value = picked ? mediaExample(spec.doc, picked.media) : undefined;
    return { status, code: value === undefined ? '' : typeof value === 'string' ? value : pretty(value) };
  }), [op]);
  const [chosen, setChosen] = useState(0);
  if (!samples.length) return null;
  const current = samples[Math.min(chosen, samples.length - 1)];
  const tools = html`<span class="status-picker" role="group" aria-label="Example for status">
    ${samples.map((sample, i) => html`<button key=${sample.status} type="button"
        class=${cx('status-choice', `status-${statusKind(sample.status)}`, i === chosen && 'active')}
        aria-pressed=${i === chosen ? 'true' : 'false'} onClick=${() => setChosen(i)}>${sample.status}</button>`)}
  </span>`;
  return html`<${CodeBlock} title="Response" code=${current.code} language="json" tools=${tools}
    copyLabel=${`Copy the example ${current.status} response`} className="code-card-response" />`;
}

function WebhookHeaders({ op }) {
  const lines = op.parameters.filter((p) => p.in === 'header')
    .map((p) => `${p.name}: ${p.example ?? (p.schema && (p.schema.example ?? p.schema.const)) ?? '…'}`);
  return lines.length ? html`<${CodeBlock} title="Headers" code=${lines.join('\n')} language="text" />` : null;
}

// The whole operation, anchored at its id.
export function Operation({ spec, op, codeLink }) {
  const curl = useMemo(() => (op.kind === 'operation' ? curlFor(spec.doc, op, window.location.origin) : ''), [op]);
  const body = useMemo(() => requestExample(spec.doc, op), [op]);
  const titleId = `${op.id}-title`;
  return html`<section class="op" id=${op.id} data-op=${op.id} aria-labelledby=${titleId} tabindex="-1">
    <header class="op-head">
      <div class="op-title-row">
        <h2 id=${titleId}>${op.summary || `${op.method} ${op.path}`}</h2>
        <a class="op-anchor" href=${`#${encodeURIComponent(op.id)}`} aria-label=${`Link to “${op.summary || op.id}”`}
          title="Link to this operation"><${Icon} name="link" size=${16} /></a>
      </div>
      <div class="op-endpoint">
        <${MethodBadge} method=${op.method} />
        <code class="op-path">${op.kind === 'webhook' ? `webhook: ${op.path}` : html`<${PathText} path=${op.path} />`}</code>
      </div>
      ${op.deprecated && html`<p class="notice notice-warning"><${Icon} name="alert" /> Deprecated: avoid it in new code.</p>`}
      ${op.kind === 'webhook' && html`<p class="op-webhook-note muted"><${Icon} name="send" size=${16} />
        Loop sends this request to URLs you register; answer with a 2xx.</p>`}
    </header>
    <div class="op-body">
      <div class="op-main">
        <${Markdown} text=${op.description} codeLink=${codeLink} className="prose op-desc" />
        ${op.kind === 'operation' && html`<${Security} spec=${spec} op=${op} codeLink=${codeLink} />`}
        <${Parameters} spec=${spec} op=${op} />
        <${RequestBody} spec=${spec} op=${op} />
        <${Responses} spec=${spec} op=${op} />
      </div>
      <aside class="op-aside" aria-label=${`Examples for “${op.summary || op.id}”`}>
        ${op.kind === 'operation'
          ? html`<${CodeBlock} title="Request" code=${curl} language="shell" copyLabel="Copy the curl command"
              className="code-card-curl" />`
          : html`<${WebhookHeaders} op=${op} />`}
        ${body && op.kind === 'webhook' && html`<${CodeBlock} title="Payload"
          code=${body.value === undefined ? '' : pretty(body.value)} language="json" />`}
        ${body && op.kind === 'operation' && html`<details class="code-details">
          <summary><${Icon} name="chevronRight" size=${14} /> Request body only</summary>
          <${CodeBlock} title="Request body" code=${body.value === undefined ? '' : pretty(body.value)} language="json" />
        </details>`}
        ${op.kind === 'operation' && html`<${ResponseSample} spec=${spec} op=${op} />`}
      </aside>
    </div>
  </section>`;
}
