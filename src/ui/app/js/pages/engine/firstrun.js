// The first-run checklist: the server's address, an admin key made on the spot (shown
// once) with a copyable curl that sends the first signal, and how to connect an agent
// (MCP for Claude Code and Cursor, or plain HTTP). Steps tick themselves off as the
// first signal and the first claim arrive.

import { cx, html, useState } from '../../lib/html.js';
import { post } from '../../lib/api.js';
import { CopyButton } from '../../ui/copy.js';
import { Icon } from '../../ui/icons.js';
import { Spinner } from '../../ui/states.js';
import { toast } from '../../ui/toast.js';
import { Segmented } from '../../ui/form.js';

function Code({ text, label }) {
  return html`<div class="code-block"><pre class="code" aria-label=${label}>${text}</pre>
    <${CopyButton} text=${text} className="btn btn-small" /></div>`;
}

function Step({ n, done, title, children, waiting }) {
  return html`<li class=${cx('check-step', done && 'done')} data-step=${n} data-done=${done ? 'true' : 'false'}>
    <span class="check-mark" aria-label=${done ? 'Done' : `Step ${n}`}>${done ? html`<${Icon} name="check" size=${16} />` : n}</span>
    <div class="check-body">
      <h3>${title} ${!done && waiting && html`<span class="waiting"><${Spinner} label="Waiting" /> ${waiting}</span>`}</h3>
      ${children}
    </div>
  </li>`;
}

export function FirstRun({ progress, onHide }) {
  const origin = window.location.origin;
  const [key, setKey] = useState(null);
  const [busy, setBusy] = useState(false);
  const [agent, setAgent] = useState('Claude Code');
  const token = key ? key.key : '$LOOP_API_KEY';
  const makeKey = async () => {
    setBusy(true);
    try {
      setKey((await post('/api/keys', { name: 'first run' })).data);
    } catch (error) {
      toast(error.message, 'error');
    } finally {
      setBusy(false);
    }
  };
  const curl = `curl -s ${origin}/api/signals \\
  -H "Authorization: Bearer ${token}" \\
  -H "Content-Type: application/json" \\
  -d '{"source": "my-app", "type": "error", "severity": "high",
       "payload": {"message": "Checkout fails for EU cards"}}'`;
  const mcp = JSON.stringify({ mcpServers: { loop: { ...(agent === 'Claude Code' ? { type: 'http' } : {}), url: `${origin}/mcp`, headers: { Authorization: `Bearer ${token}` } } } }, null, 2);
  const loop = `# Claim the best unblocked issue with its prompt (204: nothing to do)
curl -s ${origin}/api/dispatch/next?agentSessionId=my-agent \\
  -H "Authorization: Bearer ${token}"`;
  const signalled = progress.signals > 0;
  const claimed = progress.claims > 0;
  return html`<section class="stack first-run" aria-label="Getting started">
    <div class="panel-head">
      <div class="hero">
        <h2>Close your first loop</h2>
        <p class="muted">Three steps: a key, a signal from your software, an agent that picks up the work.</p>
      </div>
      ${onHide && html`<button type="button" class="btn btn-ghost btn-small" onClick=${onHide}>Hide checklist</button>`}
    </div>
    <ol class="checklist">
      <${Step} n=${1} done=${!!key || signalled} title="Make an API key">
        <p class="muted">Loop is running at <code>${origin}</code>. Software and agents call it with an admin key.</p>
        ${key ? html`<div class="stack">
            <p class="notice notice-warning"><${Icon} name="alert" /> Copy it now: this is the only time the key is shown.</p>
            <${Code} text=${key.key} label="API key" />
          </div>`
          : html`<div><button type="button" class="btn btn-primary" onClick=${makeKey} disabled=${busy}>
              ${busy ? html`<${Spinner} />` : html`<${Icon} name="key" />`} Create an API key</button></div>`}
      </${Step}>
      <${Step} n=${2} done=${signalled} title="Send your first signal" waiting="Waiting for a signal…">
        <p class="muted">An error, a metric that moved, a user complaint: each signal becomes an issue in triage.
          Webhooks for GitHub, Sentry and PostHog work too.</p>
        <${Code} text=${curl} label="First signal" />
      </${Step}>
      <${Step} n=${3} done=${claimed} title="Connect an agent" waiting="Waiting for an agent to claim work…">
        <p class="muted">Move an issue to <strong>To do</strong>; the agent claims the most important unblocked one, with a prompt.</p>
        <${Segmented} label="Agent" options=${['Claude Code', 'Cursor', 'HTTP']} value=${agent} onChange=${setAgent} />
        ${agent === 'HTTP' ? html`<${Code} text=${loop} label="Dispatch" />`
          : html`<p class="small muted">${agent === 'Claude Code' ? html`Save as <code>.mcp.json</code> in your project.` : html`Save as <code>.cursor/mcp.json</code> in your project.`}</p>
            <${Code} text=${mcp} label="MCP configuration" />`}
      </${Step}>
    </ol>
  </section>`;
}
