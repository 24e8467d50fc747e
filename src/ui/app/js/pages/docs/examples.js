// Examples the reference shows: request and response bodies (the document's own
// examples, else one built from the schema) and a ready-to-paste curl per operation.

import { pickMedia, resolve } from './spec.js';

// Placeholder values for formats without an example.
const FORMATS = {
  'date-time': '2026-01-15T09:30:00Z',
  date: '2026-01-15',
  time: '09:30:00Z',
  uuid: '0190f4c2-6f1e-7c3a-9b2d-5e8f1a2b3c4d',
  email: 'ada@example.com',
  uri: 'https://example.com',
  url: 'https://example.com',
  hostname: 'example.com',
  ipv4: '192.0.2.1',
};

// A value that fits `schema`: its example, const, default or first enum value, else one
// assembled from its parts. Circular schemas stop at the repeated reference.
export function exampleOf(doc, schema, seen = new Set(), depth = 0) {
  const { node, name } = resolve(doc, schema);
  if ('example' in node) return node.example;
  if (Array.isArray(node.examples) && node.examples.length) return node.examples[0];
  if ('const' in node) return node.const;
  if ('default' in node) return node.default;
  if (Array.isArray(node.enum) && node.enum.length) {
    const value = node.enum.find((v) => v !== null);
    return value === undefined ? null : value;
  }
  if (depth > 10 || (name && seen.has(name))) return name ? {} : null;
  const inner = name ? new Set([...seen, name]) : seen;
  const variants = node.oneOf || node.anyOf;
  if (variants) {
    const first = variants.find((v) => resolve(doc, v).node.type !== 'null') || variants[0];
    return first ? exampleOf(doc, first, inner, depth + 1) : null;
  }
  if (node.allOf) {
    return node.allOf.reduce((merged, part) => {
      const value = exampleOf(doc, part, inner, depth + 1);
      return value && typeof value === 'object' && !Array.isArray(value) ? { ...merged, ...value } : merged;
    }, {});
  }
  const types = [].concat(node.type || []).filter((t) => t !== 'null');
  const type = types[0] || (node.properties ? 'object' : node.items ? 'array' : null);
  switch (type) {
    case 'object': {
      const value = {};
      for (const [key, property] of Object.entries(node.properties || {})) {
        value[key] = exampleOf(doc, property, inner, depth + 1);
      }
      if (!node.properties && node.additionalProperties && typeof node.additionalProperties === 'object') {
        const keys = node.propertyNames && node.propertyNames.enum;
        value[keys ? keys[0] : 'key'] = exampleOf(doc, node.additionalProperties, inner, depth + 1);
      }
      return value;
    }
    case 'array':
      return node.items ? [exampleOf(doc, node.items, inner, depth + 1)] : [];
    case 'string':
      return FORMATS[node.format] || 'string';
    case 'integer':
    case 'number':
      return typeof node.minimum === 'number' ? node.minimum : 0;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return null;
  }
}

// The example of a media type object: its own `example`, its first `examples` entry, or
// one from its schema.
export function mediaExample(doc, media) {
  if (!media) return undefined;
  if ('example' in media) return media.example;
  const named = Object.values(media.examples || {})[0];
  if (named) {
    const { node } = resolve(doc, named);
    if ('value' in node) return node.value;
  }
  return media.schema ? exampleOf(doc, media.schema) : undefined;
}

// Pretty JSON for display.
export function pretty(value) {
  return JSON.stringify(value, null, 2);
}

// The shell variable curl reads each credential from. The admin key's matches the
// server's own LOOP_API_KEY.
const CREDENTIAL_VARIABLES = {
  bearerAuth: 'LOOP_API_KEY',
  projectKey: 'LOOP_PROJECT_KEY',
  sessionCookie: 'LOOP_SESSION',
};

// The shell variable holding the credential of the scheme called `name`.
export function credentialVariable(name) {
  return CREDENTIAL_VARIABLES[name] || name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/\W+/g, '_').toUpperCase();
}

