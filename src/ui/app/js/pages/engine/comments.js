// An issue's comments as threads (top-level comments with their replies), a reply box
// under each thread and a box for a new comment. Bodies are Markdown, rendered safely.

import { html, useState } from '../../lib/html.js';
import { get, post } from '../../lib/api.js';
import { ago, initials, personName } from '../../lib/format.js';
import { Markdown } from '../../lib/markdown.js';
import { useSession } from '../../lib/session.js';
import { SubmitButton } from '../../ui/form.js';
import { Skeleton, useAsync } from '../../ui/states.js';
import { toast } from '../../ui/toast.js';

function Comment({ comment }) {
  return html`<article class=${`comment comment-${comment.authorType}`}>
    <span class="comment-avatar" aria-hidden="true">${initials({ display_name: comment.authorName })}</span>
    <div class="stack-tight">
      <div class="comment-head"><strong>${comment.authorName}</strong>
        ${comment.authorType !== 'human' && html`<span class="type-tag">${comment.authorType}</span>`}
        <span class="muted small" title=${comment.createdAt}>${ago(comment.createdAt)}</span></div>
      <${Markdown} text=${comment.body} />
    </div>
  </article>`;
}

function Composer({ issueId, parentId, onDone, placeholder, autofocus }) {
  const { user } = useSession();
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    if (!body.trim()) return;
    setBusy(true);
    try {
      await post(`/api/issues/${issueId}/comments`, { body, authorName: personName(user), authorType: 'human', parentId });
      setBody('');
      onDone();
    } catch (error) {
      toast(error.message, 'error');
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="form composer" onSubmit=${submit}>
    <textarea aria-label=${parentId ? 'Reply' : 'New comment'} rows=${parentId ? 2 : 3} value=${body} placeholder=${placeholder}
      autofocus=${autofocus} onInput=${(e) => setBody(e.target.value)}
      onKeyDown=${(e) => { if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) submit(e); }}></textarea>
    <div class="row-actions"><${SubmitButton} busy=${busy} disabled=${!body.trim()} className="btn btn-primary btn-small">
      ${parentId ? 'Reply' : 'Comment'}</${SubmitButton}>
      <span class="muted small">Markdown · Ctrl+Enter sends</span></div>
  </form>`;
}

export function Comments({ issueId, onChanged }) {
  const threads = useAsync(() => get(`/api/issues/${issueId}/comments`), [issueId]);
  const [replying, setReplying] = useState(null);
  const done = () => { setReplying(null); threads.reload(); onChanged(); };
  return html`<section class="panel" aria-label="Comments">
    <h2 class="panel-title">Comments</h2>
    ${threads.data === undefined ? html`<${Skeleton} lines=${2} />` : html`<div class="stack">
      ${threads.data.data.length === 0 && html`<p class="muted">No comments yet. Agents and people discuss the work here.</p>`}
      ${threads.data.data.map((thread) => html`<div class="thread" key=${thread.id}>
        <${Comment} comment=${thread} />
        ${(thread.replies.length > 0 || replying === thread.id) && html`<div class="comment-replies">
          ${thread.replies.map((reply) => html`<${Comment} key=${reply.id} comment=${reply} />`)}
          ${replying === thread.id && html`<${Composer} issueId=${issueId} parentId=${thread.id} onDone=${done} placeholder="Write a reply" autofocus />`}
        </div>`}
        ${replying !== thread.id && html`<div><button type="button" class="btn btn-ghost btn-small" onClick=${() => setReplying(thread.id)}>Reply</button></div>`}
      </div>`)}
      <${Composer} issueId=${issueId} onDone=${done} placeholder="Add a comment" />
    </div>`}
  </section>`;
}
