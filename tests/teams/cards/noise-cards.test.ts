/** The burst, fold, held and digest cards: valid Adaptive Cards, honest counts, GitHub text escaped. */
import assert from 'node:assert/strict';
import * as AC from 'adaptivecards';
import type { BurstWindow } from '../../../src/routing/noise/burst-windows.js';
import type { Digest } from '../../../src/routing/noise/digest-content.js';
import { noiseCards } from '../../../src/teams/cards/noise-cards.js';

function problems(card: unknown): string[] {
  const parsed = new AC.AdaptiveCard();
  const errors: AC.IValidationError[] = [];
  parsed.parse(card, errors);
  return [...errors, ...parsed.validateProperties().failures.flatMap((f) => f.errors)]
    .filter((e) => e.error !== AC.ValidationError.UnsupportedCardVersion)
    .map((e) => e.message);
}

const window = (
  count: number,
  actors: string[],
  family: BurstWindow['family'] = 'push',
): BurstWindow => ({
  family,
  repo: 'acme/app',
  scope: 'main',
  alertId: 'k|c',
  firstAt: 0,
  lastAt: 40_000,
  count,
  actors,
  items: Array.from({ length: Math.min(count, 50) }, (_, i) => ({
    deliveryKey: `k${i}`,
    at: i,
    actor: actors[i % actors.length],
    title: `commit *${i}*`,
    url: `https://github.com/acme/app/commit/${i}`,
  })),
});

describe('noise cards', function () {
  it('says how many, by how many people, and lists the latest first', function () {
    const { card, text } = noiseCards.burst(window(12, ['alice', 'bob', 'carol']));
    assert.deepEqual(problems(card), []);
    assert.equal(text, '12 pushes to main in acme/app by 3 people in the last minute');
    const list = JSON.stringify(card);
    assert.ok(
      list.indexOf('commit \\\\*11\\\\*') < list.indexOf('commit \\\\*4\\\\*'),
      'newest first, markdown escaped',
    );
    assert.doesNotMatch(list, /commit \\\\\*3\\\\\*/, 'only the latest eight');
    assert.match(list, /and 4 earlier/);
    assert.equal(
      noiseCards.burst(window(2, ['alice'], 'ci')).text,
      '2 status updates to main in acme/app by 1 person in the last minute',
    );
  });

  it('lists every folded alert (each one is an alert someone may need)', function () {
    const { card, text } = noiseCards.folded(window(20, ['x'], 'folded'));
    assert.deepEqual(problems(card), []);
    assert.match(text, /^20 alerts folded into one card/);
    for (let i = 0; i < 20; i += 1)
      assert.match(JSON.stringify(card), new RegExp(`commit \\\\\\\\\\*${i}\\\\\\\\\\*`));
  });

  it('builds a valid digest with every section and the nudges, and an all-clear one', function () {
    const digest: Digest = {
      conversationId: 'c',
      date: '2026-06-03',
      awaitingReview: [
        {
          type: 'pr',
          repo: 'acme/app',
          number: 12,
          title: 'Faster [builds]',
          url: 'https://github.com/acme/app/pull/12',
          assignees: [],
          requestedReviewers: ['erin'],
          reviewRequestedAt: 0,
          lastActivityAt: 0,
          waitingMs: 50 * 3600_000,
        },
      ],
      failing: [
        {
          type: 'failing',
          repo: 'acme/app',
          branch: 'main',
          what: 'CI',
          since: 0,
          failingMs: 3 * 3600_000,
        },
      ],
      stale: [
        {
          type: 'issue',
          repo: 'acme/app',
          number: 7,
          assignees: ['frank'],
          lastActivityAt: 0,
          idleMs: 20 * 24 * 3600_000,
        },
      ],
      held: [
        {
          alertId: 'a',
          reason: 'quiet',
          priority: 'P2',
          text: 'held one',
          at: 0,
          chain: { chainId: 'c', nodeId: 'n', depth: 0 },
        },
      ],
      nudges: [{ login: 'erin', asks: ['review acme/app#12'] }],
    };
    const { card, text } = noiseCards.digest(digest);
    assert.deepEqual(problems(card), []);
    assert.equal(text, 'Daily digest for 2026-06-03: 4 things waiting');
    const json = JSON.stringify(card);
    for (const heading of [
      'Awaiting review',
      'Failing default branches',
      'Stale issues',
      'Held while quiet',
      'Nudges',
    ])
      assert.ok(json.includes(heading), heading);
    assert.match(json, /Faster \\\\\[builds\\\\\]/, 'titles are escaped');
    assert.match(json, /: 2 days, asked @erin/);
    assert.match(json, /quiet for 20 days/);
    const empty = noiseCards.digest({
      ...digest,
      awaitingReview: [],
      failing: [],
      stale: [],
      held: [],
      nudges: [],
    });
    assert.match(empty.text, /nothing is waiting/);
    assert.deepEqual(problems(empty.card), []);
  });
});
