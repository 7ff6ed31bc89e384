/**
 * Proactive channel alerts with the Agents Playground as the Teams client: install Reynolds into
 * the mock team, subscribe the General channel to a repository from chat, post that repository's
 * recorded webhooks, and the cards arrive in General, threaded per issue/PR, and nowhere else.
 */
import assert from 'node:assert/strict';
import { startPlayground, type BotMessage, type Playground } from '../support/playground.js';
import { postDelivery, startTestReynolds, type TestReynolds } from '../support/reynolds.js';
import { exampleOf } from '../support/webhook-examples.js';

describe('channel alerts through the Agents Playground', function () {
  this.timeout(60_000);
  let reynolds: TestReynolds;
  let playground: Playground;

  before(async function () {
    reynolds = await startTestReynolds();
    playground = await startPlayground({ botEndpoint: `${reynolds.url}/api/messages` });
  });

  after(async function () {
    await playground?.stop();
    await reynolds?.dispose();
  });

  const isCard = (m: BotMessage) =>
    m.attachments.some((a) => a.contentType === 'application/vnd.microsoft.card.adaptive');
  const cardTitle = (m: BotMessage) => JSON.stringify(m.attachments[0]?.content ?? '');

  it('installs, subscribes from chat, and delivers threaded cards to the subscribed channel only', async function () {
    const general = playground.channelId();
    const other = playground.config.teams[0]!.channels.map((c) => c.id).find(
      (id) => id !== general,
    )!;
    assert.ok(other, 'the mock team has a second channel');

    await playground.install('team');
    await playground.waitFor(
      (m) => m.conversationId === general && /Reynolds here/.test(m.text ?? ''),
      'the welcome in General',
    );

    const sample = exampleOf('pull_request', 'opened').payload as any;
    const repo = sample.repository.full_name as string;
    const sent = await playground.send(general, `subscribe ${repo}`);
    const confirmation = await playground.waitFor(
      (m) => m.threadId === sent.threadId && /this conversation now gets/.test(m.text ?? ''),
      'the subscription is confirmed in the thread',
    );
    assert.match(confirmation.text ?? '', new RegExp(repo.replace('/', '\\/')));
    playground.clear();

    // A story on that repository: an issue, a PR, a review on it, the PR closed, a release.
    const story: Array<[string, string]> = [
      ['issues', 'opened'],
      ['pull_request', 'opened'],
      ['issues', 'labeled'],
      ['pull_request_review', 'submitted'],
      ['pull_request', 'closed'],
      ['release', 'published'],
    ];
    for (const [event, action] of story) {
      const payload = structuredClone(exampleOf(event, action).payload) as any;
      payload.repository.full_name = repo; // every one of them about the subscribed repository
      const result = await postDelivery(reynolds.url, { event, payload });
      assert.equal(result.status, 202, `${event}.${action}`);
    }
    await playground.waitFor(
      () => playground.messages.filter(isCard).length >= story.length,
      `${story.length} cards`,
      30_000,
    );
    const cards = playground.messages.filter(isCard);
    assert.equal(cards.length, story.length, 'one card per event');
    assert.ok(
      cards.every((c) => c.conversationId === general),
      'all in the subscribed channel',
    );
    assert.ok(
      !playground.messages.some((m) => m.conversationId === other),
      'nothing in the channel that did not subscribe',
    );

    // The PR's later cards (review, closed) are replies in the thread its first card started.
    const prNumber = sample.pull_request.number as number;
    const aboutPr = cards.filter((c) => cardTitle(c).includes(`/pull/${prNumber}`));
    assert.ok(aboutPr.length >= 3, `three cards about PR #${prNumber}: ${aboutPr.length}`);
    assert.equal(aboutPr[0]!.startsThread, true, 'the first card starts the thread');
    for (const later of aboutPr.slice(1)) {
      assert.equal(later.startsThread, false);
      assert.equal(later.threadId, aboutPr[0]!.threadId, 'later cards are replies in that thread');
    }
  });
});
