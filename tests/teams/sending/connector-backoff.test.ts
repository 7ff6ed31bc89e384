import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/core/clock.js';
import { ConnectorBackoff } from '../../../src/teams/sending/connector-backoff.js';

describe('ConnectorBackoff', function () {
  const half = () => 0.5; // jitter in the middle: delay = 3/4 of the ceiling

  it('pauses all posting after a connector failure, and lengthens the pause only once per round', function () {
    const clock = new ManualClock(0);
    const backoff = new ConnectorBackoff(clock, half, 1000, 15_000);
    assert.equal(backoff.isPaused(), false);
    const until = backoff.failed();
    assert.equal(until, 750);
    // The other posts of the same round fail too: same pause, not a longer one.
    assert.equal(backoff.failed(), 750);
    assert.equal(backoff.failed(), 750);
    assert.equal(backoff.isPaused(), true);
    clock.advance(750);
    assert.equal(backoff.isPaused(), false);
    assert.equal(backoff.failed(), 750 + 1500, 'the next round after the pause doubles it');
  });

  it('never pauses longer than its ceiling, so a recovered connector gets the backlog promptly', function () {
    const clock = new ManualClock(0);
    const backoff = new ConnectorBackoff(clock, () => 1, 1000, 15_000);
    let until = 0;
    for (let i = 0; i < 20; i += 1) {
      clock.set(until);
      until = backoff.failed();
      assert.ok(until - clock.now() <= 15_000);
    }
    assert.equal(until - clock.now(), 15_000);
  });

  it("honours the connector's Retry-After, and a success ends the pause and the escalation", function () {
    const clock = new ManualClock(0);
    const backoff = new ConnectorBackoff(clock, half, 1000, 15_000);
    assert.equal(backoff.failed(4000), 4000);
    backoff.succeeded();
    assert.equal(backoff.isPaused(), false);
    assert.equal(backoff.failed(), 750, 'back to the first step');
  });
});
