/**
 * Fuzzing /mcp on a running Reynolds (local mode): any body gets an answer below 500 (a JSON-RPC
 * error when it is not a valid request), and any arguments to any tool get a result, an error the
 * caller can read, never the "failed on Reynolds's side" answer that hides a crash.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startTestReynolds, type TestReynolds } from '../support/reynolds.js';
import { fuzzParameters, jsonText, runs } from './fuzz-settings.js';

const TOOLS = [
  'lookup_item',
  'list_chains',
  'explain_chain',
  'list_conversations',
  'list_subscriptions',
  'subscribe',
  'unsubscribe',
  'pool_status',
  'recent_alerts',
];
const HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

describe('fuzz: /mcp bodies and tool arguments', function () {
  this.timeout(runs(120_000));
  let reynolds: TestReynolds;
  before(async () => {
    reynolds = await startTestReynolds();
  });
  after(async () => {
    await reynolds?.dispose();
  });

  it('answers any body below 500, with a JSON-RPC error when it is not a valid request', async () => {
    const body = fc.oneof(
      jsonText(),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc
        .record({
          jsonrpc: fc.constantFrom('2.0', '1.0', 2),
          id: fc.oneof(fc.integer(), fc.string(), fc.constant(null)),
          method: fc.oneof(
            fc.constantFrom(
              'initialize',
              'tools/list',
              'tools/call',
              'resources/read',
              'ping',
              'logging/setLevel',
            ),
            fc.string(),
          ),
          params: fc.jsonValue({ maxDepth: 3 }),
        })
        .map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const response = await fetch(`${reynolds.url}/mcp`, {
          method: 'POST',
          headers: HEADERS,
          body: text,
        });
        const answer = await response.text();
        assert.ok(
          response.status < 500,
          `${response.status} for ${text.slice(0, 200)}: ${answer.slice(0, 200)}`,
        );
        if (response.status >= 400)
          assert.equal(
            typeof (JSON.parse(answer) as { error?: { message?: unknown } }).error?.message,
            'string',
            answer.slice(0, 200),
          );
      }),
      fuzzParameters(150),
    );
  });

  it('answers any arguments to any tool with a result or a readable error, never a hidden crash', async () => {
    const value = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom(
        'octo-org/hello-world',
        'octo-org/hello-world#1',
        '19:x@thread',
        '../../etc',
        '__proto__',
        'break',
        'issues',
        '+label:bug',
      ),
      fc.integer(),
      fc.jsonValue({ maxDepth: 2 }),
    );
    const args = fc.dictionary(
      fc.constantFrom(
        'reference',
        'repo',
        'verdict',
        'limit',
        'chainId',
        'conversationId',
        'features',
        'filters',
        'extra',
        '__proto__',
      ),
      value,
      { maxKeys: 4 },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...TOOLS), args, async (name, toolArgs) => {
        const text = JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name, arguments: toolArgs },
        });
        const response = await fetch(`${reynolds.url}/mcp`, {
          method: 'POST',
          headers: HEADERS,
          body: text,
        });
        const answer = await response.text();
        assert.ok(response.status < 500, `${response.status} for ${text}`);
        const rpc = JSON.parse(answer) as {
          result?: { content?: { text?: string }[] };
          error?: { message: string };
        };
        assert.ok(rpc.result || rpc.error, answer.slice(0, 200));
        assert.doesNotMatch(
          rpc.result?.content?.[0]?.text ?? '',
          /failed to run/,
          `${name} ${JSON.stringify(toolArgs)}: ${answer.slice(0, 300)}`,
        );
      }),
      fuzzParameters(300),
    );
  });
});
