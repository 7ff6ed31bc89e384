/**
 * Verified GitHub sign-in through the real Agents Playground, with a loopback GitHub stand-in for
 * the device flow, `GET /user`, revocation and the writes: `sign in` shows the code card, the
 * stand-in approves as a GitHub user, Reynolds says who you are; approving from a channel alert
 * card reaches GitHub with that person's own token; `sign out` revokes it.
 *
 * Run it alone, under the Playground lock: `flock /tmp/playground.lock npx mocha tests/e2e/playground-sign-in.test.ts`.
 */
import assert from 'node:assert/strict';
import {
  botAnswered,
  startPlayground,
  type BotMessage,
  type Playground,
} from '../support/playground.js';
import { startGitHubApiStub, type GitHubApiStub } from '../support/github-api-stub.js';
import { postDelivery, startTestReynolds, type TestReynolds } from '../support/reynolds.js';
import { exampleOf } from '../support/webhook-examples.js';

const CARD = 'application/vnd.microsoft.card.adaptive';
const MEGAN_GH = { id: 1_234_567, login: 'megan-gh', name: 'Megan Bowen' };
const REYNOLDS_TOKEN = 'ghp_reynolds_own_token_0123456789';

type Json = Record<string, any>;
const cardOf = (m: BotMessage): Json | undefined =>
  m.attachments.find((a) => a.contentType === CARD)?.content as Json | undefined;

/** The Action.Execute with this verb anywhere in a card. */
function executeAction(card: Json, verb: string): Json | undefined {
  let found: Json | undefined;
  const walk = (node: unknown): void => {
    if (found || typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) return node.forEach(walk);
    if ((node as Json)['type'] === 'Action.Execute' && (node as Json)['verb'] === verb)
      found = node as Json;
    else Object.values(node as Json).forEach(walk);
  };
  walk(card);
  return found;
}

