/** raceTimeout: the promise wins, the timer wins (fallback or rejection), and no timer is left behind. */
import assert from 'node:assert/strict';
import { raceTimeout } from '../../src/core/race-timeout.js';

/** Timers keeping the event loop alive right now (an unref'd timer is not counted). */
const liveTimers = () =>
  process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
/** The count once mocha has armed its own timeout timer for the test (it does so after the test function returns its promise). */
const baseline = async () => {
  await new Promise((resolve) => setImmediate(resolve));
  return liveTimers();
};
const never = () => new Promise<never>(() => undefined);
const later = <T>(value: T, ms: number) =>
  new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe('raceTimeout', function () {
  it('settles with the promise when it settles first, without calling onTimeout, and clears its timer', async function () {
    let calls = 0;
    const before = await baseline();
    const racing = raceTimeout(Promise.resolve('done'), 60_000, () => (calls += 1));
    assert.equal(liveTimers(), before + 1, 'the grace timer is pending while the race runs');
    assert.equal(await racing, 'done');
    assert.equal(liveTimers(), before, 'a 60 s timer left pending would hold the process open');
    assert.equal(calls, 0);
  });

  it('rejects with the promise when it rejects first, and clears its timer', async function () {
    const before = await baseline();
    await assert.rejects(
      raceTimeout(Promise.reject(new Error('store is down')), 60_000, () => 'fallback'),
      /store is down/,
    );
    assert.equal(liveTimers(), before);
  });

  it('resolves with the fallback when the timer fires first', async function () {
    assert.equal(await raceTimeout(never(), 5, () => 'fallback'), 'fallback');
    assert.equal(await raceTimeout(later('late', 1_000), 5, () => undefined), undefined);
  });

  it('rejects with what onTimeout throws when the timer fires first', async function () {
    await assert.rejects(
      raceTimeout(never(), 5, () => {
        throw new Error('store write took longer than 5 ms');
      }),
      /store write took longer than 5 ms/,
    );
  });

  it('ignores the promise once the timer has fired', async function () {
    let settle!: (value: string) => void;
    const slow = new Promise<string>((resolve) => (settle = resolve));
    const result = await raceTimeout(slow, 5, () => 'fallback');
    settle('late');
    await slow;
    assert.equal(result, 'fallback');
  });

  it('with nothing in flight (undefined) settles at once, as Promise.race did', async function () {
    let calls = 0;
    assert.equal(await raceTimeout(undefined, 60_000, () => (calls += 1)), undefined);
    assert.equal(calls, 0);
  });

  it('unref: the pending timer does not keep the process alive', async function () {
    const before = await baseline();
    const racing = raceTimeout(later('done', 20), 60_000, () => 'fallback', { unref: true });
    // `later` holds one referenced timer of its own; the race's 60 s timer is not counted.
    assert.equal(liveTimers(), before + 1);
    assert.equal(await racing, 'done');
  });
});
