// Who is signed in: loaded once from /api/v1/auth/session, changed by signing in and
// out. A 401 from any API call means the session ended: back to the sign-in page, which
// returns here afterwards.

import { ApiError, get, post, whenSignedOut } from './api.js';
import { createStore, useStore } from './html.js';
import { navigate } from './router.js';

// { state: 'loading' | 'signed-out' | 'signed-in', user?, projectIds? }
export const session = createStore({ state: 'loading' });

export function useSession() {
  return useStore(session);
}

// Whether the user may administer the instance (owners and admins).
export function isAdmin(user) {
  return !!user && (user.role === 'owner' || user.role === 'admin');
}

export async function loadSession() {
  try {
    const answer = await get('/auth/session');
    const membership = (answer.memberships && answer.memberships[0]) || {};
    session.set({ state: 'signed-in', user: answer.user, projectIds: membership.project_ids || [] });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) session.set({ state: 'signed-out' });
    else session.set({ state: 'error', error });
  }
}

export async function signIn(email, password) {
  await post('/auth/login', { email, password });
  await loadSession();
}

export async function signOut() {
  try {
    await post('/auth/logout');
  } finally {
    session.set({ state: 'signed-out' });
    navigate('/login', { replace: true });
  }
}

// The sign-in page, remembering where to come back to.
export function toSignIn() {
  const here = window.location.pathname + window.location.search;
  const next = here.startsWith('/login') ? '' : `?next=${encodeURIComponent(here)}`;
  navigate(`/login${next}`, { replace: true });
}

whenSignedOut(() => {
  if (session.get().state === 'signed-in') session.set({ state: 'signed-out' });
  toSignIn();
});
