// Every page of the app: its path pattern, who may see it, and the module that renders
// it (loaded when first visited). The engine dashboard (`/issues`, `/dispatch`, …) and
// `/docs` plug in here as more rows and sections; the server lists the same paths as app
// paths (src/ui/mod.rs) so that reloading any of them serves the app.

// access: 'public' (anyone), 'user' (signed in), 'admin' (owners and admins).
export const routes = [
  { path: '/', access: 'user', load: () => import('./pages/review/page.js'), redirect: '/review' },
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
];

// The sections of the top bar. `match` is the path prefix that marks a section current.
// (The engine dashboard and the API docs will add theirs here.)
export const sections = [
  { label: 'Review', href: '/review', match: '/review', icon: 'review' },
  { label: 'Admin', href: '/admin', match: '/admin', icon: 'shield', admin: true },
];

export const notFound = () => import('./pages/not_found.js');
