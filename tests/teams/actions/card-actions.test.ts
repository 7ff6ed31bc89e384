/**
 * Card actions end to end: a running Reynolds, Action.Execute invokes posted to /api/messages the
 * way Teams sends them (`invoke` / `adaptiveCard/action`), chat commands to sign in (GitHub's device
 * flow) and allow, and GitHub (sign-in and REST API) stood in on loopback. The alert's chain comes
 * from a real webhook delivery. Writes go out with the clicking person's own token.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { PipelineContext } from '../../../src/core/pipeline.js';
import { parseMarker } from '../../../src/loops/marker.js';
import { cardProblems } from '../../support/adaptive-card-schema.js';
import { startConnectorStub, type ConnectorStub } from '../../support/connector-stub.js';
import { startGitHubApiStub, type GitHubApiStub } from '../../support/github-api-stub.js';
import {
  eventually,
  postDelivery,
  startTestReynolds,
  type TestReynolds,
} from '../../support/reynolds.js';
import { exampleOf } from '../../support/webhook-examples.js';
import * as signInLines from '../../../src/persona/sign-in-replies.js';

const ADMIN = {
  id: '29:admin',
  aadObjectId: '11111111-1111-4111-8111-111111111111',
  name: 'Ada Admin',
};
const MEGAN = {
  id: '29:megan',
  aadObjectId: '22222222-2222-4222-8222-222222222222',
  name: 'Megan Bowen',
};
const STRANGER = {
  id: '29:stranger',
  aadObjectId: '33333333-3333-4333-8333-333333333333',
  name: 'Stan Ger',
};
const CONVERSATION = '19:general@thread.tacv2';

type Json = Record<string, any>;

describe('card actions (Action.Execute → write guard → GitHub)', function () {
  this.timeout(30_000);
  let reynolds: TestReynolds;
  let github: GitHubApiStub;
  let connector: ConnectorStub;
  const seen: PipelineContext[] = [];

  before(async function () {
    github = await startGitHubApiStub();
    connector = await startConnectorStub();
    reynolds = await startTestReynolds(
      {
        GITHUB_TOKEN: 'ghp_test_token_0123456789', // Reynolds's own: writes must not use it
        GITHUB_API_URL: github.url,
        GITHUB_WEB_URL: github.url,
        GITHUB_OAUTH_CLIENT_ID: github.signIn.clientId,
        GITHUB_OAUTH_CLIENT_SECRET: github.signIn.clientSecret,
        ADMIN_AAD_IDS: ADMIN.aadObjectId,
      },
      { stages: [{ name: 'capture', run: async (context) => void seen.push(context) }] },
    );
    // Megan and the admin sign in to GitHub; the admin later allows her for the alerts' repository.
    await signIn(MEGAN, { id: 2001, login: 'megan-gh' });
    await signIn(ADMIN, { id: 2002, login: 'ada-gh' });
  });

  after(async function () {
    await reynolds?.dispose();
    await github?.stop();
    await connector?.stop();
  });

  function activity(from: Json, extra: Json): Json {
    return {
      id: randomUUID(),
      channelId: 'msteams',
      serviceUrl: connector.url,
      from,
      recipient: { id: '28:reynolds', name: 'Reynolds' },
      conversation: { id: CONVERSATION, conversationType: 'channel', tenantId: 'local' },
      channelData: { tenant: { id: 'local' }, channel: { id: CONVERSATION, name: 'General' } },
      timestamp: new Date().toISOString(),
      ...extra,
    };
  }

  async function post(body: Json): Promise<{ status: number; json: Json }> {
    const response = await fetch(`${reynolds.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: text === '' ? {} : (JSON.parse(text) as Json) };
  }

  /** Sends a chat message and returns Reynolds's reply text (it goes to the connector). */
  async function say(from: Json, text: string, entities: Json[] = []): Promise<string> {
    const before = connector.posts.length;
    const { status } = await post(activity(from, { type: 'message', text, entities }));
    assert.equal(status, 200, text);
    await eventually(() => connector.posts.length > before, `a reply to "${text}"`);
    return String(connector.posts[before]!.activity['text']);
  }

  /** `sign in`, the person approves at the GitHub stand-in, and Reynolds's follow-up says who they are. */
  async function signIn(from: Json, user: { id: number; login: string }): Promise<void> {
    const before = connector.posts.length;
    await say(from, 'sign in');
    github.signIn.approve((await github.signIn.nextCode()).userCode, user);
    await eventually(
      () =>
        connector.posts
          .slice(before)
          .some((p) => String(p.activity['text']).includes(`signed in as **@${user.login}**`)),
      `${user.login} is signed in`,
    );
  }

  /** The access token the stand-in issued to a GitHub login, still valid. */
  const tokenOf = (login: string) =>
    [...github.signIn.tokens.entries()].find(([, t]) => t.user.login === login && !t.revoked)?.[0];

  /** A webhook delivery through the real pipeline; returns the card-action data for its alert. */
  async function alertAbout(event: 'issues' | 'pull_request', number: number): Promise<Json> {
    const payload = structuredClone(exampleOf(event, 'opened').payload) as Json;
    (event === 'issues' ? payload['issue'] : payload['pull_request']).number = number;
    const { deliveryId, status } = await postDelivery(reynolds.url, { event, payload });
    assert.equal(status, 202);
    await eventually(
      () => seen.some((c) => c.event.deliveryId === deliveryId),
      'the delivery is processed',
    );
    const context = seen.find((c) => c.event.deliveryId === deliveryId)!;
    return {
      repo: context.event.repo!.fullName,
      number,
      chainId: context.loop!.node.chainId,
      nodeId: context.loop!.node.nodeId,
      deliveryId,
    };
  }

  async function click(from: Json, verb: string, data: Json): Promise<Json> {
    const { status, json } = await post(
      activity(from, {
        type: 'invoke',
        name: 'adaptiveCard/action',
        replyToId: 'activity-1',
        value: {
          action: { type: 'Action.Execute', verb, data: { verb, ...data } },
          trigger: 'manual',
        },
      }),
    );
    assert.equal(status, 200, `invoke ${verb}`);
    assert.equal(json['statusCode'], 200);
    assert.equal(json['type'], 'application/vnd.microsoft.card.adaptive');
    const card = json['value'] as Json;
    assert.deepEqual(cardProblems(card), [], 'the answer is a valid Adaptive Card');
    assert.ok(!JSON.stringify(json).includes('ghp_test_token'), 'no card shows the GitHub token');
    return card;
  }

  const shown = (card: Json) => JSON.stringify(card['body']);
  const verbsOf = (card: Json): string[] => {
    const found: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (typeof node !== 'object' || node === null) return;
      if ((node as Json)['type'] === 'Action.Execute') found.push((node as Json)['verb']);
      Object.values(node as Json).forEach(walk);
    };
    walk(card['actions']);
    return found.sort();
  };

  it('refuses a user who has not signed in ("sign in to act"); link github now points to sign in; GitHub gets nothing', async function () {
    const data = await alertAbout('issues', 101);
    const card = await click(STRANGER, 'close', data);
    assert.match(shown(card), /Sign in to act: say \\\\`@Reynolds sign in\\\\`/);
    assert.match(
      await say(STRANGER, 'link github stan-gh'),
      new RegExp(signInLines.linkReplacedLine().slice(0, 30)),
    );
    assert.match(await say(STRANGER, 'whoami'), /I do not know your GitHub account yet/);
    assert.deepEqual(
      verbsOf(card),
      ['close', 'comment'],
      'the buttons stay, to try again after linking',
    );
    assert.equal(github.writes().length, 0);
  });

  it('refuses a linked user the conversation has not allowed, then an admin allows them', async function () {
    const data = await alertAbout('issues', 102);
    const card = await click(MEGAN, 'close', data);
    assert.match(shown(card), /hasn't allowed you to write to/);
    assert.equal(github.writes().length, 0);

    const refused = await say(MEGAN, 'allow everyone');
    assert.match(refused, /Only an admin/);
    const reply = await say(ADMIN, `allow <at>Megan Bowen</at> ${data['repo']}`, [
      {
        type: 'mention',
        text: '<at>Megan Bowen</at>',
        mentioned: { id: MEGAN.id, name: MEGAN.name },
      },
    ]);
    assert.match(reply, /@Megan Bowen may now write to/);
    assert.match(await say(MEGAN, 'who can write'), /@Megan Bowen: /);
    assert.match(await say(MEGAN, 'allow Megan'), /Say who: `allow @someone`/);
    assert.match(await say(MEGAN, 'allow <b>x</b>'), /I don't know what/);
    assert.match(
      await say(MEGAN, 'whoami'),
      /You are \*\*@megan-gh\*\* on GitHub \(user id 2001\)/,
    );
  });

  it('whoever installs Reynolds in a conversation is its admin there, until it is removed', async function () {
    const installer = {
      id: '29:ivy',
      aadObjectId: '55555555-5555-4555-8555-555555555555',
      name: 'Ivy Installer',
    };
    const chat = { id: '19:team-chat@thread.v2', conversationType: 'groupChat', tenantId: 'local' };
    const install = (action: string) =>
      post(activity(installer, { type: 'installationUpdate', action, conversation: chat }));
    assert.equal((await install('add')).status, 200);
    const inChat = async (from: Json, text: string) => {
      const before = connector.posts.length;
      await post(activity(from, { type: 'message', text, conversation: chat }));
      await eventually(() => connector.posts.length > before, `a reply to "${text}"`);
      return String(connector.posts[before]!.activity['text']);
    };
    assert.match(await inChat(MEGAN, 'allow everyone'), /Only an admin/);
    assert.match(
      await inChat(installer, 'allow everyone'),
      /everyone may now write to any repository/,
    );
    assert.match(await inChat(MEGAN, 'who can write'), /- everyone: any repository/);
    assert.equal((await install('remove')).status, 200);
    assert.equal((await install('add')).status, 200);
    assert.match(
      await inChat(MEGAN, 'who can write'),
      /nobody else yet/,
      'a new install starts with an empty list',
    );
  });

  it('an allowed close: GitHub gets the PATCH, the card says who closed it and offers Reopen', async function () {
    const data = await alertAbout('issues', 103);
    const card = await click(MEGAN, 'close', data);
    const patches = github.writes().filter((r) => r.method === 'PATCH');
    assert.equal(patches.length, 1);
    assert.equal(patches[0]!.path, `/repos/${data['repo']}/issues/103`);
    assert.deepEqual(patches[0]!.body, { state: 'closed' });
    assert.equal(
      patches[0]!.authorization,
      `token ${tokenOf('megan-gh')}`,
      "written with Megan's own token, not Reynolds's",
    );
    assert.match(shown(card), /Closed by @megan-gh via Reynolds/);
    assert.deepEqual(verbsOf(card), ['comment', 'reopen']);
    const update = connector.updates.at(-1)!;
    assert.equal(
      update.activityId,
      'activity-1',
      'the alert message itself is replaced for everyone',
    );
    assert.deepEqual(update.activity['attachments'][0].content, card);
    const reopen = card['actions'].find((a: Json) => a['verb'] === 'reopen');
    assert.equal(reopen['data']['rev'], 1, 'the new card is a new revision');
  });

  it('an entry by sign-in name (UPN) matches through the Teams roster', async function () {
    const upnUser = {
      id: '29:upn-user',
      aadObjectId: '44444444-4444-4444-8444-444444444444',
      name: 'Una Upn',
    };
    await signIn(upnUser, { id: 2003, login: 'una-gh' });
    assert.match(
      await say(ADMIN, 'allow una@contoso.com'),
      /una@contoso.com may now write to any repository/,
    );
    const data = await alertAbout('issues', 108);
    const before = github.writes().length;
    const unknown = await click(upnUser, 'close', data);
    assert.match(shown(unknown), /hasn't allowed you/, 'the roster does not know the user yet');
    assert.equal(github.writes().length, before);
    connector.members[upnUser.id] = {
      id: upnUser.id,
      name: upnUser.name,
      aadObjectId: upnUser.aadObjectId,
      userPrincipalName: 'Una@Contoso.com',
    };
    const card = await click(upnUser, 'close', data);
    assert.match(shown(card), /Closed by @una-gh via Reynolds/);
    assert.equal(github.writes().length, before + 1);
  });

  it('a double submit writes once, concurrent or retried', async function () {
    const data = await alertAbout('issues', 104);
    const before = github.writes().length;
    const [first, second] = await Promise.all([
      click(MEGAN, 'close', data),
      click(MEGAN, 'close', data),
    ]);
    const retried = await click(MEGAN, 'close', data);
    assert.equal(github.writes().length - before, 1, 'one PATCH');
    for (const card of [first, second, retried]) assert.match(shown(card), /Closed by @megan-gh/);
    assert.match(shown(retried), /nothing was written twice/);
    // Reopening from the new card, then closing from the one after, are new acts.
    await click(MEGAN, 'reopen', { ...data, rev: 1 });
    await click(MEGAN, 'close', { ...data, rev: 2 });
    assert.equal(github.writes().length - before, 3);
  });

  it('a comment carries the attribution and a verifiable chain marker', async function () {
    const data = await alertAbout('issues', 105);
    const card = await click(MEGAN, 'comment', { ...data, comment: 'Looking into it.' });
    const comment = github
      .writes()
      .find((r) => r.path === `/repos/${data['repo']}/issues/105/comments`)!;
    assert.ok(comment, 'GitHub got the comment');
    assert.match(
      comment.body['body'],
      /^Looking into it\.\n\n— @megan-gh via Reynolds\n\n<!-- reynolds:v1 /,
    );
    const mark = parseMarker(comment.body['body'], reynolds.config.markerKey);
    assert.equal(
      mark?.chainId,
      data['chainId'],
      'the marker ties the comment to the alert’s chain',
    );
    assert.match(shown(card), /Commented by @megan-gh via Reynolds/);

    const empty = await click(MEGAN, 'comment', { ...data, comment: '   ', rev: 1 });
    assert.match(shown(empty), /comment was empty/);
  });

  it('approve and request changes go to the review endpoint', async function () {
    const data = await alertAbout('pull_request', 106);
    const approved = await click(MEGAN, 'approve', data);
    assert.match(shown(approved), /Approved by @megan-gh via Reynolds/);
    const changes = await click(MEGAN, 'request_changes', {
      ...data,
      rev: 1,
      changesComment: 'Please add a test.',
    });
    assert.match(shown(changes), /Changes requested by @megan-gh via Reynolds/);
    const reviews = github
      .writes()
      .filter((r) => r.path === `/repos/${data['repo']}/pulls/106/reviews`);
    assert.deepEqual(
      reviews.map((r) => r.body['event']),
      ['APPROVE', 'REQUEST_CHANGES'],
    );
    assert.match(reviews[0]!.body['body'], /^— @megan-gh via Reynolds\n\n<!-- reynolds:v1 /);
    assert.match(reviews[1]!.body['body'], /^Please add a test\.\n\n— @megan-gh via Reynolds/);
  });

  it('GitHub 404 and 422 give an error card, not an exception', async function () {
    const missing = await click(MEGAN, 'close', await alertAbout('issues', 404));
    assert.match(shown(missing), /does not exist, or your GitHub account cannot see it \(404\)/);
    assert.match(shown(missing), /GitHub: Not Found/);
    const invalid = await click(MEGAN, 'approve', await alertAbout('pull_request', 422));
    assert.match(shown(invalid), /\(422\)/);
  });

  it('a write on a broken chain is refused by the guard, with a clear card', async function () {
    const data = await alertAbout('issues', 107);
    const chain = await reynolds.tracker.chainState('local', data['chainId']);
    await reynolds.tracker.recordNode(
      chain,
      {
        nodeId: 'runaway',
        chainId: data['chainId'],
        parentId: data['nodeId'],
        depth: 9,
        kind: 'event',
        link: 'marker',
        at: Date.now(),
        actorKind: 'bot',
        summary: 'bots answering each other',
        fingerprint: 'f',
        score: 1,
        verdict: 'break',
        signals: [{ name: 'depth', strength: 1, detail: 'ten bot turns in a minute' }],
      },
      'test',
    );
    const before = github.writes().length;
    const card = await click(MEGAN, 'close', data);
    assert.match(shown(card), /stopped this chain as a runaway loop/);
    assert.equal(github.writes().length, before);
  });

  it('a token revoked on GitHub: the click gets a clear card, the sign-in is forgotten, and the next click asks to sign in', async function () {
    const revoked = {
      id: '29:rita',
      aadObjectId: '66666666-6666-4666-8666-666666666666',
      name: 'Rita Revoked',
    };
    await signIn(revoked, { id: 2004, login: 'rita-gh' });
    await say(ADMIN, 'allow everyone');
    github.signIn.revokeOnGitHub(tokenOf('rita-gh')!);
    const data = await alertAbout('issues', 109);
    const before = github.writes().length;
    const card = await click(revoked, 'close', data);
    assert.match(shown(card), /GitHub refused your sign-in; nothing was written/);
    assert.match(
      shown(card),
      /GitHub no longer accepts my token for @rita-gh \(revoked or expired\)/,
    );
    assert.equal(github.writes().length, before + 1, 'GitHub was asked once, and refused (401)');
    assert.match(shown(await click(revoked, 'close', data)), /Sign in to act/);
    assert.equal(github.writes().length, before + 1, 'the forgotten token is not tried again');
  });

  it('malformed card data gets a clear card', async function () {
    const card = await click(MEGAN, 'close', { repo: 'not a repo', number: 'x' });
    assert.match(shown(card), /missing what I need to act/);
  });
});
