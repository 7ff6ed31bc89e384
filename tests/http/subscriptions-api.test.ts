/**
 * The configuration tab's API over real HTTP in local mode: validation (zod shape, then the chat's
 * own syntax rules), the same SubscriptionBook the chat uses, and the effect on routing (a matching
 * delivery reaches the connector stand-in for that conversation only).
 */
import assert from 'node:assert/strict';
import { systemClock } from '../../src/core/clock.js';
import { SubscriptionBook } from '../../src/routing/subscriptions/subscription-book.js';
import { formatSubscriptionList } from '../../src/routing/subscriptions/subscription-syntax.js';
import { ConversationBook } from '../../src/teams/sending/conversation-book.js';
import { startConnectorStub, type ConnectorStub } from '../support/connector-stub.js';
import {
  eventually,
  postDelivery,
  startTestReynolds,
  type TestReynolds,
} from '../support/reynolds.js';
import { exampleOf } from '../support/webhook-examples.js';

const CHANNEL = '19:tab-configured@thread.tacv2';
const QUIET = '19:not-configured@thread.tacv2';

describe('subscriptions API (configuration tab)', function () {
  this.timeout(60_000);
  let reynolds: TestReynolds;
  let connector: ConnectorStub;
  const sample = exampleOf('issues', 'opened').payload as any;
  const repo = sample.repository.full_name as string;

  before(async function () {
    connector = await startConnectorStub();
    reynolds = await startTestReynolds();
    const conversations = new ConversationBook(reynolds.store, systemClock);
    for (const [id, name] of [
      [CHANNEL, 'builds'],
      [QUIET, 'random'],
    ] as const) {
      await conversations.remember(
        'local',
        {
          channelId: 'msteams',
          serviceUrl: connector.url,
          conversation: { id, name, conversationType: 'channel', isGroup: true },
          bot: { id: 'bot', name: 'Reynolds' },
        },
        { scope: 'channel', name },
      );
    }
  });
  after(async function () {
    await reynolds.dispose();
    await connector.stop();
  });

  const call = async (
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ) => {
    const response = await fetch(`${reynolds.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': contentType },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, any> };
  };
  const q = (id: string) => `conversationId=${encodeURIComponent(id)}`;

  it('lists the conversations Reynolds is installed in', async function () {
    const answer = await call('GET', '/api/conversations');
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json.conversations.map((c: any) => c.name).sort(), [
      'builds',
      'random',
    ]);
  });

  it('refuses bad input with 400 and what to fix, and unknown conversations with 404', async function () {
    const cases: Array<[unknown, RegExp]> = [
      [{ conversationId: CHANNEL, repos: [] }, /repos: choose at least one repository/],
      [
        { conversationId: CHANNEL, repos: ['octo/repo'], features: ['gossip'] },
        /features\.0: Invalid enum value/,
      ],
      [{ conversationId: CHANNEL, repos: ['octo/repo'], minPriority: 'P9' }, /minPriority/],
      [{ conversationId: CHANNEL, repos: ['octo/repo'], colour: 'red' }, /Unrecognized key/],
      [{ conversationId: CHANNEL, repos: ['octo repo'] }, /must not contain spaces/],
      [{ conversationId: CHANNEL, repos: ['octo/repo/extra'] }, /owner\/repo, or owner alone/],
      [{ conversationId: CHANNEL, repos: ['-bad-/repo'] }, /is not a repository/],
      [
        { conversationId: CHANNEL, repos: ['octo/repo'], branches: ['a..b'] },
        /is not a branch name/,
      ],
      [
        { conversationId: CHANNEL, repos: ['octo/repo'], authors: ['not-a-login!'] },
        /is not a GitHub login/,
      ],
      [
        {
          conversationId: CHANNEL,
          repos: ['octo/repo'],
          labels: { include: ['bug'], exclude: ['bug'] },
        },
        /both required \(\+label\) and excluded/,
      ],
    ];
    for (const [body, message] of cases) {
      const answer = await call('PUT', '/api/subscriptions', body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.json.error.code, 'bad_subscription');
      assert.match(answer.json.error.message, message);
    }
    assert.equal(
      (await call('PUT', '/api/subscriptions', '{"conversationId":')).json.error.code,
      'bad_json',
    );
    assert.equal((await call('PUT', '/api/subscriptions', 'x', 'text/plain')).status, 415);
    assert.equal(
      (
        await call('PUT', '/api/subscriptions', {
          conversationId: 'x',
          repos: ['a'.repeat(70_000)],
        })
      ).status,
      413,
    );
    const unknown = await call('PUT', '/api/subscriptions', {
      conversationId: '19:nowhere',
      repos: ['octo/repo'],
    });
    assert.equal(unknown.status, 404);
    assert.match(unknown.json.error.message, /add Reynolds to the team or chat first/);
    assert.equal((await call('GET', '/api/subscriptions')).status, 400);
  });

  it('saves through the chat SubscriptionBook: the chat lists the same subscription', async function () {
    const saved = await call('PUT', '/api/subscriptions', {
      conversationId: CHANNEL,
      repos: ['octo-org', 'https://github.com/octo-org/docs'],
      features: ['releases', 'issues'],
      labels: { include: ['good first issue'], exclude: [] },
      branches: ['main'],
      minPriority: 'P2',
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.json));
    assert.deepEqual(
      saved.json.saved.map((s: any) => s.status),
      ['created', 'created'],
    );
    const chatSees = await new SubscriptionBook(reynolds.store, systemClock).list('local', CHANNEL);
    assert.equal(
      formatSubscriptionList(chatSees),
      '- subscribe octo-org issues releases +label:"good first issue" branch:main priority:P2\n- subscribe octo-org/docs issues releases +label:"good first issue" branch:main priority:P2',
    );
    const again = await call('PUT', '/api/subscriptions', {
      conversationId: CHANNEL,
      repos: ['octo-org'],
      features: ['issues', 'releases'],
      labels: { include: ['good first issue'] },
      branches: ['main'],
      minPriority: 'P2',
    });
    assert.equal(again.json.saved[0].status, 'unchanged');
    const listed = await call('GET', `/api/subscriptions?${q(CHANNEL)}`);
    assert.deepEqual(
      listed.json.subscriptions.map((s: any) => s.name),
      ['octo-org', 'octo-org/docs'],
    );
    assert.equal(listed.json.subscriptions[0].createdBy, 'local tab');
    const removed = await call('DELETE', `/api/subscriptions?${q(CHANNEL)}&repo=octo-org`);
    assert.equal(removed.json.status, 'removed');
    assert.equal(
      (await call('DELETE', `/api/subscriptions?${q(CHANNEL)}&repo=octo-org`)).status,
      404,
    );
    assert.equal((await call('DELETE', `/api/subscriptions?${q(CHANNEL)}&repo=`)).status, 400);
    await call('DELETE', `/api/subscriptions?${q(CHANNEL)}&repo=octo-org/docs`);
  });

  it('takes effect on routing: a matching delivery is posted to that conversation only, and shows in its alerts', async function () {
    const saved = await call('PUT', '/api/subscriptions', {
      conversationId: CHANNEL,
      repos: [repo],
      features: ['issues'],
    });
    assert.equal(saved.status, 200);
    const payload = structuredClone(sample);
    payload.issue = {
      ...payload.issue,
      number: 4242,
      title: 'Configured from the tab',
      labels: [],
    };
    assert.equal((await postDelivery(reynolds.url, { event: 'issues', payload })).status, 202);
    await eventually(() => connector.posts.length === 1, 'the alert reaches the connector', 15_000);
    assert.equal(connector.posts[0]!.conversationId, CHANNEL);
    assert.match(String(connector.posts[0]!.activity.summary), /#4242/);
    const alerts = await call('GET', `/api/alerts?${q(CHANNEL)}`);
    assert.equal(alerts.status, 200);
    assert.equal(alerts.json.threads.length, 1);
    assert.match(alerts.json.threads[0].threadKey, /4242/);
    assert.deepEqual((await call('GET', `/api/alerts?${q(QUIET)}`)).json.threads, []);
  });
});
