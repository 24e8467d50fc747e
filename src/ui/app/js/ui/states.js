// Loading, empty and error states, and `useAsync`, which loads data for a component.

import { html, useCallback, useEffect, useRef, useState } from '../lib/html.js';
import { Icon } from './icons.js';

// Runs `load` (returning a promise) when `deps` change; `{ data, error, loading, reload }`.
// A reload keeps the previous data on screen until the new data arrives.
export function useAsync(load, deps) {
  const [state, setState] = useState({ data: undefined, error: null, loading: true });
  const generation = useRef(0);
  const run = useCallback(() => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    Promise.resolve()
      .then(load)
      .then(
        (data) => { if (mine === generation.current) setState({ data, error: null, loading: false }); },
        (error) => { if (mine === generation.current) setState((s) => ({ data: s.data, error, loading: false })); },
      );
  }, deps);
  useEffect(run, [run]);
  return { ...state, reload: run };
}

export function Spinner({ label = 'Loading' }) {
  return html`<span class="spinner" role="progressbar" aria-label=${label}></span>`;
}

// Placeholder lines where content will appear.
export function Skeleton({ lines = 3 }) {
  return html`<div class="skeleton" aria-busy="true" aria-label="Loading">
    ${Array.from({ length: lines }, (_, i) => html`<span key=${i} class="skeleton-line"></span>`)}
  </div>`;
}

export function EmptyState({ icon = 'inbox', title, children, action }) {
  return html`<div class="empty">
    <div class="empty-icon"><${Icon} name=${icon} size=${28} /></div>
    <h3>${title}</h3>
    ${children && html`<div class="empty-body">${children}</div>`}
    ${action && html`<div class="empty-action">${action}</div>`}
  </div>`;
}

export function ErrorState({ error, retry, title = 'Something went wrong' }) {
  return html`<div class="empty empty-error" role="alert">
    <div class="empty-icon"><${Icon} name="alert" size=${28} /></div>
    <h3>${title}</h3>
    <div class="empty-body">${(error && error.message) || String(error)}</div>
    ${retry && html`<div class="empty-action">
      <button type="button" class="btn" onClick=${retry}><${Icon} name="refresh" /> Try again</button>
    </div>`}
  </div>`;
}

// Renders `children(data)` once `async` (from useAsync) has data, with loading and
// error states before that.
export function Loaded({ async, children, lines }) {
  if (async.data === undefined) {
    if (async.error) return html`<${ErrorState} error=${async.error} retry=${async.reload} />`;
    return html`<${Skeleton} lines=${lines} />`;
  }
  return children(async.data);
}