describe('GitHub sign-in through the Agents Playground', function () {
  this.timeout(60_000);
  let github: GitHubApiStub;
  let reynolds: TestReynolds;
  let playground: Playground;
  /** The PR alert of the second test, clicked again after sign-out. */
  let alertCard: { message: BotMessage; changes: Json } | undefined;

  before(async function () {
    github = await startGitHubApiStub();
    reynolds = await startTestReynolds({
      GITHUB_OAUTH_CLIENT_ID: github.signIn.clientId,
      GITHUB_OAUTH_CLIENT_SECRET: github.signIn.clientSecret,
      GITHUB_WEB_URL: github.url,
      GITHUB_API_URL: github.url,
      // Reynolds's own credentials: reads, and what the write buttons need to appear. Writes must not use them.
      GITHUB_TOKEN: REYNOLDS_TOKEN,
    });
    playground = await startPlayground({ botEndpoint: `${reynolds.url}/api/messages` });
  });

  after(async function () {
    await playground?.stop();
    await reynolds?.dispose();
    await github?.stop();
  });

  /** Sends a message in a conversation and waits for Reynolds to finish the turn. */
  async function say(conversationId: string, text: string): Promise<void> {
    await playground.send(conversationId, text, {
      mention: conversationId !== playground.personalChatId,
    });
    await playground.waitForLog(
      botAnswered('message', conversationId),
      `Reynolds to finish "${text}"`,
    );
  }

  it('sign in: the code card, GitHub approves, Reynolds says who you are; whoami agrees', async function () {
    const chat = playground.personalChatId;
    playground.clear();
    await say(chat, 'sign in');
    const cardMessage = await playground.waitFor(
      (m) => m.conversationId === chat && cardOf(m) !== undefined,
      'the sign-in card',
    );
    const code = await github.signIn.nextCode();
    const shown = JSON.stringify(cardOf(cardMessage));
    assert.ok(shown.includes(code.userCode), 'the card shows the user code');
    assert.ok(shown.includes(`${github.url}/login/device`), 'and the verification link');
    assert.match(shown, /15 minutes/);
    assert.ok(!shown.includes(code.deviceCode), 'never the device code');

    github.signIn.approve(code.userCode, MEGAN_GH);
    const confirmed = await playground.waitFor(
      (m) => m.conversationId === chat && /signed in as \*\*@megan-gh\*\*/.test(m.text ?? ''),
      'the confirmation, posted when GitHub said yes',
      20_000,
    );
    assert.match(confirmed.text ?? '', /verified by GitHub itself/);
    const user = github.requests.find((r) => r.path === '/user');
    assert.match(user?.authorization ?? '', /^token gho_StandIn/, 'GET /user with the new token');

    playground.clear();
    await say(chat, 'whoami');
    const whoami = await playground.waitFor(
      (m) => m.conversationId === chat && /megan-gh/.test(m.text ?? ''),
      'whoami',
    );
    assert.match(
      whoami.text ?? '',
      /You are \*\*@megan-gh\*\* on GitHub \(user id 1234567\), verified by GitHub sign-in/,
    );
  });

  it("approve from a channel alert card: GitHub gets the review with the person's own token", async function () {
    const general = playground.channelId();
    await playground.install('team'); // the installer is the channel's admin, so may act here
    await playground.waitFor(
      (m) => m.conversationId === general && /Reynolds here/.test(m.text ?? ''),
      'the welcome in General',
    );
    const payload = structuredClone(exampleOf('pull_request', 'opened').payload) as Json;
    const repo = payload['repository'].full_name as string;
    await say(general, `subscribe ${repo} pulls`);
    playground.clear();
    assert.equal(
      (await postDelivery(reynolds.url, { event: 'pull_request', payload })).status,
      202,
    );
    const alert = await playground.waitFor(
      (m) =>
        m.conversationId === general &&
        cardOf(m) !== undefined &&
        executeAction(cardOf(m)!, 'approve') !== undefined,
      'the PR alert card with an Approve button',
      20_000,
    );
    const approve = executeAction(cardOf(alert)!, 'approve')!;
    alertCard = { message: alert, changes: executeAction(cardOf(alert)!, 'request_changes')! };

    const result = await playground.invoke(
      'adaptiveCard/action',
      { action: { type: 'Action.Execute', verb: 'approve', data: approve['data'] } },
      { conversationId: alert.threadId ?? general, replyToId: alert.messageId },
    );
    assert.equal(result.status, 200, JSON.stringify(result.body));
    assert.match(JSON.stringify(result.body), /Approved by @megan-gh/);
    const reviews = github
      .writes()
      .filter((r) => r.path === `/repos/${repo}/pulls/${payload['pull_request'].number}/reviews`);
    assert.equal(reviews.length, 1, 'one review reached GitHub');
    assert.equal(reviews[0]!.body['event'], 'APPROVE');
    assert.match(
      reviews[0]!.authorization ?? '',
      /^token gho_StandIn/,
      "written with Megan's token",
    );
    assert.notEqual(
      reviews[0]!.authorization,
      `token ${REYNOLDS_TOKEN}`,
      "not with Reynolds's own",
    );
    assert.match(
      reviews[0]!.body['body'],
      /<!-- reynolds:v1 /,
      'the loop guard still marked the write',
    );
  });

  it('sign out revokes the token at GitHub; the next click asks to sign in', async function () {
    const chat = playground.personalChatId;
    const token = [...github.signIn.tokens.entries()].find(
      ([, t]) => t.user.login === 'megan-gh' && !t.revoked,
    )?.[0];
    assert.ok(token);
    playground.clear();
    await say(chat, 'sign out');
    const reply = await playground.waitFor(
      (m) => m.conversationId === chat && /Signed out/.test(m.text ?? ''),
      'the sign-out reply',
    );
    assert.match(reply.text ?? '', /GitHub has revoked my token for \*\*@megan-gh\*\*/);
    const revoke = github.requests.find(
      (r) => r.method === 'DELETE' && r.path === `/applications/${github.signIn.clientId}/token`,
    );
    assert.equal(revoke?.body['access_token'], token);
    assert.equal(github.signIn.tokens.get(token)?.revoked, true);

    assert.ok(alertCard, 'the alert of the previous test');
    const writes = github.writes().length;
    const { message, changes } = alertCard;
    const result = await playground.invoke(
      'adaptiveCard/action',
      {
        action: {
          type: 'Action.Execute',
          verb: 'request_changes',
          data: { ...changes['data'], rev: 1 },
        },
      },
      { conversationId: message.threadId ?? playground.channelId(), replyToId: message.messageId },
    );
    assert.equal(result.status, 200, JSON.stringify(result.body));
    assert.match(JSON.stringify(result.body), /Sign in to act/);
    assert.equal(github.writes().length, writes, 'nothing reached GitHub');
  });
});
