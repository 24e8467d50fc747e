// Calls to the server's JSON APIs. Every state-changing request declares a JSON body:
// with the SameSite=Strict session cookie that is what keeps other sites from acting for
// the signed-in person (the server refuses such requests without it).

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error) || `The server answered ${status}.`);
    this.status = status;
    this.code = body && body.code;
    this.field = body && body.field;
  }
}

let onSignedOut = () => {};

// What to do when the server says the session is gone (401): the session module sends
// the person to the sign-in page.
export function whenSignedOut(handler) {
  onSignedOut = handler;
}

// `method` on `path` with `body` (JSON) when given; resolves to the parsed JSON answer
// (null for 204) or rejects with an ApiError. Paths are the review API's (`/tasks` means
// `/api/v1/tasks`) unless they start with `/api/` (the engine API's, e.g. `/api/issues`).
export async function request(method, path, body) {
  const init = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin' };
  if (method !== 'GET') {
    init.headers['Content-Type'] = 'application/json';
    if (method !== 'DELETE') init.body = JSON.stringify(body ?? {});
  }
  let response;
  try {
    response = await fetch(path.startsWith('/api/') ? path : `/api/v1${path}`, init);
  } catch {
    throw new ApiError(0, { error: 'Cannot reach the server. Check the connection and try again.' });
  }
  const text = response.status === 204 ? '' : await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { error: text.slice(0, 200) };
    }
  }
  if (!response.ok) {
    const error = new ApiError(response.status, data);
    if (response.status === 401 && !path.startsWith('/auth/')) onSignedOut();
    throw error;
  }
  return data;
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body);
export const patch = (path, body) => request('PATCH', path, body);
export const put = (path, body) => request('PUT', path, body);
export const del = (path) => request('DELETE', path);

// `?a=1&b=2` from an object, leaving out empty values.
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
