// The reviewer's score as it grows: level and XP with the way to the next level, the
// current and best streak, reviews, (once there are scored reviews) accuracy, catch rate,
// agreement and trust, and the badges earned.

import { cx, html } from '../../lib/html.js';
import { count, percent } from '../../lib/format.js';
import { Icon } from '../../ui/icons.js';
import { BadgeList } from '../../ui/badges.js';

// XP per level (the server's: level = 1 + xp / 100).
const XP_PER_LEVEL = 100;

export function StatsBar({ stats, gained }) {
  if (!stats) return html`<div class="stats stats-empty" aria-hidden="true"></div>`;
  const into = ((stats.xp % XP_PER_LEVEL) + XP_PER_LEVEL) % XP_PER_LEVEL;
  const hot = stats.streak >= 10;
  return html`<section class="stats" aria-label="Your score">
    <div class="stat stat-level" title=${`${XP_PER_LEVEL - into} XP to level ${stats.level + 1}`}>
      <span class="level-badge" aria-label=${`Level ${stats.level}`}>${stats.level}</span>
      <div class="xp">
        <div class="xp-line"><strong>${count(stats.xp)} XP</strong>
          ${gained ? html`<span key=${gained.at} class=${cx('xp-gain', gained.xp < 0 && 'xp-loss')}>${gained.xp > 0 ? '+' : ''}${gained.xp}</span>` : ''}
        </div>
        <div class="meter" role="meter" aria-valuemin="0" aria-valuemax=${XP_PER_LEVEL} aria-valuenow=${into}
          aria-label="Progress to the next level">
          <span class="meter-fill" style=${{ '--fill': `${into}%` }}></span>
        </div>
      </div>
    </div>
    <div class=${cx('stat', 'stat-streak', hot && 'stat-hot')} title=${hot ? 'Double XP while your streak is 10 or more' : 'Consecutive decisions'}>
      <${Icon} name="zap" /><span><strong>${stats.streak}</strong> streak</span>
      <span class="muted hide-narrow">best ${stats.best_streak}</span>
    </div>
    <div class="stat hide-narrow"><${Icon} name="check" /><span><strong>${count(stats.reviews)}</strong> reviews</span></div>
    ${stats.accuracy !== null && stats.accuracy !== undefined && html`<div class="stat hide-narrow" title="Correct answers on calibration tasks">
      <${Icon} name="target" /><span><strong>${percent(stats.accuracy)}</strong> accuracy</span></div>`}
    ${stats.agreement !== null && stats.agreement !== undefined && html`<div class="stat hide-narrow" title="Agreement with the final verdict on shared tasks">
      <${Icon} name="users" /><span><strong>${percent(stats.agreement)}</strong> agreement</span></div>`}
    ${stats.catch_rate !== null && stats.catch_rate !== undefined && html`<div class="stat hide-narrow"
        title=${`Planted errors caught: ${stats.decoys_caught} of ${stats.decoys_scored}`}>
      <${Icon} name="shield" /><span><strong>${percent(stats.catch_rate)}</strong> caught</span></div>`}
    ${stats.golden_scored + stats.decoys_scored > 0 && html`<div class="stat hide-narrow"
        title="Trust: (right answers + 1) / (probes scored + 2) over calibration tasks and planted errors">
      <${Icon} name="star" /><span><strong>${stats.trust_score.toFixed(2)}</strong> trust</span></div>`}
    <${BadgeList} ids=${stats.badges} className="hide-narrow" />
  </section>`;
}
