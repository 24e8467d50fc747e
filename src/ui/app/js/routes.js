// Every page of the app: its path pattern, who may see it, and the module that renders
// it (loaded when first visited). The server lists the same paths as app paths
// (src/ui/mod.rs) so that reloading any of them serves the app.

import { isAdmin } from './lib/session.js';

// The engine dashboard's pages (owners and admins): the top bar's Engine section.
const engine = ['/issues', '/dispatch', '/activity', '/signals', '/projects', '/goals', '/prompts', '/labels'];

// access: 'public' (anyone), 'user' (signed in), 'admin' (owners and admins). A public
// page with `chrome` is shown inside the app's top bar (without sections when signed out).
// redirect: a path, or a function of the signed-in user giving one (or null to stay).
export const routes = [
  { path: '/', access: 'user', load: () => import('./pages/engine/overview.js'), redirect: (user) => (isAdmin(user) ? null : '/review') },
  { path: '/issues', access: 'admin', load: () => import('./pages/engine/issues.js') },
  { path: '/issues/:number', access: 'admin', load: () => import('./pages/engine/issue.js') },
  { path: '/dispatch', access: 'admin', load: () => import('./pages/engine/dispatch.js') },
  { path: '/activity', access: 'admin', load: () => import('./pages/engine/activity.js') },
  { path: '/signals', access: 'admin', load: () => import('./pages/engine/signals.js') },
  { path: '/projects', access: 'admin', load: () => import('./pages/engine/projects.js') },
  { path: '/goals', access: 'admin', load: () => import('./pages/engine/goals.js') },
  { path: '/prompts', access: 'admin', load: () => import('./pages/engine/prompts.js') },
  { path: '/prompts/:id', access: 'admin', load: () => import('./pages/engine/prompt.js') },
  { path: '/labels', access: 'admin', load: () => import('./pages/engine/labels.js') },
  { path: '/login', access: 'public', load: () => import('./pages/login.js') },
  { path: '/review', access: 'user', load: () => import('./pages/review/page.js') },
  { path: '/admin', access: 'admin', load: () => import('./pages/admin/projects.js'), redirect: '/admin/projects' },
  { path: '/admin/projects', access: 'admin', load: () => import('./pages/admin/projects.js') },
  { path: '/admin/projects/:id', access: 'admin', load: () => import('./pages/admin/project.js') },
  { path: '/admin/projects/:id/:tab', access: 'admin', load: () => import('./pages/admin/project.js') },
  { path: '/admin/projects/:id/tasks/:taskId', access: 'admin', load: () => import('./pages/admin/task.js') },
  { path: '/admin/projects/:id/reviewers/:userId', access: 'admin', load: () => import('./pages/admin/reviewer.js') },
  { path: '/admin/escalations', access: 'admin', load: () => import('./pages/admin/escalations.js') },
  { path: '/admin/people', access: 'admin', load: () => import('./pages/admin/people.js') },
  // The API reference: public, inside the app's top bar (`chrome`) signed in or not.
  { path: '/docs', access: 'public', chrome: true, load: () => import('./pages/docs/page.js') },
  { path: '/docs/:section', access: 'public', chrome: true, load: () => import('./pages/docs/page.js') },
];

// The sections of the top bar. `match` is the path prefix that marks a section current
// (or a list of paths, each matching itself and what lies below it).
export const sections = [
  { label: 'Engine', href: '/', match: ['/', ...engine], icon: 'zap', admin: true },
  { label: 'Review', href: '/review', match: '/review', icon: 'review' },
  { label: 'Admin', href: '/admin', match: '/admin', icon: 'shield', admin: true },
  { label: 'API', href: '/docs', match: '/docs', icon: 'book' },
];

export const notFound = () => import('./pages/not_found.js');
