// A section's frame: its pages as a list beside the page (tabs on a phone), each with an
// optional count. Administration and the engine dashboard both use it.

import { cx, html } from '../lib/html.js';
import { useLocation } from '../lib/router.js';
import { Icon } from './icons.js';

// items: [{ href, label, icon, count?, exact? }]
export function SideNavLayout({ label, items, children }) {
  const { path } = useLocation();
  return html`<div class="admin">
    <nav class="admin-nav" aria-label=${label}>
      ${items.map((item) => {
        const current = path === item.href || (!item.exact && path.startsWith(`${item.href}/`));
        return html`<a key=${item.href} href=${item.href} class=${cx('admin-nav-link', current && 'active')}
            aria-current=${current ? 'page' : undefined}>
          <${Icon} name=${item.icon} /><span>${item.label}</span>
          ${item.count > 0 && html`<span class="count-pill" aria-label=${`${item.count} ${item.countLabel || 'waiting'}`}>${item.count}</span>`}
        </a>`;
      })}
    </nav>
    <div class="admin-page">${children}</div>
  </div>`;
}
