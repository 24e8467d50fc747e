// /activity — what happened, as chains: a signal (or any root issue) with the issues it
// led to, each with its status and what blocks it, most recent activity first.

import { html, useState } from '../../lib/html.js';
import { get } from '../../lib/api.js';
import { ago } from '../../lib/format.js';
import { Icon } from '../../ui/icons.js';
import { PageHeader, useTitle } from '../../ui/layout.js';
import { EmptyState, Loaded, useAsync } from '../../ui/states.js';
import { EngineLayout, IssueLink, IssueStatus, TypeTag, usePolling } from './common.js';

const STEP = 20;

function Chain({ chain }) {
  const root = chain.root;
  return html`<article class="panel chain">
    <div class="chain-root">
      ${root.signalSource && html`<span class="chain-signal"><${Icon} name="alert" size=${14} /> ${root.signalSource}</span>`}
      <${TypeTag} type=${root.type} /><${IssueLink} issue=${root} /><${IssueStatus} status=${root.status} />
      <span class="chain-time" title=${chain.latestActivity}>${ago(chain.latestActivity)}</span>
    </div>
    ${chain.children.length > 0 && html`<ul class="chain-children">${chain.children.map(({ issue, relations }) => html`<li key=${issue.id}>
      <${TypeTag} type=${issue.type} /><${IssueLink} issue=${issue} /><${IssueStatus} status=${issue.status} />
      ${relations.some((r) => r.type === 'blocked_by') && html`<span class="badge badge-danger">blocked</span>`}
      <span class="chain-time" title=${issue.updatedAt}>${ago(issue.updatedAt)}</span>
    </li>`)}</ul>`}
  </article>`;
}

export default function Activity() {
  useTitle('Activity');
  const [limit, setLimit] = useState(STEP);
  const chains = useAsync(() => get(`/api/dashboard/activity?limit=${limit}`), [limit]);
  usePolling(chains.reload, 15, [chains.reload]);
  return html`<${EngineLayout}>
    <${PageHeader} title="Activity" subtitle="Signals and the work they led to, latest first." />
    <${Loaded} async=${chains} lines=${8}>${(r) => (r.data.length ? html`<div class="stack">
        ${r.data.map((chain) => html`<${Chain} key=${chain.root.id} chain=${chain} />`)}
        ${r.data.length >= limit && html`<div><button type="button" class="btn" onClick=${() => setLimit(limit + STEP)}>Show more</button></div>`}
      </div>` : html`<${EmptyState} icon="clock" title="Nothing has happened yet">Signals and issues appear here as they arrive and change.</${EmptyState}>`)}
    </${Loaded}>
  </${EngineLayout}>`;
}
