/**
 * Fuzzing the webhook door of a running Reynolds: random bytes, random JSON, form-encoded bodies,
 * random content types, header sets with parts missing, mangled or in other letter cases, and
 * valid signatures over garbage. Every answer must be below 500 with a JSON body (the house error
 * format when it is an error), and Reynolds must still be alive and ready afterwards.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startTestReynolds, type TestReynolds } from '../support/reynolds.js';
import { fuzzParameters, houseErrorProblem, runs } from './fuzz-settings.js';
import { headersFor, rawPost, webhookRequest } from './webhook-cases.js';

describe('fuzz: webhook body and headers against a running Reynolds', function () {
  this.timeout(runs(120_000));
  let reynolds: TestReynolds;
  before(async () => {
    reynolds = await startTestReynolds({ WEBHOOK_MAX_BODY_BYTES: '65536' });
  });
  after(async () => reynolds?.dispose());

  it('answers every request below 500 with a JSON body, and stays alive and ready', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(webhookRequest(), async (c) => {
        const response = await rawPost(
          reynolds.url,
          '/api/github/webhook',
          await headersFor(c),
          c.body,
        );
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const problem = houseErrorProblem(response.status, response.text);
        assert.equal(problem, undefined, problem);
      }),
      fuzzParameters(600),
    );
    const health = await fetch(`${reynolds.url}/readyz`);
    assert.equal(health.status, 200);
    // The mix covered acceptance and refusal, not only one of them.
    assert.ok(
      [...statuses.keys()].some((s) => s < 300) && [...statuses.keys()].some((s) => s >= 400),
      JSON.stringify([...statuses]),
    );
    console.log(
      `      webhook fuzz statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
    );
  });
});
