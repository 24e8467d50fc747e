// /admin/projects/{id}/{tab} — one project: its tasks, API keys, webhooks (signing secret
// and subscriptions), delivery log, reviewers and settings, one tab each (real URLs).

import { cx, html } from '../../lib/html.js';
import { get } from '../../lib/api.js';
import { count } from '../../lib/format.js';
import { Icon } from '../../ui/icons.js';
import { PageHeader, useTitle } from '../../ui/layout.js';
import { ErrorState, Skeleton, useAsync } from '../../ui/states.js';
import { AdminLayout } from './nav.js';
import Tasks from './tasks.js';
import Keys from './keys.js';
import Webhooks from './webhooks.js';
import Deliveries from './deliveries.js';
import Reviewers from './reviewers.js';
import Settings from './settings.js';

const tabs = [
  { id: 'tasks', label: 'Tasks', icon: 'tasks', page: Tasks },
  { id: 'keys', label: 'API keys', icon: 'key', page: Keys },
  { id: 'webhooks', label: 'Webhooks', icon: 'link', page: Webhooks },
  { id: 'deliveries', label: 'Deliveries', icon: 'send', page: Deliveries },
  { id: 'reviewers', label: 'Reviewers', icon: 'users', page: Reviewers },
  { id: 'settings', label: 'Settings', icon: 'settings', page: Settings },
];

export default function Project({ params }) {
  const project = useAsync(() => get(`/projects/${encodeURIComponent(params.id)}`), [params.id]);
  const tab = tabs.find((t) => t.id === (params.tab || 'tasks'));
  useTitle(project.data ? `${project.data.name} · ${tab ? tab.label : ''}` : 'Project');
  let body;
  if (project.data === undefined) {
    body = project.error
      ? html`<${ErrorState} title="This project could not load" error=${project.error} retry=${project.reload} />`
      : html`<${Skeleton} lines=${6} />`;
  } else if (!tab) {
    body = html`<${ErrorState} title="There is no such tab" error=${`“${params.tab}” is not a part of a project.`} />`;
  } else {
    const p = project.data;
    const Page = tab.page;
    body = html`
      <${PageHeader} title=${p.name} back=${{ href: '/admin/projects', label: 'Projects' }}
        subtitle=${html`<span class="inline-stats">
          <span><strong>${count(p.pending)}</strong> pending</span>
          <span class=${p.escalated ? 'text-warning' : ''}><strong>${count(p.escalated)}</strong> escalated</span>
          <span><strong>${count(p.reviewed)}</strong> reviewed</span>
        </span>`} />
      <nav class="tabs" aria-label="Project">
        ${tabs.map((t) => html`<a key=${t.id} href=${`/admin/projects/${p.id}/${t.id}`}
            class=${cx('tab', t === tab && 'active')} aria-current=${t === tab ? 'page' : undefined}>
          <${Icon} name=${t.icon} size=${16} /><span>${t.label}</span></a>`)}
      </nav>
      <section class="tab-panel"><${Page} project=${p} onChanged=${project.reload} /></section>`;
  }
  return html`<${AdminLayout}>${body}</${AdminLayout}>`;
}
