// Schemas as people read them: each field with its type, whether it is required or may be
// null, its description and constraints, and its own fields behind "Show child fields"
// (built only when opened, so deep documents stay cheap). `$ref` names link to the
// schemas section; a schema that contains itself is linked, not expanded again.

import { Fragment, html, useState } from '../../lib/html.js';
import { Markdown } from '../../lib/markdown.js';
import { Icon } from '../../ui/icons.js';
import { resolve, schemaHref } from './spec.js';

const MAX_DEPTH = 12;

function isNullSchema(doc, schema) {
  const { node } = resolve(doc, schema);
  return node.type === 'null' || (Array.isArray(node.type) && node.type.length === 1 && node.type[0] === 'null');
}

// The schema reduced to what is shown:
// { kind: 'object' | 'map' | 'array' | 'variants' | 'scalar', name, node, types, nullable,
//   items?, variants?, combinator? }.
// `anyOf: [X, {type: null}]` and `type: [x, "null"]` become X, nullable.
export function shape(doc, schema) {
  const { node, name } = resolve(doc, schema);
  const variants = node.oneOf || node.anyOf;
  if (variants) {
    const rest = variants.filter((v) => !isNullSchema(doc, v));
    const nullable = rest.length < variants.length;
    if (rest.length === 1) {
      const inner = shape(doc, rest[0]);
      return { ...inner, nullable: inner.nullable || nullable, outer: node };
    }
    return { kind: 'variants', name, node, nullable, variants: rest, combinator: node.oneOf ? 'One of' : 'Any of', types: [] };
  }
  if (node.allOf) {
    const merged = { type: 'object', properties: {}, required: [] };
    for (const part of node.allOf) {
      const inner = resolve(doc, part).node;
      Object.assign(merged.properties, inner.properties || {});
      merged.required.push(...(inner.required || []));
      if (!merged.description && inner.description) merged.description = inner.description;
    }
    return { kind: 'object', name, node: { ...merged, ...node, allOf: undefined, properties: merged.properties, required: merged.required }, nullable: false, types: ['object'] };
  }
  let types = [].concat(node.type || []);
  const nullable = types.includes('null') || (Array.isArray(node.enum) && node.enum.includes(null) && types.length > 1);
  types = types.filter((t) => t !== 'null');
  if (!types.length) {
    if (node.properties || node.additionalProperties) types = ['object'];
    else if (node.items) types = ['array'];
    else if (node.format || node.pattern || node.minLength !== undefined) types = ['string'];
    else if ('const' in node && node.const !== null) types = [typeof node.const === 'number' ? 'number' : typeof node.const];
  }
  let kind = 'scalar';
  if (types.includes('array')) kind = 'array';
  if (types.includes('object')) {
    if (node.properties) kind = 'object';
    else if (node.additionalProperties && typeof node.additionalProperties === 'object') kind = 'map';
  }
  return { kind, name, node, types, nullable, items: node.items };
}

// Whether a shape has fields of its own to show.
function hasChildren(doc, s, depth = 0) {
  if (depth > MAX_DEPTH) return false;
  if (s.kind === 'object') return Object.keys(s.node.properties || {}).length > 0;
  if (s.kind === 'map') return true;
  // Alternatives that are all plain values ("a date-time or an empty string") have
  // nothing more to show than their type line.
  if (s.kind === 'variants') return s.variants.some((v) => hasChildren(doc, shape(doc, v), depth + 1));
  if (s.kind === 'array' && s.items) return hasChildren(doc, shape(doc, s.items), depth + 1);
  return false;
}

function SchemaLink({ name }) {
  return html`<a class="type-ref" href=${schemaHref(name)}>${name}</a>`;
}

// The type of a shape as words with links: "string (date-time)", "array of Issue",
// "map of integer", "Issue", "McpMessage or array of McpMessage".
export function TypeLabel({ doc, shape: s, depth = 0 }) {
  if (depth > 4) return 'any';
  if (s.kind === 'variants') {
    // A variant that is one value reads as that value: string (date-time) or "".
    return html`${s.variants.map((v, i) => {
      const variant = shape(doc, v);
      const label = 'const' in variant.node ? JSON.stringify(variant.node.const)
        : html`<${TypeLabel} doc=${doc} shape=${variant} depth=${depth + 1} />`;
      return html`<${Fragment} key=${i}>${i ? ' or ' : ''}${label}</${Fragment}>`;
    })}`;
  }
  if (s.kind === 'array') {
    return html`array of ${s.items ? html`<${TypeLabel} doc=${doc} shape=${shape(doc, s.items)} depth=${depth + 1} />` : 'any'}`;
  }
  if (s.kind === 'map') {
    return html`map of <${TypeLabel} doc=${doc} shape=${shape(doc, s.node.additionalProperties)} depth=${depth + 1} />`;
  }
  if (s.name && (s.kind === 'object' || s.node.enum || s.types.length === 0)) return html`<${SchemaLink} name=${s.name} />`;
  const words = s.types.length ? s.types.join(' or ') : 'any';
  const format = s.node.format || (s.outer && s.outer.format);
  return format ? `${words} (${format})` : words;
}

