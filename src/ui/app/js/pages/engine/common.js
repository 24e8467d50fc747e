// What the engine dashboard's pages share: the words and colours of statuses, types and
// priorities, their badges, the section's frame with its counts, and polling.

import { html, useEffect, useState } from '../../lib/html.js';
import { get } from '../../lib/api.js';
import { useShortcuts } from '../../lib/keys.js';
import { navigate, useLocation } from '../../lib/router.js';
import { Badge } from '../../ui/table.js';
import { SideNavLayout } from '../../ui/sidenav.js';

export const STATUSES = ['triage', 'backlog', 'todo', 'in_progress', 'done', 'canceled'];
export const OPEN_STATUSES = ['triage', 'backlog', 'todo', 'in_progress'];
export const TYPES = ['signal', 'hypothesis', 'plan', 'task', 'monitor'];
export const PRIORITIES = [1, 2, 3, 4, 0];
export const RELATION_TYPES = ['blocked_by', 'blocks', 'related', 'duplicate'];

const statusWords = { triage: 'Triage', backlog: 'Backlog', todo: 'To do', in_progress: 'In progress', done: 'Done', canceled: 'Canceled' };
const statusKinds = { triage: 'warning', backlog: 'neutral', todo: 'info', in_progress: 'accent', done: 'success', canceled: 'neutral' };
const priorityWords = { 0: 'No priority', 1: 'Urgent', 2: 'High', 3: 'Medium', 4: 'Low' };
const relationWords = { blocked_by: 'Blocked by', blocks: 'Blocks', related: 'Related to', duplicate: 'Duplicate of' };
const severityKinds = { critical: 'danger', high: 'warning', medium: 'info', low: 'neutral' };

export const statusWord = (s) => statusWords[s] || s;
export const priorityWord = (p) => priorityWords[p] ?? String(p);
export const relationWord = (t) => relationWords[t] || t;
export const typeWord = (t) => t.charAt(0).toUpperCase() + t.slice(1);

export function IssueStatus({ status }) {
  return html`<span class=${`status-pill status-${status}`}><span class="status-dot"></span>${statusWord(status)}</span>`;
}

const reviewWords = {
  pending: ['Awaiting sign-off', 'warning'], approved: ['Signed off', 'success'], flagged: ['Flagged in review', 'danger'],
};
export const REVIEW_STATUSES = Object.keys(reviewWords);
export const reviewWord = (r) => (reviewWords[r] || [r])[0];

// Where a person's sign-off of the agent's work stands (nothing when none was asked for).
export function ReviewBadge({ reviewStatus }) {
  if (!reviewStatus) return null;
  const [word, kind] = reviewWords[reviewStatus] || [reviewStatus, 'neutral'];
  return html`<${Badge} kind=${kind}>${word}</${Badge}>`;
}

export function PriorityMark({ priority }) {
  return html`<span class=${`priority priority-${priority}`} title=${priorityWord(priority)}>
    <span class="priority-bars" aria-hidden="true"><i></i><i></i><i></i></span>${priorityWord(priority)}</span>`;
}

export function TypeTag({ type }) {
  return html`<span class=${`type-tag type-${type}`}>${typeWord(type)}</span>`;
}

export function SeverityBadge({ severity }) {
  return html`<${Badge} kind=${severityKinds[severity] || 'neutral'}>${severity}</${Badge}>`;
}

export function LabelChip({ label, onRemove }) {
  return html`<span class="label-chip" style=${{ '--label': label.color }}>
    <span class="label-dot"></span>${label.name}
    ${onRemove && html`<button type="button" class="chip-remove" aria-label=${`Remove ${label.name}`} onClick=${onRemove}>×</button>`}
  </span>`;
}

export function IssueLink({ issue }) {
  return html`<a class="issue-link" href=${`/issues/${issue.number}`}><span class="issue-number">#${issue.number}</span> ${issue.title}</a>`;
}

export { statusKinds };

// Calls `tick` every `seconds` while the page is visible.
export function usePolling(tick, seconds, deps = []) {
  useEffect(() => {
    const timer = setInterval(() => { if (!document.hidden) tick(); }, seconds * 1000);
    return () => clearInterval(timer);
  }, deps);
}

// The engine's pages beside its navigation, with what waits in triage and the prompts
// that need attention counted.
export function EngineLayout({ children }) {
  const { path } = useLocation();
  const [counts, setCounts] = useState({});
  useEffect(() => {
    get('/api/dashboard/stats').then((r) => setCounts((c) => ({ ...c, triage: r.data.issues.byStatus.triage || 0, active: r.data.dispatch.activeCount })), () => {});
  }, [path]);
  const items = [
    { href: '/', label: 'Overview', icon: 'target', exact: true, key: 'o' },
    { href: '/issues', label: 'Issues', icon: 'tasks', count: counts.triage, countLabel: 'in triage', key: 'i' },
    { href: '/dispatch', label: 'Dispatch', icon: 'zap', count: counts.active, countLabel: 'claimed now', key: 'd' },
    { href: '/activity', label: 'Activity', icon: 'clock', key: 'a' },
    { href: '/signals', label: 'Signals', icon: 'alert', key: 's' },
    { href: '/projects', label: 'Projects', icon: 'folder', key: 'p' },
    { href: '/goals', label: 'Goals', icon: 'flag', key: 'g' },
    { href: '/prompts', label: 'Prompts', icon: 'mark', key: 't' },
    { href: '/labels', label: 'Labels', icon: 'link', key: 'l' },
  ];
  // G, then a page's letter: the keyboard's way round the section.
  useShortcuts('Go to', items.map((item) => ({ key: `g ${item.key}`, label: item.label, run: () => navigate(item.href) })));
  return html`<${SideNavLayout} label="Engine" items=${items}>${children}</${SideNavLayout}>`;
}

// Every page of a list endpoint (up to 1,000 rows), for pickers.
export async function getAll(path) {
  const rows = [];
  for (let page = 1; page <= 5; page += 1) {
    const sep = path.includes('?') ? '&' : '?';
    const answer = await get(`${path}${sep}limit=200&page=${page}`);
    rows.push(...answer.data);
    if (rows.length >= answer.total || !answer.data.length) break;
  }
  return rows;
}

// An issue by its number (the pages' URLs use numbers): found through the list, since
// the API addresses issues by id.
export async function issueByNumber(number) {
  const answer = await get(`/api/issues?sort=-number&limit=1`);
  const newest = answer.data[0];
  if (!newest) return null;
  const offset = newest.number - Number(number);
  if (offset >= 0) {
    const page = await get(`/api/issues?sort=-number&limit=1&offset=${offset}`);
    if (page.data[0] && page.data[0].number === Number(number)) return page.data[0];
  }
  // Deleted issues leave gaps: look through the numbers below.
  for (let page = 1; page <= 25; page += 1) {
    const rows = await get(`/api/issues?sort=-number&limit=200&page=${page}`);
    const found = rows.data.find((i) => i.number === Number(number));
    if (found) return found;
    if (!rows.data.length || rows.data[rows.data.length - 1].number < Number(number)) break;
  }
  return null;
}
