/**
 * Polling for the device-flow token, over a fake of the GitHubOAuth port and a manual clock: the
 * waits between polls are what the test reads (no wall-clock time), and each GitHub answer has a
 * case: pending, slow_down, expired, denied, GitHub down, the code running out, cancellation.
 */
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.js';
import {
  MAX_POLL_FAILURES,
  pollForToken,
  type Sleep,
} from '../../src/identity/device-flow-poll.js';
import {
  type DeviceCode,
  type ExchangeResult,
  type GitHubOAuth,
  GitHubOAuthError,
} from '../../src/identity/github-oauth.js';

const CODE: DeviceCode = {
  deviceCode: 'dc',
  userCode: 'ABCD-1234',
  verificationUri: 'https://github.com/login/device',
  expiresInSeconds: 900,
  intervalSeconds: 5,
};
const TOKEN: ExchangeResult = { kind: 'token', tokens: { accessToken: 'gho_x' } };

/** GitHub answering the polls from a script (an Error entry is thrown). */
function scripted(answers: Array<ExchangeResult | Error>): GitHubOAuth & { polls: number } {
  const fake = {
    polls: 0,
    async exchange() {
      fake.polls += 1;
      const next = answers.shift() ?? { kind: 'pending' };
      if (next instanceof Error) throw next;
      return next;
    },
    requestDeviceCode: () => Promise.reject(new Error('not used')),
    refresh: () => Promise.reject(new Error('not used')),
    revoke: () => Promise.reject(new Error('not used')),
    user: () => Promise.reject(new Error('not used')),
  };
  return fake;
}

function run(
  answers: Array<ExchangeResult | Error>,
  code = CODE,
  signal = new AbortController().signal,
) {
  const clock = new ManualClock();
  const waits: number[] = [];
  const sleep: Sleep = async (ms) => {
    waits.push(ms);
    clock.advance(ms);
  };
  const oauth = scripted(answers);
  return { waits, oauth, done: pollForToken(code, { oauth, clock, sleep, signal }) };
}

describe('device flow: polling for the token', function () {
  it('waits the interval before every poll until the person approves', async function () {
    const { waits, done } = run([{ kind: 'pending' }, { kind: 'pending' }, TOKEN]);
    assert.deepEqual(await done, TOKEN);
    assert.deepEqual(waits, [5000, 5000, 5000]);
  });

  it("slow_down: adopts GitHub's new interval, or adds 5 seconds when it names none", async function () {
    const { waits, done } = run([
      { kind: 'slow_down', intervalSeconds: 10 },
      { kind: 'pending' },
      { kind: 'slow_down' },
      TOKEN,
    ]);
    assert.deepEqual(await done, TOKEN);
    assert.deepEqual(waits, [5000, 10_000, 10_000, 15_000]);
    const second = run([{ kind: 'slow_down' }, TOKEN]);
    await second.done;
    assert.deepEqual(second.waits, [5000, 10_000]);
  });

  it('expired_token and access_denied end the flow', async function () {
    assert.deepEqual(await run([{ kind: 'pending' }, { kind: 'expired' }]).done, {
      kind: 'expired',
    });
    assert.deepEqual(await run([{ kind: 'denied' }]).done, { kind: 'denied' });
  });

  it('never polls after the code ran out, even if GitHub keeps saying pending', async function () {
    const { oauth, done } = run([], { ...CODE, expiresInSeconds: 20 });
    assert.deepEqual(await done, { kind: 'expired' });
    assert.equal(oauth.polls, 3, 'polls at 5, 10 and 15 s; at 20 s the code is gone');
  });

  it('GitHub down: a failed poll is tried again; after a few in a row, unavailable', async function () {
    const down = new GitHubOAuthError('unreachable', 'GitHub could not be reached (503)');
    const recovers = run([down, down, TOKEN]);
    assert.deepEqual(await recovers.done, TOKEN);
    const gone = run(Array.from({ length: MAX_POLL_FAILURES }, () => down));
    assert.deepEqual(await gone.done, { kind: 'unavailable', reason: 'unreachable' });
    assert.equal(gone.oauth.polls, MAX_POLL_FAILURES);
  });

  it('an app GitHub refuses (wrong client id, device flow off) stops at once', async function () {
    const { oauth, done } = run([
      new GitHubOAuthError(
        'misconfigured',
        'GitHub refused to poll for the token: device_flow_disabled',
      ),
    ]);
    assert.deepEqual(await done, { kind: 'unavailable', reason: 'misconfigured' });
    assert.equal(oauth.polls, 1);
  });

  it('a cancelled flow stops before its next poll', async function () {
    const controller = new AbortController();
    controller.abort();
    const { oauth, done } = run([TOKEN], CODE, controller.signal);
    assert.deepEqual(await done, { kind: 'cancelled' });
    assert.equal(oauth.polls, 0);
  });
});
