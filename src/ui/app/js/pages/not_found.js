// What an unknown path shows (the server answered it with 404).

import { html } from '../lib/html.js';
import { useLocation } from '../lib/router.js';
import { useTitle } from '../ui/layout.js';
import { EmptyState } from '../ui/states.js';

export default function NotFound() {
  const { path } = useLocation();
  useTitle('Not found');
  return html`<div class="page">
    <${EmptyState} icon="target" title="There is no page here"
      action=${html`<a class="btn btn-primary" href="/review">Go to review</a>`}>
      <code>${path}</code> is not a page of Loop. Check the address, or start from the review queue.
    </${EmptyState}>
  </div>`;
}
