/**
 * Orchestration through real Reynolds and the Agents Playground: a PR whose body says it depends on
 * another gets "unblocked: ... merged" in its own channel thread when that one merges (signed
 * webhook deliveries in, proactive card out), and the chat answers `dependencies of`.
 * Run with `flock /tmp/playground.lock npx mocha tests/e2e/orchestration.test.ts`.
 */
import assert from 'node:assert/strict';
import { startPlayground, type BotMessage, type Playground } from '../support/playground.js';
import { postDelivery, startTestReynolds, type TestReynolds } from '../support/reynolds.js';
import { exampleOf } from '../support/webhook-examples.js';

describe('orchestration through the Agents Playground', function () {
  this.timeout(90_000);
  let reynolds: TestReynolds;
  let playground: Playground;
  let general: string;
  let repo: string;

  before(async function () {
    reynolds = await startTestReynolds();
    playground = await startPlayground({ botEndpoint: `${reynolds.url}/api/messages` });
    general = playground.channelId();
    await playground.install('team');
    await playground.waitFor(
      (m) => m.conversationId === general && /Reynolds here/.test(m.text ?? ''),
      'the welcome in General',
    );
    repo = (exampleOf('pull_request', 'opened').payload as any).repository.full_name as string;
    const sent = await playground.send(general, `subscribe ${repo} pulls`);
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

  function aPullRequest(number: number, action: string, fields: Record<string, unknown> = {}) {
    const payload = structuredClone(exampleOf('pull_request', 'opened').payload) as any;
    payload.action = action;
    payload.number = number;
    Object.assign(payload.pull_request, {
      number,
      html_url: `https://github.com/${repo}/pull/${number}`,
      title: `change ${number}`,
      merged: false,
      merged_at: null,
      state: 'open',
      ...fields,
    });
    payload.pull_request.head = { ...payload.pull_request.head, ref: `change-${number}` };
    return payload;
  }

  it('posts "unblocked" into the dependent PR\'s thread when its dependency merges, and answers "dependencies of"', async function () {
    const key = repo.toLowerCase();
    assert.equal(
      (
        await postDelivery(reynolds.url, {
          event: 'pull_request',
          payload: aPullRequest(2, 'opened', { body: `Depends on #1` }),
        })
      ).status,
      202,
    );
    const dependentCard = await playground.waitFor(
      (m) => m.action === 'createMessage' && /change 2/.test(cardJson(m)),
      'the card of PR #2',
      30_000,
    );
    assert.equal(
      (
        await postDelivery(reynolds.url, {
          event: 'pull_request',
          payload: aPullRequest(1, 'opened'),
        })
      ).status,
      202,
    );
    assert.equal(
      (
        await postDelivery(reynolds.url, {
          event: 'pull_request',
          payload: aPullRequest(1, 'closed', {
            state: 'closed',
            merged: true,
            merged_at: new Date().toISOString(),
          }),
        })
      ).status,
      202,
    );
    const notice = await playground.waitFor(
      (m) => /Unblocked/.test(cardJson(m)),
      'the unblocked notice',
      30_000,
    );
    assert.match(cardJson(notice), new RegExp(`unblocked: ${key.replace('/', '\\/')}#1 merged`));
    assert.equal(notice.threadId, dependentCard.threadId, "in PR #2's thread");

    const asked = await playground.send(general, `dependencies of ${repo}#2`);
    const answer = await playground.waitFor(
      (m) => m.threadId === asked.threadId && /waits for/.test(m.text ?? ''),
      'the answer',
    );
    assert.match(
      answer.text!,
      new RegExp(
        `${key.replace('/', '\\/')}#2 waits for: ${key.replace('/', '\\/')}#1 \\(depends on, done\\)`,
      ),
    );
  });
});
