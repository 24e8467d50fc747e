// The administration area's frame: its sections (projects, escalations, people) beside
// the page, as tabs on a phone.

import { cx, html, useEffect, useState } from '../../lib/html.js';
import { get } from '../../lib/api.js';
import { useLocation } from '../../lib/router.js';
import { Icon } from '../../ui/icons.js';

const items = [
  { href: '/admin/projects', label: 'Projects', icon: 'folder' },
  { href: '/admin/escalations', label: 'Escalations', icon: 'escalate', count: 'escalated' },
  { href: '/admin/people', label: 'People', icon: 'users' },
];

export function AdminLayout({ children }) {
  const { path } = useLocation();
  const [escalated, setEscalated] = useState(null);
  useEffect(() => {
    get('/projects').then((projects) => setEscalated(projects.reduce((n, p) => n + p.escalated, 0)), () => {});
  }, [path]);
  return html`<div class="admin">
    <nav class="admin-nav" aria-label="Administration">
      ${items.map((item) => {
        const current = path === item.href || path.startsWith(`${item.href}/`);
        return html`<a key=${item.href} href=${item.href} class=${cx('admin-nav-link', current && 'active')}
            aria-current=${current ? 'page' : undefined}>
          <${Icon} name=${item.icon} /><span>${item.label}</span>
          ${item.count && escalated > 0 && html`<span class="count-pill" aria-label=${`${escalated} waiting`}>${escalated}</span>`}
        </a>`;
      })}
    </nav>
    <div class="admin-page">${children}</div>
  </div>`;
}
