// The frame around every signed-in page: the top bar with the product's sections, the
// keyboard help and the person's menu, then the page. Public pages shown in it to
// someone signed out (the API reference) get the bar with a sign-in link instead.

import { cx, html, useEffect, useRef, useState } from '../lib/html.js';
import { useLocation } from '../lib/router.js';
import { isAdmin, signOut, useSession } from '../lib/session.js';
import { initials, personName } from '../lib/format.js';
import { sections } from '../routes.js';
import { Icon, Logo } from './icons.js';
import { showShortcuts } from './shortcuts.js';

function UserMenu({ user }) {
  const [open, setOpen] = useState(false);
  const ref = useRef(null);
  useEffect(() => {
    if (!open) return undefined;
    const close = (event) => { if (!ref.current || !ref.current.contains(event.target)) setOpen(false); };
    const escape = (event) => { if (event.key === 'Escape') setOpen(false); };
    document.addEventListener('pointerdown', close);
    document.addEventListener('keydown', escape);
    return () => {
      document.removeEventListener('pointerdown', close);
      document.removeEventListener('keydown', escape);
    };
  }, [open]);
  return html`<div class="menu" ref=${ref}>
    <button type="button" class="avatar-button" aria-haspopup="menu" aria-expanded=${open ? 'true' : 'false'}
      aria-label=${`Account: ${personName(user)}`} onClick=${() => setOpen(!open)}>
      <span class="avatar" aria-hidden="true">${initials(user)}</span>
    </button>
    ${open && html`<div class="menu-panel" role="menu">
      <div class="menu-who">
        <strong>${personName(user)}</strong>
        <span class="muted">${user.email}</span>
        <span class="badge badge-neutral">${user.role}</span>
      </div>
      <button type="button" role="menuitem" class="menu-item" onClick=${() => { setOpen(false); showShortcuts(); }}>
        <${Icon} name="keyboard" /> Keyboard shortcuts <kbd>?</kbd>
      </button>
      <button type="button" role="menuitem" class="menu-item" onClick=${signOut}>
        <${Icon} name="logout" /> Sign out
      </button>
    </div>`}
  </div>`;
}

export function AppShell({ children }) {
  const { user } = useSession();
  const { path, search, hash } = useLocation();
  const visible = user ? sections.filter((s) => !s.admin || isAdmin(user)) : [];
  const current = (s) => (Array.isArray(s.match)
    ? s.match.some((m) => path === m || (m !== '/' && path.startsWith(`${m}/`)))
    : path.startsWith(s.match));
  return html`<div class="shell">
    <a class="skip-link" href="#main">Skip to content</a>
    <header class="topbar">
      <a class="brand" href="/" aria-label="Loop home"><${Logo} /><span>Loop</span></a>
      <nav class="topnav" aria-label="Sections">
        ${visible.map((s) => html`<a key=${s.href} href=${s.href}
            class=${cx('topnav-link', current(s) && 'active')}
            aria-current=${current(s) ? 'page' : undefined}>
          <${Icon} name=${s.icon} /><span>${s.label}</span>
        </a>`)}
      </nav>
      <div class="topbar-end">
        <button type="button" class="btn btn-ghost btn-icon hide-narrow" aria-label="Keyboard shortcuts"
          title="Keyboard shortcuts (?)" onClick=${showShortcuts}><${Icon} name="keyboard" /></button>
        ${user ? html`<${UserMenu} user=${user} />`
          : html`<a class="btn btn-small" href=${`/login?next=${encodeURIComponent(path + search + hash)}`}>Sign in</a>`}
      </div>
    </header>
    <main id="main" class="main" tabindex="-1">${children}</main>
  </div>`;
}

// Sets the window title while the page is shown: "Review · Loop".
export function useTitle(title) {
  useEffect(() => {
    document.title = title ? `${title} · Loop` : 'Loop';
  }, [title]);
}

// A page's heading row: the title, an optional line under it, and actions on the right.
export function PageHeader({ title, subtitle, actions, back }) {
  return html`<div class="page-header">
    <div class="page-heading">
      ${back && html`<a class="back-link" href=${back.href}><${Icon} name="arrowLeft" size=${16} /> ${back.label}</a>`}
      <h1>${title}</h1>
      ${subtitle && html`<p class="page-subtitle">${subtitle}</p>`}
    </div>
    ${actions && html`<div class="page-actions">${actions}</div>`}
  </div>`;
}
