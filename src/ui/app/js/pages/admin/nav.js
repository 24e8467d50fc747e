// The administration area's frame: its sections (projects, escalations, people) beside
// the page, as tabs on a phone.

import { html, useEffect, useState } from '../../lib/html.js';
import { get } from '../../lib/api.js';
import { useLocation } from '../../lib/router.js';
import { SideNavLayout } from '../../ui/sidenav.js';

export function AdminLayout({ children }) {
  const { path } = useLocation();
  const [escalated, setEscalated] = useState(null);
  useEffect(() => {
    get('/projects').then((projects) => setEscalated(projects.reduce((n, p) => n + p.escalated, 0)), () => {});
  }, [path]);
  const items = [
    { href: '/admin/projects', label: 'Projects', icon: 'folder' },
    { href: '/admin/escalations', label: 'Escalations', icon: 'escalate', count: escalated },
    { href: '/admin/people', label: 'People', icon: 'users' },
  ];
  return html`<${SideNavLayout} label="Administration" items=${items}>${children}</${SideNavLayout}>`;
}
