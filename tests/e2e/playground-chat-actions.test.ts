/**
 * Chat with actions through the real Agents Playground: the offline planner (no model configured)
 * and the model-backed ActionPlanner against a loopback OpenAI-compatible stand-in drive the same
 * actions; a fake GitHubReader (a port) answers the lookups. A restart over the same data folder
 * keeps the conversation's context (the PR last discussed).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { capabilitiesLine, modelDownLine } from '../../src/persona/chat-replies.js';
import { errorLine, helpLines } from '../../src/persona/replies.js';
import { FakeDigest, FakeGitHubReader, pullOf } from '../support/chat-fakes.js';
import {
  hasToolResult,
  lastUserText,
  startChatStandin,
  unansweredToolCalls,
  type ChatStandin,
} from '../support/openai-chat-standin.js';
import {
  botAnswered,
  startPlayground,
  type BotMessage,
  type Playground,
} from '../support/playground.js';
import { startTestReynolds, type TestReynolds } from '../support/reynolds.js';

const CARD = 'application/vnd.microsoft.card.adaptive';
/** teams-ai's SAY turns line breaks into <br> for Teams. */
const said = (text: string) => text.split('\n').join('<br>');
const cardJson = (message: BotMessage) =>
  JSON.stringify(message.attachments.find((a) => a.contentType === CARD)?.content ?? null);

function fakeReader(): FakeGitHubReader {
  const reader = new FakeGitHubReader();
  reader.pulls.set('acme/app#12', pullOf('acme/app', 12));
  reader.files.set('acme/app#12', [{ path: 'src/wings/left.ts', additions: 60, deletions: 2 }]);
  reader.codeowners.set('acme/app', '/src/wings/ @colossus\n');
  reader.failing.set('acme/buggy', new TypeError('a bug in the reader'));
  return reader;
}