function literal(value) {
  return value === null ? 'null' : typeof value === 'string' ? value : JSON.stringify(value);
}

function between(low, high, unit) {
  if (low !== undefined && high !== undefined) return low === high ? `exactly ${low}${unit}` : `${low} to ${high}${unit}`;
  if (low !== undefined) return `at least ${low}${unit}`;
  if (high !== undefined) return `at most ${high}${unit}`;
  return null;
}

// The rules a value must follow, as short phrases, and its possible values.
// `example`, when given, is shown too (parameters show theirs).
export function Constraints({ node, example }) {
  const rules = [];
  const range = between(
    node.minimum ?? (node.exclusiveMinimum !== undefined ? `more than ${node.exclusiveMinimum}` : undefined),
    node.maximum ?? (node.exclusiveMaximum !== undefined ? `less than ${node.exclusiveMaximum}` : undefined), '');
  if (range) rules.push(range);
  const length = between(node.minLength, node.maxLength, ' characters');
  if (length) rules.push(length);
  const items = between(node.minItems, node.maxItems, ' items');
  if (items) rules.push(items);
  if (node.uniqueItems) rules.push('unique items');
  if (node.multipleOf) rules.push(`a multiple of ${node.multipleOf}`);
  const enumValues = Array.isArray(node.enum) ? node.enum : null;
  const keys = node.propertyNames && Array.isArray(node.propertyNames.enum) ? node.propertyNames.enum : null;
  const parts = [
    rules.length > 0 && html`<span key="rules">${rules.join(' · ')}</span>`,
    node.pattern && html`<span key="pattern">matches <code>${node.pattern}</code></span>`,
    'const' in node && html`<span key="const">always <code>${literal(node.const)}</code></span>`,
    'default' in node && html`<span key="default">default <code>${literal(node.default)}</code></span>`,
    example !== undefined && (example === null || typeof example !== 'object')
      && html`<span key="example">e.g. <code>${literal(example)}</code></span>`,
  ].filter(Boolean);
  if (!parts.length && !enumValues && !keys) return null;
  return html`<div class="constraints">
    ${parts.length > 0 && html`<div class="constraint-line">${parts}</div>`}
    ${enumValues && html`<div class="enum"><span class="enum-label">One of</span>
      ${enumValues.map((v) => html`<code key=${literal(v)} class="enum-value">${literal(v)}</code>`)}</div>`}
    ${keys && html`<div class="enum"><span class="enum-label">Keys</span>
      ${keys.map((v) => html`<code key=${literal(v)} class="enum-value">${literal(v)}</code>`)}</div>`}
  </div>`;
}

// One field (or parameter, or header): name, type, flags, description, constraints and,
// on request, its own fields. `description` overrides the schema's (a parameter's own).
// `example` (a parameter's) is shown among the constraints.
export function Field({ doc, name, schema = {}, required, description: given, example, deprecated, ancestors = [], depth = 0 }) {
  const [open, setOpen] = useState(false);
  const s = shape(doc, schema);
  const outer = resolve(doc, schema).node;
  const description = given || outer.description || (s.outer && s.outer.description) || s.node.description;
  const target = s.kind === 'array' && s.items ? shape(doc, s.items) : s;
  const recursive = target.name && ancestors.includes(target.name);
  const expandable = !recursive && depth < MAX_DEPTH && hasChildren(doc, s);
  return html`<li class="prop">
    <div class="prop-head">
      <code class="prop-name">${name}</code>
      <span class="prop-type"><${TypeLabel} doc=${doc} shape=${s} /></span>
      ${s.nullable && html`<span class="prop-flag">nullable</span>`}
      ${(deprecated || outer.deprecated || s.node.deprecated) && html`<span class="prop-flag prop-flag-warn">deprecated</span>`}
      ${(outer.readOnly || s.node.readOnly) && html`<span class="prop-flag">read-only</span>`}
      ${(outer.writeOnly || s.node.writeOnly) && html`<span class="prop-flag">write-only</span>`}
      ${required && html`<span class="prop-required">required</span>`}
    </div>
    ${description && html`<${Markdown} text=${description} className="prose prop-desc" />`}
    <${Constraints} node=${{ ...s.node, ...outer }} example=${example} />
    ${s.kind === 'array' && s.items && !expandable && html`<${Constraints} node=${shape(doc, s.items).node} />`}
    ${recursive && html`<p class="prop-recursive muted small"><${Icon} name="refresh" size=${14} />
      Contains ${target.name} again: see <${SchemaLink} name=${target.name} />.</p>`}
    ${expandable && html`<button type="button" class="child-toggle" aria-expanded=${open ? 'true' : 'false'}
        onClick=${() => setOpen(!open)}>
      <${Icon} name=${open ? 'chevronDown' : 'chevronRight'} size=${14} />
      ${open ? 'Hide' : 'Show'} child fields
    </button>`}
    ${expandable && open && html`<div class="prop-children">
      <${SchemaBody} doc=${doc} shape=${s} ancestors=${target.name ? [...ancestors, target.name] : ancestors} depth=${depth + 1} />
    </div>`}
  </li>`;
}

