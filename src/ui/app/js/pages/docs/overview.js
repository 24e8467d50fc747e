// The reference's first page: what the API is, where it is served, how to authenticate,
// and an index of every operation grouped by API and tag.

import { html } from '../../lib/html.js';
import { Markdown } from '../../lib/markdown.js';
import { CopyButton } from '../../ui/copy.js';
import { Icon } from '../../ui/icons.js';
import { credentialFor, credentialVariable } from './examples.js';
import { MethodBadge, PathText } from './operation.js';
import { operationHref, resolve } from './spec.js';

function Authentication({ spec, codeLink }) {
  const schemes = Object.entries((spec.doc.components && spec.doc.components.securitySchemes) || {});
  if (!schemes.length) return null;
  const uses = (name) => spec.operations.filter((op) => op.security.some((alt) => alt.includes(name))).length;
  return html`<section class="overview-section" aria-labelledby="auth-title">
    <h2 id="auth-title">Authentication</h2>
    <p class="muted">Each operation says which of these it accepts. The examples read the credential from a
      shell variable, so you can paste them as they are after <code>export ${credentialVariable(schemes[0][0])}=…</code>.</p>
    <div class="auth-cards">
      ${schemes.map(([name, raw]) => {
        const scheme = resolve(spec.doc, raw).node;
        return html`<article key=${name} class="auth-card">
          <div class="auth-scheme-head"><${Icon} name="key" size=${16} /><strong>${name}</strong>
            <span class="badge">${uses(name)} operations</span></div>
          <code class="auth-how">${credentialFor(spec.doc, name).shown}</code>
          ${scheme.description && html`<${Markdown} text=${scheme.description} codeLink=${codeLink} className="prose prop-desc" />`}
        </article>`;
      })}
    </div>
  </section>`;
}

function EndpointIndex({ spec }) {
  return html`<section class="overview-section" aria-labelledby="index-title">
    <h2 id="index-title">Endpoints</h2>
    ${spec.groups.map((group) => html`<div key=${group.name} class="index-group">
      <h3 class="index-group-title">${group.name}</h3>
      <div class="index-tags">
        ${group.tags.map((tag) => html`<article key=${tag.slug} class="index-tag">
          <header>
            <a class="index-tag-name" href=${`/docs/${tag.slug}`}>${tag.label}</a>
            ${tag.description && html`<p class="muted small">${tag.description}</p>`}
          </header>
          <ul class="index-ops">
            ${tag.operations.map((op) => html`<li key=${op.id}>
              <a class="index-op" href=${operationHref(spec, op)} data-index-op=${op.id}>
                <${MethodBadge} method=${op.method} small />
                <span class="index-op-path"><${PathText} path=${op.path} /></span>
                <span class="index-op-summary">${op.summary}</span>
              </a>
            </li>`)}
          </ul>
        </article>`)}
      </div>
    </div>`)}
  </section>`;
}

export function Overview({ spec, codeLink }) {
  const { info } = spec;
  const origin = window.location.origin;
  return html`<div class="overview">
    <header class="overview-hero">
      <p class="eyebrow">API reference</p>
      <h1>${info.title || 'API'} <span class="badge badge-accent">v${info.version}</span></h1>
      ${info.summary && html`<p class="overview-summary">${info.summary}</p>`}
      <div class="overview-actions">
        <a class="btn" href="/api/openapi.json" download="openapi.json"><${Icon} name="download" /> openapi.json</a>
        <span class="muted small">OpenAPI ${spec.doc.openapi}: import it into a client generator, Postman or a no-code tool.</span>
      </div>
    </header>
    <section class="overview-section" aria-labelledby="base-title">
      <h2 id="base-title">Base URL</h2>
      <div class="secret">
        <code class="secret-value">${origin}</code>
        <div class="secret-actions"><${CopyButton} text=${origin} ariaLabel="Copy the base URL" /></div>
      </div>
    </section>
    ${info.description && html`<section class="overview-section">
      <${Markdown} text=${info.description} codeLink=${codeLink} className="prose overview-prose" />
    </section>`}
    <${Authentication} spec=${spec} codeLink=${codeLink} />
    <${EndpointIndex} spec=${spec} />
  </div>`;
}