describe('chat actions through the Agents Playground', function () {
  this.timeout(30_000);
  let dataDir: string;
  let reynolds: TestReynolds;
  let playground: Playground;
  let standin: ChatStandin | undefined;
  const digest = new FakeDigest();

  /** Sends one message and waits until Reynolds has finished the turn, so no reply spills into the next. */
  const ask = async (
    text: string,
    what: string,
    predicate: (m: BotMessage) => boolean = () => true,
  ) => {
    const chat = playground.personalChatId;
    playground.clear();
    await playground.send(chat, text);
    await playground.waitForLog(
      botAnswered('message', chat),
      `Reynolds to finish the turn for "${text}"`,
    );
    return playground.waitFor((m) => m.conversationId === chat && predicate(m), what);
  };

  describe('with no model configured (offline planner)', function () {
    before(async function () {
      this.timeout(60_000);
      dataDir = mkdtempSync(path.join(tmpdir(), 'reynolds-chat-'));
      reynolds = await startTestReynolds(
        { DATA_DIR: dataDir },
        { chat: { reader: fakeReader(), digest } },
      );
      playground = await startPlayground({ botEndpoint: `${reynolds.url}/api/messages` });
    });

    after(async function () {
      await playground?.stop();
      await reynolds?.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('help', async function () {
      assert.equal((await ask('help', 'the help text')).text, helpLines());
      assert.equal(
        (await ask('what can you do?', 'the help text for a question')).text,
        helpLines(),
      );
    });

    it('status, as a card', async function () {
      // Teams (and the Playground) show a message's text and its card as two messages.
      const reply = await ask('how are you doing?', 'a status reply');
      assert.match(reply.text ?? '', /Store: sqlite \(reachable\).*Model pool: not configured/);
      const card = await playground.waitFor((m) => m.attachments.length > 0, 'the status card');
      assert.match(cardJson(card), /Reynolds status/);
    });

    it('looks up a PR as a card, then answers "who should review it" about the same PR', async function () {
      const lookup = await ask(
        'look up acme/app#12 please',
        'the lookup card',
        (m) => m.attachments.length > 0,
      );
      assert.match(cardJson(lookup), /acme\/app#12: Teach the widget to fly/);
      assert.match(cardJson(lookup), /failing \(4\): lint/);
      const reviewers = await ask(
        'who should review it?',
        'the reviewers card',
        (m) => m.attachments.length > 0,
      );
      assert.match(cardJson(reviewers), /Who should review acme\/app#12/);
      assert.match(cardJson(reviewers), /@colossus/);
    });

    it('answers an unknown PR and a malformed reference in voice', async function () {
      assert.match(
        (await ask('look up acme/app#404', 'a not-found line')).text ?? '',
        /GitHub says it does not exist/,
      );
      assert.match(
        (await ask('summarize acme/app', 'a which-number line')).text ?? '',
        /is a repository; which number\?/,
      );
    });

    it('subscribes in plain English, lists, and lists recent chains', async function () {
      assert.match(
        (await ask('please follow acme/app pulls', 'a subscribe reply')).text ?? '',
        /Done: this conversation now gets `subscribe acme\/app pulls`/,
      );
      assert.match(
        (await ask('what are our subscriptions?', 'the list')).text ?? '',
        /- subscribe acme\/app pulls/,
      );
      assert.match(
        (await ask('recent chains', 'the chains reply')).text ?? '',
        /No event chains lately/,
      );
    });

    it('digest now goes to the digest source for this conversation', async function () {
      await ask('digest now', 'the digest reply');
      assert.deepEqual(digest.calls.at(-1), [reynolds.config.tenantId, playground.personalChatId]);
    });

    it('in a channel, an @mentioned request is answered in its thread; in a group chat too', async function () {
      playground.clear();
      const channel = playground.channelId('General');
      const sent = await playground.send(channel, 'who should review acme/app#12?', {
        mention: true,
      });
      const card = await playground.waitFor(
        (m) => m.threadId === sent.threadId && m.attachments.length > 0,
        'the reviewers card in the thread',
      );
      assert.match(cardJson(card), /@colossus/);
      await playground.send(playground.groupChatId, 'recent chains', { mention: true });
      assert.match(
        (
          await playground.waitFor(
            (m) => m.conversationId === playground.groupChatId,
            'a group chat reply',
          )
        ).text ?? '',
        /No event chains lately/,
      );
      await playground.waitForLog(
        botAnswered('message', playground.groupChatId),
        'the group chat turn to end',
      );
    });

    it('a failing action is logged and apologised for, and the next message is served', async function () {
      assert.equal((await ask('look up acme/buggy#1', 'the apology')).text, errorLine());
      assert.equal((await ask('help', 'help after the failure')).text, helpLines());
    });

    it('an unknown request gets what Reynolds can do', async function () {
      assert.equal(
        (await ask('order me a pizza', 'the capabilities reply')).text,
        said(capabilitiesLine()),
      );
    });

    it('after a restart over the same store, remembers the PR last discussed', async function () {
      this.timeout(60_000);
      await ask('acme/app#12', 'the lookup card', (m) => m.attachments.length > 0);
      const port = reynolds.port;
      await reynolds.stop();
      reynolds = await startTestReynolds(
        { DATA_DIR: dataDir, PORT: String(port) },
        { chat: { reader: fakeReader(), digest } },
      );
      const stored = await reynolds.store.queryRecords({
        kind: 'chat_state',
        tenantId: reynolds.config.tenantId,
        limit: 10,
      });
      assert.ok(
        stored.some((r) => JSON.stringify(r.data).includes('acme/app#12')),
        'the state is in the store',
      );
      const summary = await ask('summarize it', 'the summary after the restart');
      assert.match(
        summary.text ?? '',
        /\*\*Summary of acme\/app#12\*\* \(written by me from the PR's data/,
      );
    });
  });

  describe('with a model configured (ActionPlanner over the OpenAI-compatible stand-in)', function () {
    before(async function () {
      this.timeout(60_000);
      standin = await startChatStandin();
      dataDir = mkdtempSync(path.join(tmpdir(), 'reynolds-chat-'));
      reynolds = await startTestReynolds(
        {
          DATA_DIR: dataDir,
          CHAT_MODEL_ENDPOINT: standin.url,
          CHAT_MODEL: 'gpt-standin',
          CHAT_MODEL_API_KEY: 'standin-key',
        },
        { chat: { reader: fakeReader(), digest } },
      );
      playground = await startPlayground({ botEndpoint: `${reynolds.url}/api/messages` });
    });

    after(async function () {
      await playground?.stop();
      await reynolds?.dispose();
      await standin?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('the model calls lookup, the action shows the card, the model follows up once', async function () {
      standin!.brain = (body) => {
        if (hasToolResult(body)) return { say: 'Lint is the only thing between you and glory.' };
        return /acme\/app#12/.test(lastUserText(body))
          ? { call: 'lookup', arguments: { reference: 'acme/app#12' } }
          : { say: 'Say a PR.' };
      };
      const before = standin!.requests.length;
      const card = await ask(
        'could you pull up acme/app#12 for me',
        'the lookup card',
        (m) => m.attachments.length > 0,
      );
      assert.match(cardJson(card), /acme\/app#12: Teach the widget to fly/);
      assert.deepEqual(
        playground.messages.map((m) => m.text ?? ''),
        ['', 'Lint is the only thing between you and glory.'],
        'the card, then one follow-up line from the model',
      );
      const [first, second] = standin!.requests.slice(before);
      assert.ok(first && second, 'two model calls: plan, then follow-up');
      assert.equal(first.model, 'gpt-standin');
      assert.match(String(first.messages[0]?.content), /You are Reynolds/);
      assert.deepEqual(first.tools?.map((t) => t.function.name).sort(), [
        'digest_now',
        'help',
        'list_subscriptions',
        'lookup',
        'pilot_status',
        'recent_chains',
        'status',
        'subscribe',
        'suggest_reviewers',
        'summarize',
        'unsubscribe',
        'why_stopped',
      ]);
      const toolMessage = second.messages.at(-1)!;
      assert.equal(toolMessage.role, 'tool');
      assert.match(String(toolMessage.content), /Showed PR acme\/app#12 "Teach the widget to fly"/);
    });

    it("a request with no tool gets the model's own words; status and reviewers go through the same actions", async function () {
      standin!.brain = (body) => {
        if (hasToolResult(body)) return { say: 'Done.' };
        const text = lastUserText(body);
        if (/status/.test(text)) return { call: 'status', arguments: {} };
        if (/review/.test(text)) return { call: 'suggest_reviewers', arguments: {} };
        return { say: 'I coordinate repos, not lunches. Try: look up owner/repo#1.' };
      };
      assert.equal(
        (await ask('order me lunch', 'the model reply')).text,
        'I coordinate repos, not lunches. Try: look up owner/repo#1.',
      );
      assert.match(
        cardJson(await ask('status please', 'the status card', (m) => m.attachments.length > 0)),
        /Reynolds status/,
      );
      // No reference given: the PR from the previous test is in the conversation state.
      assert.match(
        cardJson(
          await ask(
            'who should review that one?',
            'the reviewers card',
            (m) => m.attachments.length > 0,
          ),
        ),
        /@colossus/,
      );
    });

    it('an action the model made up, or bad arguments from it, get clear answers', async function () {
      standin!.brain = (body) => {
        if (hasToolResult(body)) return { say: 'Sorted.' };
        return /missiles/.test(lastUserText(body))
          ? { call: 'launch_missiles', arguments: {} }
          : { call: 'why_stopped', arguments: { chainId: '../../etc/passwd' } };
      };
      assert.equal(
        (await ask('launch the missiles', 'the capabilities line')).text,
        capabilitiesLine(),
      );
      assert.match(
        (await ask('why was that stopped', 'the bad chain id line')).text ?? '',
        /is not a chain id/,
      );
      assert.deepEqual(
        standin!.requests.map(unansweredToolCalls).flat(),
        [],
        'no request ever carried an unanswered tool call',
      );
    });

    it('a model that is down gets an in-voice line and the offline planner still answers', async function () {
      this.timeout(30_000);
      standin!.brain = () => ({ fail: 500 });
      await ask('look up acme/app#12', 'the model-down line', (m) => m.text === modelDownLine());
      const card = playground.messages.find((m) => m.attachments.length > 0);
      assert.ok(card, 'the offline planner answered with the lookup card');
      assert.match(cardJson(card), /acme\/app#12/);
      standin!.brain = () => ({ say: 'Back in business.' });
      assert.equal((await ask('hello?', 'the model answering again')).text, 'Back in business.');
    });
  });
});