// How a request carries the credential of the security scheme `name`: `flag` (curl's
// option) or `query` (a name and value for the URL), and `shown` (the header as people
// read it).
export function credentialFor(doc, name) {
  const scheme = resolve(doc, ((doc.components || {}).securitySchemes || {})[name]).node;
  const variable = `$${credentialVariable(name)}`;
  if (scheme.type === 'http' && String(scheme.scheme).toLowerCase() === 'basic') {
    return { flag: `-u "${variable}"`, shown: `Authorization: Basic base64(${variable})` };
  }
  if (scheme.type === 'apiKey' && scheme.in === 'cookie') {
    return { flag: `-b "${scheme.name}=${variable}"`, shown: `Cookie: ${scheme.name}=${variable}` };
  }
  if (scheme.type === 'apiKey' && scheme.in === 'header') {
    return { flag: `-H "${scheme.name}: ${variable}"`, shown: `${scheme.name}: ${variable}` };
  }
  if (scheme.type === 'apiKey' && scheme.in === 'query') {
    return { query: [scheme.name, variable], shown: `?${scheme.name}=${variable}` };
  }
  return { flag: `-H "Authorization: Bearer ${variable}"`, shown: `Authorization: Bearer ${variable}` };
}

// `text` inside single quotes for a POSIX shell.
function quote(text) {
  return `'${String(text).replace(/'/g, `'\\''`)}'`;
}

function paramValue(doc, parameter) {
  if ('example' in parameter) return parameter.example;
  const named = Object.values(parameter.examples || {})[0];
  if (named && 'value' in resolve(doc, named).node) return resolve(doc, named).node.value;
  return exampleOf(doc, parameter.schema || {});
}

// The body curl sends for `op`, if any: { type, value }.
export function requestExample(doc, op) {
  if (!op.requestBody) return null;
  const picked = pickMedia(op.requestBody.content);
  if (!picked) return null;
  return { type: picked.type, value: mediaExample(doc, picked.media) };
}

// A curl command for `op` against `origin`: the path's parameters filled with their
// examples, required query and header parameters, the first accepted credential, and the
// example body.
export function curlFor(doc, op, origin) {
  const fill = (name) => {
    const parameter = op.parameters.find((p) => p.in === 'path' && p.name === name);
    const value = parameter ? paramValue(doc, parameter) : undefined;
    return encodeURIComponent(String(value ?? name.toUpperCase()));
  };
  const query = op.parameters
    .filter((p) => p.in === 'query' && p.required)
    .map((p) => [p.name, String(paramValue(doc, p) ?? '')]);
  const flags = [];
  const credentials = (op.security[0] || []).map((name) => credentialFor(doc, name));
  for (const credential of credentials) {
    if (credential.flag) flags.push(credential.flag);
    if (credential.query) query.push(credential.query);
  }
  for (const header of op.parameters.filter((p) => p.in === 'header' && p.required)) {
    flags.push(`-H ${quote(`${header.name}: ${paramValue(doc, header) ?? ''}`)}`);
  }
  const body = requestExample(doc, op);
  if (body) {
    flags.push(`-H ${quote(`Content-Type: ${body.type}`)}`);
    const text = body.value === undefined ? '{}' : typeof body.value === 'string' && !/json/.test(body.type)
      ? body.value : pretty(body.value);
    flags.push(`-d ${quote(text)}`);
  }
  const search = query.map(([k, v]) => `${encodeURIComponent(k)}=${v.startsWith('$') ? v : encodeURIComponent(v)}`).join('&');
  const url = `${origin}${op.path.replace(/\{([^}]+)\}/g, (_, name) => fill(name))}${search ? `?${search}` : ''}`;
  const first = `curl${op.method === 'GET' ? '' : ` -X ${op.method}`} ${url.includes('$') ? `"${url}"` : quote(url)}`;
  return [first, ...flags.map((flag) => `  ${flag}`)].join(' \\\n');
}
