/**
 * Fuzzing chat: random text through the chat command parser (tests/fuzz/parsers.test.ts) and here
 * through /api/messages of a running Reynolds in local mode. Every message gets a 200 and a reply
 * from the bot, and no turn fails.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { errorLine } from '../../src/persona/replies.js';
import { startConnectorStub, type ConnectorStub } from '../support/connector-stub.js';
import { captureLogger } from '../support/log-capture.js';
import { startTestReynolds, type TestReynolds } from '../support/reynolds.js';
import { fuzzParameters, runs } from './fuzz-settings.js';

const WORDS = [
  'subscribe',
  'unsubscribe',
  'subscriptions',
  'list',
  'help',
  'status',
  'hi',
  '<at>Reynolds</at>',
  'sign in',
  'sign out',
  'whoami',
  'link github',
  'treat',
  'treat release-bot as',
  'who can write',
];
const ARGS = [
  'as bot',
  'as person',
  'as',
  'bot',
  'person',
  'dependabot[bot]',
  'octo-org/hello-world',
  'octo-org',
  'issues',
  'pulls',
  '+label:bug',
  '-label:"wont fix"',
  'branch:main',
  'author:octocat',
  'priority:P1',
  '"',
  '\\',
  'https://github.com/a/b',
];

export const chatText = () =>
  fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 120 }),
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc
      .tuple(
        fc.constantFrom(...WORDS),
        fc.array(fc.oneof(fc.constantFrom(...ARGS), fc.string({ maxLength: 12 })), {
          maxLength: 6,
        }),
      )
      .map(([w, a]) => [w, ...a].join(' ')),
  );

describe('fuzz: chat messages through /api/messages (local mode)', function () {
  this.timeout(runs(120_000));
  let reynolds: TestReynolds;
  let connector: ConnectorStub;
  const log = captureLogger([], 'warn');

  before(async () => {
    connector = await startConnectorStub();
    reynolds = await startTestReynolds({ LOG_LEVEL: 'warn' }, { logger: log.logger });
  });
  after(async () => {
    await reynolds?.dispose();
    await connector?.stop();
  });

  it('answers every message, with no turn error', async () => {
    const conversations = [
      'a:personal-1',
      '19:channel-1@thread.tacv2;messageid=1',
      '19:group@thread.v2',
    ];
    await fc.assert(
      fc.asyncProperty(
        chatText(),
        fc.nat(2),
        fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
        async (text, which, name) => {
          const conversation = conversations[which]!;
          const before = connector.posts.length;
          const activity = {
            type: 'message',
            id: randomUUID(),
            channelId: 'msteams',
            serviceUrl: connector.url,
            from: { id: '29:fuzzer', name },
            recipient: { id: '28:reynolds' },
            conversation: {
              id: conversation,
              conversationType: which === 0 ? 'personal' : which === 1 ? 'channel' : 'groupChat',
            },
            text,
          };
          const response = await fetch(`${reynolds.url}/api/messages`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(activity),
          });
          const body = await response.text();
          assert.equal(response.status, 200, body);
          const replies = connector.posts
            .slice(before)
            .filter(
              (p) =>
                p.conversationId.split(';messageid=')[0] === conversation.split(';messageid=')[0],
            );
          assert.ok(replies.length >= 1, `no reply to ${JSON.stringify(text)}`);
          for (const reply of replies)
            assert.notEqual(
              reply.activity.text,
              errorLine(),
              `turn failed on ${JSON.stringify(text)}`,
            );
        },
      ),
      fuzzParameters(300),
    );
    assert.deepEqual(
      log.lines.filter((l) => l.includes('turn failed')),
      [],
    );
  });
});
