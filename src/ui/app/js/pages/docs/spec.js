// The OpenAPI document as the reference reads it: fetched once from this server, then
// indexed into groups of tags, tags of operations, and the schemas, with `$ref`s resolved
// on demand. Pure functions apart from `loadSpec`.

import { get } from '../../lib/api.js';

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options', 'trace'];

// The page of the schemas, beside the tags' pages.
export const SCHEMAS = 'schemas';

let loading = null;

// The indexed document, loaded once per page load (every section shares it).
export function loadSpec() {
  if (!loading) {
    loading = get('/api/openapi.json').then(indexSpec, (error) => {
      loading = null;
      throw error;
    });
  }
  return loading;
}

// "Review: tasks" → "review-tasks": a tag's part of the URL.
export function slug(name) {
  return String(name).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'section';
}

// The name a `$ref` gives a schema ("#/components/schemas/Issue" → "Issue"), or null
// for references to anything else.
export function schemaName(ref) {
  const prefix = '#/components/schemas/';
  return typeof ref === 'string' && ref.startsWith(prefix) ? unescapePointer(ref.slice(prefix.length)) : null;
}

function unescapePointer(part) {
  return part.replace(/~1/g, '/').replace(/~0/g, '~');
}

// Follows `node`'s `$ref`s inside the document: `{ node, name }`, `name` being the
// schema's name when the last reference was to one. A reference that leads nowhere (or
// in a circle) resolves to an empty object, so the page shows "any" instead of failing.
export function resolve(doc, node) {
  let name = null;
  let current = node;
  for (let hops = 0; current && typeof current === 'object' && typeof current.$ref === 'string'; hops += 1) {
    if (hops > 16 || !current.$ref.startsWith('#/')) return { node: {}, name };
    name = schemaName(current.$ref) || name;
    let target = doc;
    for (const part of current.$ref.slice(2).split('/')) {
      target = target && typeof target === 'object' ? target[unescapePointer(part)] : undefined;
    }
    current = target;
  }
  return { node: current && typeof current === 'object' ? current : {}, name };
}

// The content entry to show of `content` (a media type map): JSON first.
export function pickMedia(content) {
  const entries = Object.entries(content || {});
  const json = entries.find(([type]) => /^application\/(.+\+)?json/.test(type));
  const [type, media] = json || entries[0] || [];
  return type ? { type, media: media || {} } : null;
}

// The security alternatives of an operation: a list of alternatives, each a list of
// scheme names that must all be sent ([] alone means no credentials).
function securityOf(doc, operation) {
  const requirements = operation.security || doc.security || [];
  return requirements.map((requirement) => Object.keys(requirement || {}));
}

// Path-level and operation-level parameters, resolved; the operation's win.
function parametersOf(doc, pathItem, operation) {
  const merged = new Map();
  for (const raw of [...(pathItem.parameters || []), ...(operation.parameters || [])]) {
    const { node } = resolve(doc, raw);
    if (node.name && node.in) merged.set(`${node.in}:${node.name}`, node);
  }
  return [...merged.values()];
}

function entry(doc, { kind, method, path, pathItem, operation, fallbackId }) {
  const tag = (operation.tags && operation.tags[0]) || 'Other';
  return {
    kind,
    id: operation.operationId || fallbackId,
    method: method.toUpperCase(),
    path,
    tag,
    summary: operation.summary || '',
    description: operation.description || '',
    deprecated: !!operation.deprecated,
    security: securityOf(doc, operation),
    parameters: parametersOf(doc, pathItem, operation),
    requestBody: operation.requestBody ? resolve(doc, operation.requestBody).node : null,
    responses: Object.entries(operation.responses || {}).map(([status, raw]) => ({
      status, response: resolve(doc, raw).node,
    })),
  };
}

// Gives each tag its `label`: its name without the prefix every tag of its group shares
// ("Review: tasks" → "Tasks" under the review API's heading).
function labelTags(tags) {
  const prefix = /^[^:]+:\s+/.exec(tags[0].name);
  const shared = tags.length > 1 && prefix && tags.every((t) => t.name.startsWith(prefix[0]));
  for (const tag of tags) {
    const rest = shared ? tag.name.slice(prefix[0].length) : tag.name;
    tag.label = rest.charAt(0).toUpperCase() + rest.slice(1);
  }
}

