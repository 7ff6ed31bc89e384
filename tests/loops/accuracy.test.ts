/**
 * Loop accuracy on a seeded sample of generated scenarios (bench/loops/generated-scenarios.ts,
 * ground truth by construction, no detector code in the generator) through the real ChainTracker:
 * what `npm run bench:loops` measures over 10,000, here over 1,000.
 *
 * KNOWN_LIMITS lists scenario kinds that miss the 3-event target by design of the detector, as
 * strict expected failures (the kind must still miss its target); once
 * the detector meets the target for it, the test fails and asks for the entry to be removed.
 */
import assert from 'node:assert/strict';
import { runAccuracy, type AccuracyResult } from '../../bench/loops/accuracy.js';
import { LOOP_KINDS } from '../../bench/loops/generated-scenarios.js';

const LOOP = new Set(LOOP_KINDS);

const KNOWN_LIMITS: Record<string, string> = {
  'token-ping-pong-human-pace':
    'automation on a personal token answering an app every 5-30 s with the same text cannot be told from a person retrying a command until it repeats a sentence 4 times (actor-behaviour.ts); it is broken 4-7 events after the onset instead of 3, or not at all if it dies out before',
};

describe('loop accuracy over 1,000 generated scenarios (seeded)', function () {
  this.timeout(300_000);
  let result: AccuracyResult;

  before(async function () {
    result = await runAccuracy({ scenarios: 1000, seed: 20260302, examplesPerKind: 5 });
  });

  const failures = (kinds: (k: string) => boolean) =>
    Object.entries(result.byKind)
      .filter(([k]) => kinds(k))
      .reduce((sum, [, t]) => sum + t.failures, 0);
  const described = () =>
    Object.entries(result.examples)
      .flatMap(([k, list]) => list.map((line) => `${k}: ${line}`))
      .join('\n  ');

  it('runs every kind of loop and of legitimate traffic', function () {
    assert.equal(result.loops + result.legit, 1000);
    for (const [kind, tally] of Object.entries(result.byKind))
      assert.ok(tally.scenarios > 0, `no ${kind} scenario in the sample`);
  });

  it('precision: at least 99.9 % of legitimate scenarios are never dampened or broken', function () {
    const allowed = Math.floor(result.legit * 0.001);
    assert.ok(
      result.legit - result.legitClean <= allowed,
      `${result.legit - result.legitClean} of ${result.legit} legitimate scenarios suppressed:\n  ${described()}`,
    );
  });

  it('recall: at least 99.9 % of loops (known limits aside) broken within 3 events of their onset, one admin alert each', function () {
    const counted = (k: string) => LOOP.has(k) && KNOWN_LIMITS[k] === undefined;
    const loops = Object.entries(result.byKind).reduce(
      (sum, [k, t]) => sum + (counted(k) ? t.scenarios : 0),
      0,
    );
    const missed = failures(counted);
    assert.ok(
      missed <= Math.floor(loops * 0.001),
      `${missed} of ${loops} loops missed:\n  ${described()}`,
    );
    const unstopped = Object.entries(result.byKind).reduce(
      (sum, [k, t]) => sum + (counted(k) ? t.unstopped : 0),
      0,
    );
    assert.equal(unstopped, 0, `loops never broken:\n  ${described()}`);
  });

  for (const [kind, why] of Object.entries(KNOWN_LIMITS)) {
    it(`${kind}: still misses the 3-event target (known limit: ${why})`, function () {
      assert.ok(
        result.byKind[kind]!.failures > 0,
        `${kind} now meets its target: remove it from KNOWN_LIMITS so the target is enforced.`,
      );
    });
  }
});
