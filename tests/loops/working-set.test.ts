/**
 * The loop detector's working set forgets what can no longer change a verdict. bench/soak found
 * it growing by ~2.7 KB per event until the count cap (50,000: ~130 MB, reached only after hours
 * at a normal event rate), so its memory tracked uptime; with the idle TTL it tracks the recent
 * event rate.
 */
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.js';
import { cycleLookBackMs, DEFAULT_LOOP_SETTINGS } from '../../src/loops/loop-settings.js';
import {
  TARGET_WRITE_MEMORY_MS,
  WorkingSet,
  workingSetTtlMs,
} from '../../src/loops/working-set.js';
import { event, loopFixture, nodeIdOf } from './loop-fixture.js';

describe('WorkingSet idle TTL', function () {
  it('drops targets idle for longer than the TTL and keeps the ones in use', function () {
    const clock = new ManualClock();
    const working = new WorkingSet<object>(1000, { ttlMs: 60_000, clock });
    working.window('idle');
    working.window('busy');
    for (let s = 0; s < 7; s++) {
      clock.advance(10_000);
      working.window('busy'); // used every 10 s: renewed each time
    }
    working.window('new');
    assert.equal(working.targets.has('idle'), false, 'idle for 70 s with a 60 s TTL');
    assert.equal(working.targets.has('busy'), true);
    assert.equal(working.targets.has('new'), true);
  });

  it('without a TTL, only the count cap applies', function () {
    const clock = new ManualClock();
    const working = new WorkingSet<object>(2, { clock });
    working.window('a');
    clock.advance(365 * 24 * 3600_000);
    working.window('b');
    assert.equal(working.targets.size, 2);
    working.window('c');
    assert.deepEqual([...working.targets.keys()].sort(), ['b', 'c']);
  });

  it('the TTL is the longest look-back of any signal, and at least the target write memory', function () {
    assert.equal(
      workingSetTtlMs(DEFAULT_LOOP_SETTINGS),
      Math.max(DEFAULT_LOOP_SETTINGS.repeatWindowMs, TARGET_WRITE_MEMORY_MS),
    );
    // The cycle signal looks back two rounds of a circle of four bots, each turn a whole reply window.
    assert.equal(
      workingSetTtlMs({ ...DEFAULT_LOOP_SETTINGS, replyWindowMs: 2 * TARGET_WRITE_MEMORY_MS }),
      cycleLookBackMs({ ...DEFAULT_LOOP_SETTINGS, replyWindowMs: 2 * TARGET_WRITE_MEMORY_MS }),
    );
    assert.equal(
      cycleLookBackMs({ ...DEFAULT_LOOP_SETTINGS, replyWindowMs: 2 * TARGET_WRITE_MEMORY_MS }),
      16 * TARGET_WRITE_MEMORY_MS,
    );
  });
});

describe('ChainTracker working set over time', function () {
  it('forgets targets, chains and assessments after a quiet TTL, and still links a reply within the window', async function () {
    const f = await loopFixture();
    try {
      for (let i = 0; i < 50; i++) {
        const e = event(f.clock, { actor: 'alice', target: `#${i + 1}` });
        await f.tracker.assess(e, nodeIdOf(e));
      }
      const { working } = f.tracker;
      assert.equal(working.targets.size, 50);
      assert.equal(working.chains.size, 50);
      assert.equal(working.assessed.size, 50);

      f.clock.advance(workingSetTtlMs(f.tracker.settings) + 1);
      const human = event(f.clock, { actor: 'alice', target: '#999' });
      const first = await f.tracker.assess(human, nodeIdOf(human));
      assert.equal(working.targets.size, 1, 'only the target just used');
      assert.equal(working.chains.size, 1);
      assert.equal(working.assessed.size, 1);

      f.clock.advance(1000);
      const bot = event(f.clock, { actor: 'welcome[bot]', target: '#999' });
      const reply = await f.tracker.assess(bot, nodeIdOf(bot));
      assert.equal(reply.node.link, 'reply');
      assert.equal(reply.node.chainId, first.node.chainId);
      assert.equal(reply.chain.nodes, 2);
    } finally {
      await f.close();
    }
  });
});
