// Reviewer badges by name: what each is called and how it is earned (the server's rules,
// docs/reviewer-quality.md "Scores"), shown in the review game and on the admin pages.

import { html } from '../lib/html.js';

const badges = {
  first_review: ['First review', 'Made a first decision'],
  reviews_100: ['100 reviews', 'Made 100 decisions'],
  reviews_1000: ['1,000 reviews', 'Made 1,000 decisions'],
  streak_10: ['Streak 10', 'Ten good decisions in a row'],
  streak_50: ['Streak 50', 'Fifty good decisions in a row'],
  streak_100: ['Streak 100', 'A hundred good decisions in a row'],
  decoy_caught: ['Decoy caught', 'Caught a planted error'],
  decoy_hunter: ['Decoy hunter', 'Caught ten planted errors'],
  calibrated: ['Calibrated', 'Ten calibration tasks scored, at least 90% right'],
  trusted: ['Trusted', 'Twenty probes scored with a trust score of at least 0.9'],
};

// "Decoy caught" for `decoy_caught` (an unknown badge reads as its name).
export function badgeName(id) {
  return (badges[id] || [id])[0];
}

// The badges `ids` as pills, each explaining itself on hover.
export function BadgeList({ ids, className = '' }) {
  if (!ids || ids.length === 0) return null;
  return html`<ul class=${`badges ${className}`} aria-label="Badges">
    ${ids.map((id) => html`<li key=${id} class="badge badge-accent" title=${(badges[id] || [id, ''])[1]}>${badgeName(id)}</li>`)}
  </ul>`;
}
