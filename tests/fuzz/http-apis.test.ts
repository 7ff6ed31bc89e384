/**
 * Fuzzing the other doors of a running Reynolds (local mode): the tab API's query parameters
 * (GET /api/chains?repo=&verdict=&limit=, GET /api/chains/:id) and random bodies on
 * /api/messages. Every answer is 2xx or 4xx with a JSON body; never 5xx.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startConnectorStub, type ConnectorStub } from '../support/connector-stub.js';
import { startTestReynolds, type TestReynolds } from '../support/reynolds.js';
import { fuzzParameters, houseErrorProblem, jsonText, runs } from './fuzz-settings.js';

describe('fuzz: tab API query parameters and /api/messages bodies', function () {
  this.timeout(runs(120_000));
  let reynolds: TestReynolds;
  let connector: ConnectorStub;
  before(async () => {
    connector = await startConnectorStub();
    reynolds = await startTestReynolds();
  });
  after(async () => {
    await reynolds?.dispose();
    await connector?.stop();
  });

  const value = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 30 }),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.constantFrom(
      'octo-org/hello-world',
      'proceed',
      'dampen',
      'break',
      '50',
      '0',
      '-1',
      '201',
      '1e3',
      '007',
      ' 5',
      'NaN',
      '%',
      '%zz',
      "' OR 1=1 --",
      '__proto__',
      'constructor',
    ),
    fc.integer().map(String),
  );
  const param = (name: string) =>
    fc.option(
      value.map((v) => `${name}=${encodeURIComponent(v)}`),
      { nil: undefined },
    );
  const raw = fc.constantFrom('%', '%zz', '&&&', '=', 'repo', 'limit=', '?');

  it('GET /api/chains answers 2xx or 4xx with JSON for any query', async () => {
    await fc.assert(
      fc.asyncProperty(
        param('repo'),
        param('verdict'),
        param('limit'),
        fc.option(raw, { nil: undefined }),
        fc.boolean(),
        async (repo, verdict, limit, junk, twice) => {
          const parts = [repo, verdict, limit, junk, twice ? repo : undefined].filter(
            (p): p is string => p !== undefined,
          );
          const response = await fetch(`${reynolds.url}/api/chains?${parts.join('&')}`);
          const problem = houseErrorProblem(response.status, await response.text());
          assert.equal(problem, undefined, `${parts.join('&')}: ${problem}`);
        },
      ),
      fuzzParameters(400),
    );
  });

  it('GET /api/chains/:id answers 2xx or 4xx with JSON for any id', async () => {
    await fc.assert(
      fc.asyncProperty(value, async (id) => {
        const response = await fetch(`${reynolds.url}/api/chains/${encodeURIComponent(id)}`);
        const problem = houseErrorProblem(response.status, await response.text());
        assert.equal(problem, undefined, `${JSON.stringify(id)}: ${problem}`);
      }),
      fuzzParameters(300),
    );
  });

  it('POST /api/messages answers below 500 with JSON errors for any body', async () => {
    const activityish = fc.record(
      {
        type: fc.oneof(
          fc.constantFrom(
            'message',
            'conversationUpdate',
            'invoke',
            'installationUpdate',
            'messageReaction',
            'event',
            '',
          ),
          fc.string({ maxLength: 10 }),
          jsonText(),
        ),
        text: fc.oneof(fc.string({ maxLength: 30 }), jsonText()),
        serviceUrl: fc.constantFrom(connector?.url ?? '', 'not a url', ''),
        channelId: fc.constantFrom('msteams', 'webchat', ''),
        conversation: fc.oneof(
          {
            arbitrary: fc.record(
              {
                id: fc.string({ maxLength: 12 }),
                conversationType: fc.constantFrom('personal', 'channel', 'groupChat', 'x'),
              },
              { requiredKeys: ['id'] },
            ),
            weight: 6,
          },
          { arbitrary: jsonText(), weight: 1 },
        ),
        from: fc.oneof(
          { arbitrary: fc.record({ id: fc.string({ maxLength: 12 }) }), weight: 6 },
          { arbitrary: jsonText(), weight: 1 },
        ),
        recipient: fc.oneof(
          { arbitrary: fc.record({ id: fc.string({ maxLength: 12 }) }), weight: 6 },
          { arbitrary: jsonText(), weight: 1 },
        ),
        membersRemoved: fc.array(fc.record({ id: fc.string({ maxLength: 8 }) }), { maxLength: 2 }),
        channelData: fc.oneof(
          fc.record(
            {
              tenant: fc.record({ id: fc.string({ maxLength: 8 }) }),
              team: fc.record({ id: fc.string({ maxLength: 8 }) }),
            },
            { requiredKeys: [] },
          ),
          fc.jsonValue({ maxDepth: 2 }),
        ),
        membersAdded: fc.array(fc.record({ id: fc.string({ maxLength: 8 }) }), { maxLength: 2 }),
        action: fc.string({ maxLength: 10 }),
        name: fc.string({ maxLength: 20 }),
        value: fc.jsonValue({ maxDepth: 2 }),
      },
      { requiredKeys: [] },
    );
    const activityBody = activityish.map((a) =>
      JSON.stringify({ ...a, serviceUrl: a.serviceUrl === '' ? connector.url : a.serviceUrl }),
    );
    const body = fc.oneof(
      { arbitrary: activityBody, weight: 6 },
      { arbitrary: jsonText(), weight: 1 },
      { arbitrary: fc.string({ maxLength: 50 }), weight: 1 },
    );
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const response = await fetch(`${reynolds.url}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: text,
        });
        const answer = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status >= 400 || answer !== '') {
          // 501 is the Bot Framework protocol's answer to an invoke no handler claims.
          const isUnhandledInvoke =
            response.status === 501 && (JSON.parse(text) as { type?: unknown }).type === 'invoke';
          const problem = houseErrorProblem(isUnhandledInvoke ? 400 : response.status, answer);
          assert.equal(problem, undefined, `${text}: ${problem}`);
        }
      }),
      fuzzParameters(400),
    );
    console.log(
      `      /api/messages fuzz statuses: ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
  });
});
