/**
 * Reynolds in Teams, as far as a test can get without Teams: the real Microsoft 365 Agents
 * Playground is the client, Reynolds runs in-process on a random loopback port in local mode, and
 * every message goes Playground → /api/messages → Teams AI → the Playground's mock connector.
 */
import assert from 'node:assert/strict';
import { systemClock } from '../../src/core/clock.js';
import { greetingLine, helpLines, statusLine, welcomeLine } from '../../src/persona/replies.js';
import { ConversationBook } from '../../src/teams/sending/conversation-book.js';
import { botAnswered, startPlayground, type Playground } from '../support/playground.js';
import { eventually, startTestReynolds, type TestReynolds } from '../support/reynolds.js';

describe('Reynolds through the Agents Playground', function () {
  this.timeout(30_000);
  let reynolds: TestReynolds;
  let playground: Playground;
  let conversations: ConversationBook;

  before(async function () {
    this.timeout(60_000);
    reynolds = await startTestReynolds();
    playground = await startPlayground({ botEndpoint: `${reynolds.url}/api/messages` });
    conversations = new ConversationBook(reynolds.store, systemClock);
  });

  after(async function () {
    await playground?.stop();
    await reynolds?.dispose();
  });

  beforeEach(function () {
    playground.clear();
  });

  describe('in the personal chat', function () {
    it('answers help with the help text', async function () {
      const chat = playground.personalChatId;
      await playground.send(chat, 'help');
      const reply = await playground.waitFor(
        (m) => m.conversationId === chat,
        'a reply to "help" in the personal chat',
      );
      assert.equal(reply.text, helpLines());
      assert.equal(reply.fromId, playground.config.bot.id);
    });

    it('answers status with the store and the inbox counts', async function () {
      const chat = playground.personalChatId;
      await playground.send(chat, 'status');
      const reply = await playground.waitFor(
        (m) => m.conversationId === chat,
        'a reply to "status" in the personal chat',
      );
      const counts = await reynolds.store.inboxCounts();
      assert.equal(
        reply.text,
        `${statusLine({ store: reynolds.store.kind, ready: true, ...counts })} Model pool: not configured (offline planner, no enrichment).`,
      );
      const card = await playground.waitFor(
        (m) => m.conversationId === chat && m.attachments.length > 0,
        'the status card',
      );
      assert.equal(card.attachments[0]?.contentType, 'application/vnd.microsoft.card.adaptive');
      assert.match(
        reply.text ?? '',
        /Store: sqlite \(reachable\)\. Inbox: \d+ waiting, \d+ in progress, \d+ parked as failed/,
      );
    });

    it('greets the user by first name for anything else', async function () {
      const chat = playground.personalChatId;
      await playground.send(chat, 'hello there');
      const reply = await playground.waitFor(
        (m) => m.conversationId === chat,
        'a greeting in the personal chat',
      );
      assert.equal(reply.text, greetingLine(playground.config.currentUser.name));
    });
  });

  describe('in a team channel', function () {
    it('answers an @mentioned help in the thread of the message', async function () {
      const channel = playground.channelId('General');
      const sent = await playground.send(channel, 'help', { mention: true });
      assert.ok(sent.threadId, 'a channel message starts a thread');
      const reply = await playground.waitFor(
        (m) => m.threadId === sent.threadId,
        `a reply in thread ${sent.threadId}`,
      );
      // Teams AI removed "<at>Reynolds</at>", so the message matched the help command exactly.
      assert.equal(reply.text, helpLines());
      assert.equal(reply.conversationId, channel);
      assert.equal(reply.startsThread, false);
    });

    it('answers a reply in an existing thread in that thread', async function () {
      const channel = playground.channelId('Announcements');
      const first = await playground.send(channel, 'help');
      await playground.waitFor(
        (m) => m.threadId === first.threadId,
        'the reply to the first message',
      );
      await playground.send(channel, 'status', { threadId: first.threadId });
      const reply = await playground.waitFor(
        (m) => m.threadId === first.threadId && (m.text ?? '').includes('Inbox:'),
        `a status reply in thread ${first.threadId}`,
      );
      assert.equal(reply.startsThread, false);
    });
  });

  describe('in a group chat', function () {
    it('answers an @mentioned help', async function () {
      const chat = playground.groupChatId;
      await playground.send(chat, 'help', { mention: true });
      const reply = await playground.waitFor(
        (m) => m.conversationId === chat,
        'a reply to "help" in the group chat',
      );
      assert.equal(reply.text, helpLines());
    });
  });

  describe('installing', function () {
    it('into a team: says the welcome line in a new General thread and remembers the channel', async function () {
      const team = playground.teamId;
      await playground.install('team');
      const welcome = await playground.waitFor(
        (m) => m.conversationId === team,
        'the welcome line in the General channel',
      );
      assert.equal(welcome.text, welcomeLine());
      assert.equal(welcome.startsThread, true, 'a proactive post to a channel starts a thread');
      const known = await conversations.find(reynolds.config.tenantId, team);
      assert.equal(known?.scope, 'channel');
      assert.equal(known?.teamId, team);
    });

    it('into a group chat: says the welcome line there', async function () {
      const chat = playground.groupChatId;
      await playground.install('groupchat');
      const welcome = await playground.waitFor(
        (m) => m.conversationId === chat,
        'the welcome line in the group chat',
      );
      assert.equal(welcome.text, welcomeLine());
      assert.equal((await conversations.find(reynolds.config.tenantId, chat))?.scope, 'groupChat');
    });

    it('removing it from the team forgets the channel', async function () {
      const team = playground.teamId;
      await playground.install('team');
      // Both install activities must be done with, or a late one would remember the team again.
      await playground.waitFor(
        (m) => m.conversationId === team && m.text === welcomeLine(),
        'the welcome line in the General channel',
      );
      await playground.waitForLog(
        botAnswered('installationUpdate', team),
        'Reynolds to answer the installationUpdate',
      );
      assert.ok(
        await conversations.find(reynolds.config.tenantId, team),
        'the team is remembered after the install',
      );
      await playground.uninstall('team');
      await playground.waitForLog(
        (item) =>
          botAnswered('conversationUpdate', team)(item) &&
          JSON.stringify(item.request?.body).includes('membersRemoved'),
        'Reynolds to answer the membersRemoved conversationUpdate',
      );
      await eventually(
        async () => (await conversations.find(reynolds.config.tenantId, team)) === undefined,
        'the team to be forgotten after the uninstall',
      );
    });
  });
});
