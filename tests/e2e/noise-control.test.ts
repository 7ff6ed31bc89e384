/**
 * Noise control end to end, with the Agents Playground as the Teams client and a running test
 * Reynolds fed recorded payloads: a burst of pushes becomes one card that is edited in place
 * (updateActivity shows up as the Playground's `updateMessage`), and a channel told to be quiet
 * gets nothing but a P0 until it asks for the digest, which lists what was held.
 */
import assert from 'node:assert/strict';
import { startPlayground, type BotMessage, type Playground } from '../support/playground.js';
import { postDelivery, startTestReynolds, type TestReynolds } from '../support/reynolds.js';
import { exampleOf } from '../support/webhook-examples.js';

describe('noise control through the Agents Playground', function () {
  this.timeout(90_000);
  let reynolds: TestReynolds;
  let playground: Playground;
  let general: string;
  let repo: string;

  before(async function () {
    reynolds = await startTestReynolds({ BURST_WINDOW_SECONDS: '60' });
    playground = await startPlayground({ botEndpoint: `${reynolds.url}/api/messages` });
    general = playground.channelId();
    await playground.install('team');
    await playground.waitFor(
      (m) => m.conversationId === general && /Reynolds here/.test(m.text ?? ''),
      'the welcome in General',
    );
    repo = (exampleOf('push', undefined).payload as any).repository.full_name as string;
    const sent = await playground.send(general, `subscribe ${repo} commits issues security`);
    await playground.waitFor(
      (m) => m.threadId === sent.threadId && /this conversation now gets/.test(m.text ?? ''),
      'subscribed',
    );
  });

  after(async function () {
    await playground?.stop();
    await reynolds?.dispose();
  });

  const cardJson = (m: BotMessage) => JSON.stringify(m.attachments[0]?.content ?? '');
  const isCard = (m: BotMessage) =>
    m.attachments.some((a) => a.contentType === 'application/vnd.microsoft.card.adaptive');

  function aPush(i: number, who: string) {
    const payload = structuredClone(exampleOf('push', undefined).payload) as any;
    const sha = `${i.toString(16).padStart(8, '0')}${'b'.repeat(32)}`;
    payload.ref = 'refs/heads/main';
    payload.after = sha;
    payload.sender = { ...payload.sender, login: who, type: 'User' };
    payload.pusher = { name: who, email: `${who}@example.com` };
    payload.head_commit = {
      ...(payload.head_commit ?? {}),
      id: sha,
      message: `change number ${i}`,
    };
    payload.commits = [payload.head_commit];
    return payload;
  }

  it('collapses a push burst into one card, updated in place', async function () {
    playground.clear();
    const people = ['alice', 'bob', 'carol'];
    for (let i = 1; i <= 12; i += 1) {
      const result = await postDelivery(reynolds.url, {
        event: 'push',
        payload: aPush(i, people[i % 3]!),
      });
      assert.equal(result.status, 202);
    }
    const update = await playground
      .waitFor(
        (m) => m.action === 'updateMessage' && /12 pushes to main/.test(cardJson(m)),
        'the burst card says 12 pushes',
        30_000,
      )
      .catch((error: Error) => {
        const seen = playground.messages.map(
          (m) => `${m.action} ${m.messageId}: ${cardJson(m).slice(0, 120)}`,
        );
        throw new Error(`${error.message}\n${seen.join('\n')}`);
      });
    const created = playground.messages.filter((m) => m.action === 'createMessage' && isCard(m));
    assert.equal(created.length, 1, `one card for 12 pushes, not ${created.length}`);
    assert.equal(update.messageId, created[0]!.messageId, 'the update edits that card');
    assert.match(cardJson(update), /by 3 people in the last minute/);
    assert.match(cardJson(update), /change number 12/, 'the latest commits are listed');
  });

  it('lets only P0 through a quiet channel, then the digest lists what was held', async function () {
    const quiet = await playground.send(general, 'quiet for 2h');
    await playground.waitFor(
      (m) => m.threadId === quiet.threadId && /Quiet until/.test(m.text ?? ''),
      'quiet confirmed',
    );
    playground.clear();

    const issue = structuredClone(exampleOf('issues', 'opened').payload) as any;
    issue.repository.full_name = repo;
    issue.issue = { ...issue.issue, number: 4242, title: 'Held while the team sleeps', labels: [] };
    assert.equal(
      (await postDelivery(reynolds.url, { event: 'issues', payload: issue })).status,
      202,
    );
    assert.equal(
      (
        await postDelivery(reynolds.url, {
          event: 'push',
          payload: { ...aPush(99, 'dave'), ref: 'refs/heads/feature' },
        })
      ).status,
      202,
    );
    const critical = structuredClone(exampleOf('code_scanning_alert', 'created').payload) as any;
    critical.alert.rule = {
      ...critical.alert.rule,
      security_severity_level: 'critical',
      description: 'SQL injection in the login form',
    };
    assert.equal(
      (await postDelivery(reynolds.url, { event: 'code_scanning_alert', payload: critical }))
        .status,
      202,
    );

    await playground.waitFor(
      (m) => isCard(m) && /SQL injection/.test(cardJson(m)),
      'the P0 card gets through',
      30_000,
    );
    // Let the worker finish the other two deliveries: they must not produce cards.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const cards = playground.messages.filter(isCard);
    assert.equal(cards.length, 1, `only the P0 card: ${cards.map(cardJson).join('\n')}`);

    const ask = await playground.send(general, 'digest now');
    await playground.waitFor(
      (m) => m.threadId === ask.threadId && /coming right up/.test(m.text ?? ''),
      'digest acknowledged',
    );
    const digest = await playground.waitFor(
      (m) => isCard(m) && /Daily digest/.test(cardJson(m)),
      'the digest card',
      30_000,
    );
    assert.match(cardJson(digest), /Held while quiet/);
    assert.match(cardJson(digest), /Held while the team sleeps/);
    assert.match(cardJson(digest), /change number 99/);

    const metrics = await (await fetch(`${reynolds.url}/metrics`)).text();
    assert.match(
      metrics,
      /reynolds_noise_total\{outcome="collapsed"\} 11\b/,
      'eleven pushes collapsed into the first one',
    );
    assert.match(
      metrics,
      /reynolds_noise_total\{outcome="held"\} 2\b/,
      'the issue and the push were held',
    );
    assert.match(metrics, /reynolds_noise_total\{outcome="digest_sent"\} 1\b/);
  });
});
