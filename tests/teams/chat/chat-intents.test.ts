/**
 * The offline planner's intent rules: many phrasings of each request map to the right action and
 * parameters, and things Reynolds does not do map to "unknown" (never to a wrong action).
 */
import assert from 'node:assert/strict';
import { matchIntent, type Intent } from '../../../src/teams/chat/chat-intents.js';

type Expected = ['unknown'] | ['greeting'] | [string, Record<string, unknown>];

const TABLE: Array<[string, Expected]> = [
  // help
  ['help', ['help', {}]],
  ['what can you do?', ['help', {}]],
  ['@Reynolds help me out', ['help', {}]],
  ['how do I use you', ['help', {}]],
  // status
  ['status', ['status', {}]],
  ['are you healthy?', ['status', {}]],
  ['how are you doing', ['status', {}]],
  ["how's the queue looking", ['status', {}]],
  ['is the model pool ok, any breakers open?', ['status', {}]],
  // lookup
  ['acme/app#12', ['lookup', { reference: 'acme/app#12' }]],
  ['look up acme/app#12', ['lookup', { reference: 'acme/app#12' }]],
  ["what's the status of acme/app#12", ['lookup', { reference: 'acme/app#12' }]],
  [
    'show me https://github.com/octo-org/octo-repo/pull/5 please',
    ['lookup', { reference: 'https://github.com/octo-org/octo-repo/pull/5' }],
  ],
  ['check issue 7 in octo-org/octo.js', ['lookup', { reference: 'octo-org/octo.js#7' }]],
  [
    '<https://github.com/o/r/issues/9>',
    ['lookup', { reference: 'https://github.com/o/r/issues/9' }],
  ],
  ['look it up', ['lookup', {}]],
  ['show me that PR again', ['lookup', {}]],
  // summarize
  [
    'summarize https://github.com/o/r/pull/5',
    ['summarize', { reference: 'https://github.com/o/r/pull/5' }],
  ],
  ['summarise acme/app#12', ['summarize', { reference: 'acme/app#12' }]],
  ['tl;dr acme/app#3', ['summarize', { reference: 'acme/app#3' }]],
  ['can you give me a summary of PR 40 in acme/web', ['summarize', { reference: 'acme/web#40' }]],
  ['summarize it', ['summarize', {}]],
  ['summarize acme/app', ['summarize', { reference: 'acme/app' }]],
  // reviewers
  ['who should review acme/app#12', ['suggest_reviewers', { reference: 'acme/app#12' }]],
  ['Who should review this?', ['suggest_reviewers', {}]],
  [
    'suggest reviewers for https://github.com/acme/app/pull/12/files',
    ['suggest_reviewers', { reference: 'https://github.com/acme/app/pull/12/files' }],
  ],
  ['who are the code owners of acme/app#12', ['suggest_reviewers', { reference: 'acme/app#12' }]],
  // chains
  ['recent chains', ['recent_chains', {}]],
  ['show me the last 10 chains', ['recent_chains', { limit: 10 }]],
  ['any loops in acme/app?', ['recent_chains', { repo: 'acme/app' }]],
  [
    'which chains were stopped in acme/app',
    ['recent_chains', { repo: 'acme/app', verdict: 'break' }],
  ],
  ['list dampened chains', ['recent_chains', { verdict: 'dampen' }]],
  ['why was chain abc stopped', ['why_stopped', { chainId: 'abc' }]],
  ['why did chain 3f9c2a-77 get stopped?', ['why_stopped', { chainId: '3f9c2a-77' }]],
  ['chain chain_1 was broken, why?', ['why_stopped', { chainId: 'chain_1' }]],
  ['why was 3f9c2a stopped', ['why_stopped', { chainId: '3f9c2a' }]],
  ['why was the chain stopped', ['why_stopped', {}]],
  // subscriptions
  ['what are our subscriptions', ['list_subscriptions', {}]],
  ['what does this channel follow?', ['list_subscriptions', {}]],
  ['show subscriptions', ['list_subscriptions', {}]],
  ['please subscribe this channel to acme/app', ['subscribe', { repo: 'acme/app' }]],
  [
    'follow acme/app pulls and issues',
    ['subscribe', { repo: 'acme/app', features: ['pulls', 'issues'] }],
  ],
  [
    'watch https://github.com/acme/app for PRs +label:bug branch:main',
    [
      'subscribe',
      { repo: 'acme/app', features: ['pulls'], filters: ['+label:bug', 'branch:main'] },
    ],
  ],
  ['subscribe us to octo-org', ['subscribe', { repo: 'octo-org' }]],
  ['please unsubscribe from acme/app', ['unsubscribe', { repo: 'acme/app' }]],
  [
    'stop alerts from acme/app releases',
    ['unsubscribe', { repo: 'acme/app', features: ['releases'] }],
  ],
  ['mute acme/app', ['unsubscribe', { repo: 'acme/app' }]],
  // digest and pilot
  ['digest now', ['digest_now', {}]],
  ['send me the digest please', ['digest_now', {}]],
  ['pilot status', ['pilot_status', {}]],
  ['are we in the AI pilot?', ['pilot_status', {}]],
  ['what stage is the rollout at', ['pilot_status', {}]],
  // greetings
  ['hello there', ['greeting']],
  ['Hey Reynolds!', ['greeting']],
  ['good morning', ['greeting']],
  // another MCP server's tool, by name (src/teams/chat/external-tools.ts)
  [
    'use echo.say {"text": "hi"}',
    ['use_tool', { server: 'echo', tool: 'say', arguments: { text: 'hi' } }],
  ],
  [
    '@Reynolds use github-tools.search_issues',
    ['use_tool', { server: 'github-tools', tool: 'search_issues', arguments: {} }],
  ],
  [
    'use echo.say {"text": ',
    [
      'use_tool',
      {
        server: 'echo',
        tool: 'say',
        arguments: {},
        argumentsError: 'Unexpected end of JSON input',
      },
    ],
  ],
  [
    'use echo.say [1, 2]',
    [
      'use_tool',
      { server: 'echo', tool: 'say', arguments: {}, argumentsError: 'that is not an object' },
    ],
  ],
  // unknowns
  ['order me a pizza', ['unknown']],
  ['what is the meaning of life', ['unknown']],
  ['', ['unknown']],
  ['   ', ['unknown']],
  ['acme/app', ['unknown']],
  ['tell me a joke about Canada', ['unknown']],
];

function describeIntent(intent: Intent): Expected {
  if (intent.kind === 'action') return [intent.action, intent.parameters];
  if (intent.kind === 'tool') {
    const { kind: _kind, ...parameters } = intent;
    return ['use_tool', parameters];
  }
  return [intent.kind];
}

describe('offline planner intents', function () {
  for (const [input, expected] of TABLE) {
    it(`${JSON.stringify(input)} → ${expected[0]}${expected[1] && Object.keys(expected[1]).length ? ` ${JSON.stringify(expected[1])}` : ''}`, function () {
      assert.deepEqual(describeIntent(matchIntent(input)), expected);
    });
  }

  it('never throws on hostile input', function () {
    for (const input of [
      '#'.repeat(10_000),
      'a/'.repeat(5000),
      'why '.repeat(3000) + 'stopped',
      '\u0000\u202e acme/app#1',
    ]) {
      assert.doesNotThrow(() => matchIntent(input));
    }
  });
});
