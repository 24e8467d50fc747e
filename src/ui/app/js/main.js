// The app's entry point: finds the page for the URL, checks who may see it, and renders it
// inside the app shell.

import { html, render, useEffect, useState } from './lib/html.js';
import { afterSignIn, match, navigate, startRouter, useLocation, useQuery } from './lib/router.js';
import { isAdmin, loadSession, toSignIn, useSession } from './lib/session.js';
import { startShortcuts } from './lib/keys.js';
import { notFound, routes } from './routes.js';
import { AppShell } from './ui/layout.js';
import { ConfirmHost } from './ui/dialog.js';
import { ToastHost } from './ui/toast.js';
import { ShortcutsDialog } from './ui/shortcuts.js';
import { EmptyState, ErrorState, Skeleton } from './ui/states.js';

const modules = new Map();

// The page component of `load`, loaded once.
function usePage(load) {
  const [page, setPage] = useState(() => modules.get(load));
  const [error, setError] = useState(null);
  useEffect(() => {
    setError(null);
    if (modules.has(load)) {
      setPage(() => modules.get(load));
      return;
    }
    setPage(undefined);
    load().then(
      (module) => { modules.set(load, module.default); setPage(() => module.default); },
      setError,
    );
  }, [load]);
  return { page, error };
}

function Page({ load, params }) {
  const { page: Component, error } = usePage(load);
  if (error) return html`<${ErrorState} title="This page could not load" error=${error} retry=${() => window.location.reload()} />`;
  if (!Component) return html`<div class="page"><${Skeleton} lines=${5} /></div>`;
  return html`<${Component} params=${params} />`;
}

function App() {
  const { path } = useLocation();
  const { next } = useQuery();
  const session = useSession();
  const found = match(routes, path);
  const route = found ? found.route : null;
  const signedIn = session.state === 'signed-in';
  const redirect = route && signedIn && (typeof route.redirect === 'function' ? route.redirect(session.user) : route.redirect);

  useEffect(() => {
    if (session.state === 'signed-out' && route && route.access !== 'public') toSignIn();
    if (redirect) navigate(redirect, { replace: true });
    if (signedIn && path === '/login') navigate(afterSignIn(next), { replace: true });
  }, [session.state, path]);

  if (session.state === 'loading') return html`<div class="boot" aria-busy="true"></div>`;
  if (session.state === 'error') {
    return html`<div class="page"><${ErrorState} title="Loop could not reach the server" error=${session.error}
      retry=${loadSession} /></div>`;
  }
  if (route && route.access === 'public') {
    const page = html`<${Page} load=${route.load} params=${found.params} />`;
    return route.chrome ? html`<${AppShell}>${page}</${AppShell}>` : page;
  }
  if (!signedIn) return html`<div class="boot" aria-busy="true"></div>`;
  let body;
  if (!route) body = html`<${Page} load=${notFound} params=${{}} />`;
  else if (redirect) body = html`<div class="page"><${Skeleton} lines=${5} /></div>`;
  else if (route.access === 'admin' && !isAdmin(session.user)) {
    body = html`<div class="page"><${EmptyState} icon="shield" title="Owners and admins only"
      action=${html`<a class="btn" href="/review">Go to review</a>`}>
      This page runs the review service. Ask an owner or admin if you need something here.
    </${EmptyState}></div>`;
  } else body = html`<${Page} load=${route.load} params=${found.params} />`;
  return html`<${AppShell}>${body}</${AppShell}>`;
}

function Root() {
  return html`<${App} /><${ShortcutsDialog} /><${ConfirmHost} /><${ToastHost} />`;
}

startRouter();
startShortcuts();
loadSession();
render(html`<${Root} />`, document.getElementById('app'));
