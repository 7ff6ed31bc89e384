/**
 * The cards of noise control: a burst ("12 pushes to main by 3 people in the last minute"), a fold
 * summary (low-priority alerts while Teams' budget was spent), the alerts held during quiet mode,
 * and the daily digest with its nudges. Plain Adaptive Card JSON (no template: each is a heading
 * and lists), every string from GitHub escaped with card-text.ts.
 */
import type { BurstFamily, BurstWindow } from '../../routing/noise/burst-windows.js';
import type { HeldAlert } from '../../routing/noise/held-alerts.js';
import type { BuiltCard, NoiseCards } from '../../routing/noise/noise-control.js';
import type { AdaptiveCardJson } from './alert-card.js';
import { link, plain } from './card-text.js';

const SHOWN = 8;

const NOUNS: Record<BurstFamily, [string, string]> = {
  push: ['push', 'pushes'],
  ci: ['status update', 'status updates'],
  workflow: ['workflow run', 'workflow runs'],
  labels: ['label change', 'label changes'],
  folded: ['alert', 'alerts'],
  storm: ['event', 'events'],
};

const plural = (n: number, [one, many]: [string, string]) => `${n} ${n === 1 ? one : many}`;

function span(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  if (minutes <= 1) return 'in the last minute';
  if (minutes < 90) return `in the last ${minutes} minutes`;
  return `in the last ${Math.round(minutes / 60)} hours`;
}

function ago(ms: number): string {
  const hours = Math.floor(ms / 3600_000);
  return hours >= 48 ? `${Math.floor(hours / 24)} days` : `${hours} h`;
}

function card(
  title: string,
  sections: Array<{ heading?: string; lines: string[] }>,
  fallback: string,
): BuiltCard {
  const body: Record<string, unknown>[] = [
    { type: 'TextBlock', text: title, weight: 'Bolder', size: 'Medium', wrap: true },
  ];
  for (const section of sections) {
    if (section.lines.length === 0) continue;
    if (section.heading)
      body.push({
        type: 'TextBlock',
        text: section.heading,
        weight: 'Bolder',
        spacing: 'Medium',
        wrap: true,
      });
    body.push({
      type: 'TextBlock',
      text: section.lines.map((line) => `- ${line}`).join('\n'),
      wrap: true,
      spacing: 'Small',
    });
  }
  const built: AdaptiveCardJson = {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body,
    fallbackText: fallback,
  };
  return { card: built, text: fallback };
}

/** The latest `shown` items, newest first (a fold summary lists all it keeps: each is an alert). */
function itemLines(window: BurstWindow, shown = SHOWN): string[] {
  const latest = window.items.slice(-shown).reverse();
  const lines = latest.map((item) => {
    const what = item.title ?? item.sha?.slice(0, 7) ?? 'update';
    const who = item.actor ? ` by ${plain(item.actor, 40)}` : '';
    const state = item.state && window.family !== 'push' ? ` (${plain(item.state, 20)})` : '';
    return `${link(what, item.url)}${state}${who}`;
  });
  const more = window.count - latest.length;
  return more > 0 ? [...lines, `…and ${more} earlier`] : lines;
}

/** "in 40 s" under a minute and a half (a storm is fast), else the burst wording. */
function stormSpan(ms: number): string {
  return ms < 90_000
    ? `in ${Math.max(0, Math.round(ms / 1000))} s`
    : span(ms).replace('in the last', 'in');
}

/** "merge-queue[bot] posted the same comment 20 times in 40 s", or a dampened chain's count. */
function stormCard(window: BurstWindow): BuiltCard {
  const what = window.items.find((item) => item.what !== undefined)?.what ?? 'event';
  // A repeat storm's window opens at its second event; its first item is the first post.
  const elapsed = stormSpan(
    window.lastAt - Math.min(window.firstAt, ...window.items.map((item) => item.at)),
  );
  const title =
    window.scope.startsWith('repeat:') && window.actors.length === 1
      ? `${window.actors[0]} posted the same ${what} ${window.count} times on ${window.repo} ${elapsed}`
      : `${plural(window.count, NOUNS.storm)} on ${window.repo} by ${window.actors.join(', ') || 'automation'} ${elapsed}: Reynolds sees a loop and holds back its own writes`;
  return card(plain(title), [{ heading: 'Latest', lines: itemLines(window) }], title);
}

export const noiseCards: NoiseCards = {
  burst(window) {
    if (window.family === 'storm') return stormCard(window);
    const people = window.actors.length === 1 ? '1 person' : `${window.actors.length} people`;
    const where =
      window.family === 'labels'
        ? `on ${window.repo}${window.scope}`
        : `to ${window.scope} in ${window.repo}`;
    const title = `${plural(window.count, NOUNS[window.family])} ${where}${window.actors.length > 0 ? ` by ${people}` : ''} ${span(window.lastAt - window.firstAt)}`;
    return card(plain(title), [{ heading: 'Latest', lines: itemLines(window) }], title);
  },

  folded(window) {
    const title = `${plural(window.count, NOUNS.folded)} folded into one card: Teams' budget was busy with the important ones`;
    return card(plain(title), [{ lines: itemLines(window, window.items.length) }], title);
  },

  held(alerts) {
    const title = `While you were quiet: ${plural(alerts.length, NOUNS.folded)}`;
    return card(plain(title), [{ lines: heldLines(alerts) }], title);
  },

  digest(digest) {
    const waiting =
      digest.awaitingReview.length +
      digest.failing.length +
      digest.stale.length +
      digest.held.length;
    const title =
      waiting === 0
        ? `Daily digest for ${digest.date}: nothing is waiting. Enjoy it.`
        : `Daily digest for ${digest.date}: ${waiting} thing${waiting === 1 ? '' : 's'} waiting`;
    return card(
      plain(title),
      [
        {
          heading: 'Awaiting review',
          lines: digest.awaitingReview.map(
            (pr) =>
              `${link(`${pr.repo}#${pr.number} ${pr.title ?? ''}`.trim(), pr.url)}: ${ago(pr.waitingMs)}, asked ${plain(pr.requestedReviewers.map((r) => `@${r}`).join(', '))}`,
          ),
        },
        {
          heading: 'Failing default branches',
          lines: digest.failing.map(
            (f) =>
              `${link(`${f.repo} ${f.branch}`, f.url)}: ${plain(f.what, 80)}, failing for ${ago(f.failingMs)}`,
          ),
        },
        {
          heading: 'Stale issues',
          lines: digest.stale.map(
            (i) =>
              `${link(`${i.repo}#${i.number} ${i.title ?? ''}`.trim(), i.url)}: quiet for ${ago(i.idleMs)}`,
          ),
        },
        { heading: 'Held while quiet', lines: heldLines(digest.held) },
        {
          heading: 'Nudges',
          lines: digest.nudges.map((n) => `@${plain(n.login, 60)}: ${plain(n.asks.join(', '))}`),
        },
      ],
      title,
    );
  },
};

function heldLines(alerts: readonly HeldAlert[]): string[] {
  const lines = alerts.slice(0, SHOWN * 2).map((a) => `${a.priority} ${link(a.text, a.url)}`);
  const more = alerts.length - lines.length;
  return more > 0 ? [...lines, `…and ${more} more`] : lines;
}
