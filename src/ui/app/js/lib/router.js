// Client-side routing with real URLs: a table of path patterns (routes.js), links that
// change the page without reloading it, and the back and forward buttons.

import { createStore, useStore } from './html.js';

const location = createStore(currentLocation());

function currentLocation() {
  return { path: window.location.pathname, search: window.location.search, hash: window.location.hash };
}

// Goes to `to` (a path with an optional query and #anchor) without a page load. The page
// scrolls to the top, unless `to` names an anchor: the page showing it scrolls to it.
export function navigate(to, { replace = false } = {}) {
  const url = new URL(to, window.location.origin);
  const { pathname, search, hash } = window.location;
  if (url.pathname + url.search + url.hash === pathname + search + hash) return;
  if (replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  location.set(currentLocation());
  if (!url.hash) window.scrollTo(0, 0);
}

// Follows the browser's own history moves, and turns clicks on same-origin links into
// navigations (so every <a href="/…"> in the app is a real, shareable link). A link to an
// anchor of the current page is left to the browser, which scrolls to it.
export function startRouter() {
  window.addEventListener('popstate', () => location.set(currentLocation()));
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target.closest && event.target.closest('a[href]');
    if (!link || link.target || link.hasAttribute('download')) return;
    const url = new URL(link.href, window.location.href);
    if (url.origin !== window.location.origin || url.pathname.startsWith('/api/')) return;
    if (url.hash && url.pathname + url.search === window.location.pathname + window.location.search) return;
    event.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  });
}

// The current path and query; the component re-renders when they change.
export function useLocation() {
  return useStore(location);
}

// Where to go after signing in: the `next` path asked for, if it is a page of this site
// (never another origin), else the start page (the overview, or the review queue).
export function afterSignIn(next) {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/';
}

// The query parameters of the current location.
export function useQuery() {
  const { search } = useLocation();
  return Object.fromEntries(new URLSearchParams(search));
}

// The route of `routes` whose pattern (`/admin/projects/:id`) matches `path`, with the
// decoded parameters; null when none does.
export function match(routes, path) {
  const parts = path.replace(/\/+$/, '').split('/');
  for (const route of routes) {
    const pattern = route.path.replace(/\/+$/, '').split('/');
    if (pattern.length !== parts.length) continue;
    const params = {};
    const ok = pattern.every((segment, i) => {
      if (segment.startsWith(':')) {
        if (!parts[i]) return false;
        try {
          params[segment.slice(1)] = decodeURIComponent(parts[i]);
        } catch {
          return false;
        }
        return true;
      }
      return segment === parts[i];
    });
    if (ok) return { route, params };
  }
  return null;
}