function Variants({ doc, shape: s, ancestors, depth }) {
  const [chosen, setChosen] = useState(0);
  const current = shape(doc, s.variants[Math.min(chosen, s.variants.length - 1)]);
  return html`<div class="variants">
    <div class="variant-picker" role="group" aria-label=${s.combinator}>
      <span class="enum-label">${s.combinator}</span>
      ${s.variants.map((v, i) => html`<button key=${i} type="button" class=${`seg ${i === chosen ? 'active' : ''}`}
          aria-pressed=${i === chosen ? 'true' : 'false'} onClick=${() => setChosen(i)}>
        ${plainType(doc, shape(doc, v))}
      </button>`)}
    </div>
    ${current.node.description && html`<${Markdown} text=${current.node.description} className="prose prop-desc" />`}
    ${hasChildren(doc, current) ? html`<${SchemaBody} doc=${doc} shape=${current}
      ancestors=${current.name ? [...ancestors, current.name] : ancestors} depth=${depth + 1} />`
      : html`<p class="muted small">A value of type <${TypeLabel} doc=${doc} shape=${current} />.</p>`}
  </div>`;
}

// A shape's type in plain words (for buttons, where links do not belong).
function plainType(doc, s, depth = 0) {
  if (depth > 4) return 'any';
  if (s.kind === 'array') return `array of ${s.items ? plainType(doc, shape(doc, s.items), depth + 1) : 'any'}`;
  if (s.name) return s.name;
  if (s.kind === 'variants') return s.variants.map((v) => plainType(doc, shape(doc, v), depth + 1)).join(' or ');
  return s.types.join(' or ') || 'any';
}

// The fields inside a shape (an object's properties, a map's values, an array's items,
// the chosen variant).
export function SchemaBody({ doc, shape: s, ancestors = [], depth = 0 }) {
  if (depth > MAX_DEPTH) return null;
  if (s.kind === 'array') {
    return s.items ? html`<${SchemaBody} doc=${doc} shape=${shape(doc, s.items)} ancestors=${ancestors} depth=${depth} />` : null;
  }
  if (s.kind === 'variants') return html`<${Variants} doc=${doc} shape=${s} ancestors=${ancestors} depth=${depth} />`;
  if (s.kind === 'map') {
    const keys = s.node.propertyNames || {};
    return html`<ul class="props">
      <${Field} doc=${doc} name=${keys.enum ? '{key}' : '{any key}'} schema=${s.node.additionalProperties}
        ancestors=${ancestors} depth=${depth} />
    </ul>`;
  }
  if (s.kind !== 'object') return null;
  const required = new Set(s.node.required || []);
  return html`<ul class="props">
    ${Object.entries(s.node.properties || {}).map(([name, property]) => html`<${Field} key=${name} doc=${doc}
      name=${name} schema=${property} required=${required.has(name)} ancestors=${ancestors} depth=${depth} />`)}
  </ul>`;
}

// A whole schema (a request or response body, a component): its type line and its
// fields, the first level open. `own` marks a component shown under its own name, whose
// type line then says what it is rather than linking to itself.
export function SchemaView({ doc, schema, ancestors = [], own: isOwn = false }) {
  const named = shape(doc, schema);
  const s = isOwn ? { ...named, name: null } : named;
  const own = s.kind === 'array' && s.items ? shape(doc, s.items) : named;
  const description = resolve(doc, schema).node.description || (s.kind === 'array' ? '' : s.node.description);
  return html`<div class="schema">
    <div class="schema-type">
      <span class="prop-type"><${TypeLabel} doc=${doc} shape=${s} /></span>
      ${s.nullable && html`<span class="prop-flag">nullable</span>`}
    </div>
    ${description && html`<${Markdown} text=${description} className="prose prop-desc" />`}
    <${Constraints} node=${s.node} />
    <${SchemaBody} doc=${doc} shape=${s} ancestors=${own.name ? [...ancestors, own.name] : ancestors} />
  </div>`;
}