// The document as the page needs it:
// { doc, info, groups: [{ name, tags }], tags: [tag], tagBySlug, operations, byId, schemas }
// where a tag is { name, label, slug, description, operations, webhooks }.
export function indexSpec(doc) {
  const operations = [];
  for (const [path, rawItem] of Object.entries(doc.paths || {})) {
    const pathItem = resolve(doc, rawItem).node;
    for (const method of METHODS) {
      if (!pathItem[method]) continue;
      operations.push(entry(doc, {
        kind: 'operation', method, path, pathItem, operation: pathItem[method],
        fallbackId: slug(`${method} ${path}`),
      }));
    }
  }
  const webhooks = [];
  for (const [name, rawItem] of Object.entries(doc.webhooks || {})) {
    const pathItem = resolve(doc, rawItem).node;
    for (const method of METHODS) {
      if (!pathItem[method]) continue;
      webhooks.push(entry(doc, {
        kind: 'webhook', method, path: name, pathItem, operation: pathItem[method],
        fallbackId: slug(`webhook ${name} ${method}`),
      }));
    }
  }

  // Tags in the document's order, then any only operations name.
  const tags = new Map();
  const tagOf = (name) => {
    if (!tags.has(name)) {
      const declared = (doc.tags || []).find((t) => t.name === name) || {};
      let tagSlug = slug(name);
      while (tagSlug === SCHEMAS || [...tags.values()].some((t) => t.slug === tagSlug)) tagSlug += '-tag';
      tags.set(name, { name, slug: tagSlug, description: declared.description || '', operations: [], webhooks: [] });
    }
    return tags.get(name);
  };
  for (const t of doc.tags || []) tagOf(t.name);
  for (const op of operations) tagOf(op.tag).operations.push(op);
  for (const hook of webhooks) tagOf(hook.tag).webhooks.push(hook);
  const used = [...tags.values()].filter((t) => t.operations.length || t.webhooks.length);

  // Groups from `x-tagGroups` (as Redoc reads them); tags in none of them follow.
  const groups = [];
  const placed = new Set();
  for (const group of doc['x-tagGroups'] || []) {
    const members = (group.tags || []).map((name) => used.find((t) => t.name === name)).filter(Boolean);
    members.forEach((t) => placed.add(t));
    if (members.length) groups.push({ name: group.name, tags: members });
  }
  const rest = used.filter((t) => !placed.has(t));
  if (rest.length) groups.push({ name: groups.length ? 'More' : 'Endpoints', tags: rest });
  for (const group of groups) labelTags(group.tags);
  const ordered = groups.flatMap((g) => g.tags);

  const byId = new Map();
  for (const op of [...operations, ...webhooks]) if (!byId.has(op.id)) byId.set(op.id, op);
  return {
    doc,
    info: doc.info || {},
    groups,
    tags: ordered,
    tagBySlug: new Map(ordered.map((t) => [t.slug, t])),
    operations: ordered.flatMap((t) => t.operations),
    byId,
    schemas: Object.keys((doc.components && doc.components.schemas) || {}),
  };
}

// Whether `op` matches every word of `query` (in its method, path, summary, id or tag).
export function matches(op, query) {
  const haystack = `${op.method} ${op.path} ${op.summary} ${op.id} ${op.tag}`.toLowerCase();
  return query.toLowerCase().split(/\s+/).filter(Boolean).every((word) => haystack.includes(word));
}

// The operation that `text` (e.g. "GET /api/dispatch/next" in a description) names.
export function operationNamed(spec, text) {
  const found = /^(GET|PUT|POST|PATCH|DELETE|HEAD|OPTIONS)\s+(\/\S*)$/.exec(String(text).trim());
  if (!found) return null;
  return spec.operations.find((op) => op.method === found[1] && op.path === found[2]) || null;
}

// The page's URL of an operation, and of a schema.
export function operationHref(spec, op) {
  const tag = spec.tags.find((t) => t.name === op.tag);
  return `/docs/${tag ? tag.slug : ''}#${encodeURIComponent(op.id)}`;
}

export function schemaHref(name) {
  return `/docs/${SCHEMAS}#${encodeURIComponent(name)}`;
}
