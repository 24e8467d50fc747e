// The schemas section: every schema of `components.schemas`, anchored at its name (the
// target of the `$ref` links), with its fields and an example.

import { html, useMemo, useState } from '../../lib/html.js';
import { Icon } from '../../ui/icons.js';
import { CodeBlock } from './code.js';
import { exampleOf, pretty } from './examples.js';
import { SchemaView } from './schema.js';

function SchemaCard({ doc, name }) {
  const [showExample, setShowExample] = useState(false);
  const schema = doc.components.schemas[name];
  const example = useMemo(() => (showExample ? pretty(exampleOf(doc, schema)) : ''), [showExample]);
  return html`<section class="schema-card" id=${name} tabindex="-1" aria-labelledby=${`${name}-title`}>
    <header class="schema-card-head">
      <h2 id=${`${name}-title`}><code>${name}</code></h2>
      <a class="op-anchor" href=${`#${encodeURIComponent(name)}`} aria-label=${`Link to ${name}`}
        title="Link to this schema"><${Icon} name="link" size=${16} /></a>
    </header>
    <${SchemaView} doc=${doc} schema=${{ $ref: `#/components/schemas/${name}` }} own />
    <button type="button" class="child-toggle" aria-expanded=${showExample ? 'true' : 'false'}
        onClick=${() => setShowExample(!showExample)}>
      <${Icon} name=${showExample ? 'chevronDown' : 'chevronRight'} size=${14} /> ${showExample ? 'Hide' : 'Show'} example
    </button>
    ${showExample && html`<${CodeBlock} title="Example" code=${example} language="json" />`}
  </section>`;
}

export function Schemas({ spec }) {
  return html`<div class="schemas">
    <header class="section-head">
      <p class="eyebrow">Data</p>
      <h1>Schemas</h1>
      <p class="muted">The shapes the operations send and answer with, as named in the document
        (<code>components.schemas</code>). Type names in the operations link here.</p>
    </header>
    ${spec.schemas.map((name) => html`<${SchemaCard} key=${name} doc=${spec.doc} name=${name} />`)}
  </div>`;
}
