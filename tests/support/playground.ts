/**
 * Driving the real Microsoft 365 Agents Playground (`@microsoft/teams-app-test-tool`) as the
 * Teams client of a running Reynolds. The tool runs as a child process on a random port; this
 * harness talks to the same internal HTTP and WebSocket endpoints its browser UI uses, so what a
 * test sees is what a person clicking in the Playground would see. Its mock tenant comes from a
 * config file written here (the bot is called Reynolds, ids look like Teams ids).
 * docs/testing-with-the-playground.md lists the endpoints and what the tool cannot simulate.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';

export interface PlaygroundUser {
  id: string;
  name: string;
  aadObjectId: string;
  [key: string]: unknown;
}

/** The mock tenant, as `GET /_internal/v1/testConfig` reports it (`.config`). */
export interface PlaygroundConfig {
  tenantId: string;
  bot: { id: string; name: string };
  currentUser: PlaygroundUser;
  users: PlaygroundUser[];
  personalChat: { id: string; name: string };
  groupChats: Array<{ id: string; name: string; members: string[] }>;
  teams: Array<{
    id: string;
    name: string;
    aadGroupId: string;
    channels: Array<{ id: string; name: string; channelType: string }>;
    members: string[];
  }>;
}

export interface BotAttachment {
  contentType: string;
  content: unknown;
}

/** One thing the bot posted or changed, as the Playground's conversation stream reported it. */
export interface BotMessage {
  /** Arrival order, counting from 1 over the Playground's life (clear() does not reset it). */
  seq: number;
  /** `createMessage`: a new message; `updateMessage`: the bot edited `messageId` (updateActivity). */
  action: 'createMessage' | 'updateMessage';
  /** The personal chat, group chat or channel it belongs to. */
  conversationId: string;
  /**
   * Channels only: the thread, as Bot Framework names it (`<channel>;messageid=<root id>`). The
   * bot's replies to a user's channel message land in that message's thread; a proactive post to
   * the channel starts a new one.
   */
  threadId?: string;
  /** Channels only: the thread's root message when this message is a reply in it. */
  replyToId?: string;
  /** True when this message is the root of a new channel thread. */
  startsThread: boolean;
  messageId: string;
  fromId: string;
  text?: string;
  textFormat?: string;
  attachments: BotAttachment[];
  mentions: unknown[];
  timestamp: number;
  /** The WebSocket frame as received. */
  raw: unknown;
}

/** A frame of the Playground's log stream (`/_ws/log/stream`): what its UI shows in the log panel. */
export interface PlaygroundLogItem {
  type: 'text' | 'bot' | string;
  level?: string;
  displayText?: string;
  activityName?: string;
  from?: string;
  to?: string;
  conversationId?: string;
  request?: { body?: unknown };
  response?: { statusCode?: number; body?: unknown };
  [key: string]: unknown;
}

export interface SendOptions {
  /**
   * @mention the bot the way Teams does: text `<at>Name</at> ...` plus a mention entity. The
   * Playground (like Teams) delivers a group chat or channel message to the bot only when it is
   * mentioned, so this defaults to true there and to false in the personal chat.
   */
  mention?: boolean;
  /** Who sends it; default the current user. Must be a member of the conversation. */
  fromId?: string;
  /** Channels: reply in this thread (`<channel>;messageid=<id>`) instead of starting a new post. */
  threadId?: string;
}

export interface SentMessage {
  messageId: string;
  /** Channels: the thread the message started or went into; replies from the bot land there. */
  threadId?: string;
  timestamp: number;
}

export type InstallScope = 'personal' | 'team' | 'groupchat';

/** Bot Framework invoke names the Playground can send (and nothing else). */
export type InvokeName =
  | 'adaptiveCard/action'
  | 'message/submitAction'
  | 'composeExtension/query'
  | 'composeExtension/queryLink'
  | 'composeExtension/anonymousQueryLink'
  | 'composeExtension/fetchTask'
  | 'composeExtension/submitAction';

export interface InvokeResult {
  /** The Playground's HTTP status: 200 when the bot answered 2xx, otherwise an error (502 if the bot failed). */
  status: number;
  /** The bot's invoke response body, trimmed by the Playground to `{type, value}` (cards) or `{task, composeExtension}` (message extensions), or the error. */
  body: unknown;
}

export type CustomActivityTemplate =
  | 'install'
  | 'uninstall'
  | 'botAdded'
  | 'botRemoved'
  | 'userAdded'
  | 'userRemoved'
  | 'channelCreated'
  | 'channelRenamed'
  | 'channelDeleted'
  | 'teamRenamed'
  | 'teamDeleted';

export interface Playground {
  /** Base URL of the tool, e.g. http://127.0.0.1:40123 (its UI is at `/`). */
  url: string;
  port: number;
  /** The mock connector the bot posts to (every activity's `serviceUrl`). */
  serviceUrl: string;
  config: PlaygroundConfig;
  personalChatId: string;
  groupChatId: string;
  teamId: string;
  /** A channel's conversation id by display name; the General channel's id is the team id. */
  channelId(name?: string): string;
  /** Everything the bot posted or updated since the last clear(), in arrival order. */
  readonly messages: readonly BotMessage[];
  /** Every frame of the conversation stream, typing indicators included, since the last clear(). */
  readonly frames: readonly unknown[];
  /** The Playground's own log (requests to and from the bot, warnings) since the last clear(). */
  readonly log: readonly PlaygroundLogItem[];
  /** A user message, as typed in the Playground. Resolves once the Playground took it; the bot gets it just after. */
  send(conversationId: string, text: string, options?: SendOptions): Promise<SentMessage>;
  /**
   * What Teams sends when the app is added: `installationUpdate` (action `add`) and a
   * `conversationUpdate` whose `membersAdded` holds the bot (and, in the personal scope, the user).
   * Team installs land in the General channel unless `conversationId` names another channel.
   */
  install(scope: InstallScope, conversationId?: string): Promise<void>;
  /** What Teams sends when the app is removed: `installationUpdate` `remove` and `conversationUpdate` with the bot in `membersRemoved`. */
  uninstall(scope: InstallScope, conversationId?: string): Promise<void>;
  /** The Playground's ready-made activity of a kind for a conversation (its "custom activity" templates). */
  activityTemplate(
    conversationId: string,
    type?: CustomActivityTemplate,
  ): Promise<Record<string, unknown>>;
  /** Sends any activity to the bot through the Playground (its "custom activity" feature). */
  sendActivity(activity: Record<string, unknown>): Promise<void>;
  /** Sends an invoke and returns the bot's answer. `replyToId` (the card's message id) is required for `adaptiveCard/action`. */
  invoke(
    name: InvokeName,
    value: unknown,
    target: { conversationId: string; replyToId?: string; fromId?: string },
  ): Promise<InvokeResult>;
  /** An Adaptive Card `Action.Submit`: a message activity with `value`, replying to the card message. */
  submit(
    value: Record<string, unknown>,
    target: { conversationId: string; replyToId: string; fromId?: string },
  ): Promise<void>;
  /** Resolves with the first message (already arrived or still to come) that matches; rejects listing what did arrive. */
  waitFor(
    predicate: (message: BotMessage) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<BotMessage>;
  /**
   * The same over the Playground's log. The only sign that the bot has finished with an activity
   * that makes it post nothing (an uninstall, say): the Playground logs each activity it delivered
   * once the bot has answered, e.g. `{type: 'bot', to: 'User Application', activityName: 'installationUpdate', response: {statusCode: 200}}`.
   */
  waitForLog(
    predicate: (item: PlaygroundLogItem) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<PlaygroundLogItem>;
  /** Forgets the messages, frames and log so far. */
  clear(): void;
  /** Stops the tool (its whole process group) and removes its temp folder. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartPlaygroundOptions {
  /** The bot's messaging endpoint, e.g. http://127.0.0.1:3978/api/messages */
  botEndpoint: string;
  /** The bot's display name in the mock tenant (what `<at>…</at>` mentions show). Default Reynolds. */
  botName?: string;
  /** Give up starting after this long (default 30 s). */
  startTimeoutMs?: number;
}

/** How the Playground's log names the two sides. */
export const PLAYGROUND_LABEL = 'Microsoft 365 Agents Playground';
export const BOT_LABEL = 'User Application';

/**
 * For waitForLog: the Playground delivered an activity of this type (`message`, `invoke`,
 * `installationUpdate`, `conversationUpdate`…) to the bot and the bot answered it, in this
 * conversation (a chat or channel id; its threads count) if one is given.
 */
export function botAnswered(
  activityType: string,
  conversationId?: string,
): (item: PlaygroundLogItem) => boolean {
  return (item) =>
    item.type === 'bot' &&
    item.from === PLAYGROUND_LABEL &&
    item.to === BOT_LABEL &&
    item.activityName === activityType &&
    (conversationId === undefined || item.conversationId?.split(';')[0] === conversationId);
}

const DEFAULT_WAIT_MS = 10_000;
const MAX_CAPTURE = 64 * 1024;
const require = createRequire(import.meta.url);

/**
 * Ids in the shapes Teams uses (`28:` bots, `a:` personal chats, `19:…@thread` chats and
 * channels), so code that splits, encodes or routes on them meets realistic input.
 */
function tenantFile(botName: string): Record<string, unknown> {
  const user = (n: number, name: string, login: string) => ({
    id: `29:playground-user-${n}`,
    name,
    userPrincipleName: `${login}@example.com`,
    aadObjectId: `00000000-0000-0000-0000-00000000002${n}`,
    givenName: name.split(' ')[0],
    surname: name.split(' ')[1],
    email: `${login}@example.com`,
  });
  return {
    version: '0.1.1',
    tenantId: '00000000-0000-0000-0000-000000000001',
    bot: { id: '28:00000000-0000-0000-0000-000000000011', name: botName },
    currentUser: user(0, 'Alex Wilber', 'alexw'),
    users: [
      user(1, 'Megan Bowen', 'meganb'),
      user(2, 'Adele Vance', 'adelev'),
      user(3, 'Isaiah Langer', 'isaiahl'),
      user(4, 'Patti Fernandez', 'pattif'),
      user(5, 'Lynne Robbins', 'lynner'),
    ],
    personalChat: { id: 'a:playground-personal-chat' },
    groupChat: { id: '19:playground-group-chat@thread.v2', name: 'Group Chat' },
    team: {
      id: '19:playground-general@thread.tacv2',
      name: 'My Team',
      aadGroupId: '00000000-0000-0000-0000-000000000031',
      channels: [{ id: '19:playground-announcements@thread.tacv2', name: 'Announcements' }],
    },
  };
}

/** Children still running (and their temp folders), killed and removed on any way out of this process. */
const live = new Map<ChildProcess, string>();
let exitHooked = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // the child leads its own group (detached)
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** Synchronous, so it also works from an 'exit' handler: SIGKILL, as there is no time to wait for a clean stop. */
function reapAll(): void {
  for (const [child, dir] of live) {
    killGroup(child, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
  live.clear();
}

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', reapAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      reapAll();
      // Adding a listener cancels Node's default "die on signal"; restore it when nobody else listens.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

/**
 * Runs inside the tool's process: when our end of its stdin closes (this process is gone, even
 * by SIGKILL, when no exit hook runs), it removes its temp folder and exits.
 */
const WATCHDOG = `'use strict';
const orphaned = () => {
  try {
    require('node:fs').rmSync(process.env.REYNOLDS_PLAYGROUND_DIR, { recursive: true, force: true });
  } catch {}
  process.exit(0);
};
process.stdin.on('end', orphaned);
process.stdin.on('error', orphaned);
process.stdin.resume();
`;

function tail(text: string, max = 4000): string {
  return text.length > max ? `…${text.slice(-max)}` : text;
}

function summarise(message: BotMessage): string {
  const where = message.threadId
    ? `${message.threadId}${message.startsThread ? ' (new thread)' : ''}`
    : message.conversationId;
  const text =
    message.text === undefined
      ? ''
      : JSON.stringify(message.text.length > 300 ? `${message.text.slice(0, 300)}…` : message.text);
  const cards = message.attachments.length
    ? ` +${message.attachments.map((a) => a.contentType).join(', ')}`
    : '';
  return `#${message.seq} ${message.action} in ${where}: ${text}${cards}`;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether `exited` settles within `ms`; the timer is unref'd so it never holds the test process open. */
async function exitsWithin(exited: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  const result = await Promise.race([exited.then(() => true as const), timeout]);
  clearTimeout(timer);
  return result;
}

export async function startPlayground(options: StartPlaygroundOptions): Promise<Playground> {
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const dir = mkdtempSync(path.join(tmpdir(), 'reynolds-playground-'));
  const binDir = path.join(dir, 'bin');
  const logFile = path.join(dir, 'playground.log');
  const watchdog = path.join(dir, 'watchdog.cjs');
  const configFile = path.join(dir, '.m365agentsplayground.yml');
  writeFileSync(watchdog, WATCHDOG);
  // YAML is a superset of JSON, and the tool validates the file against its schema on start.
  writeFileSync(configFile, JSON.stringify(tenantFile(options.botName ?? 'Reynolds'), null, 2));
  // The tool opens a browser unless TEAMSAPPTESTER_BROWSER=none; the no-op xdg-open covers versions that ignore it.
  mkdirSync(binDir);
  writeFileSync(path.join(binDir, 'xdg-open'), '#!/bin/sh\nexit 0\n');
  chmodSync(path.join(binDir, 'xdg-open'), 0o755);

  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    // Settings the tool reads from the environment would override ours or change its behaviour;
    // NODE_OPTIONS would hand it the test runner's loaders or inspector.
    if (
      value === undefined ||
      /^(M365_AGENTS_PLAYGROUND_|TEAMSAPPTESTER_|TEAMS_APP_TEST_TOOL_)/.test(key)
    )
      continue;
    if (
      ['BOT_ENDPOINT', 'SEND_INSTALLATION_ACTIVITY', 'DEFAULT_CHANNEL_ID', 'NODE_OPTIONS'].includes(
        key,
      )
    )
      continue;
    env[key] = value;
  }
  const noProxy = [process.env.NO_PROXY ?? process.env.no_proxy, 'localhost', '127.0.0.1', '::1']
    .filter(Boolean)
    .join(',');
  Object.assign(env, {
    PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}`,
    TEAMSAPPTESTER_BROWSER: 'none',
    // Its console goes to this file (not to stdout) when stdout is not a terminal; the default is ./devTools in the cwd.
    M365_AGENTS_PLAYGROUND_LOGFILE: logFile,
    M365_AGENTS_PLAYGROUND_CONFIG_PATH: configFile,
    M365_AGENTS_PLAYGROUND_RECORDING_FILE: path.join(dir, 'events.log'),
    REYNOLDS_PLAYGROUND_DIR: dir,
    // The tool routes its calls to the bot through HTTP(S)_PROXY unless NO_PROXY says otherwise.
    NO_PROXY: noProxy,
    no_proxy: noProxy,
  });

  const cli = require.resolve('@microsoft/teams-app-test-tool/cli.js');
  // -p 0: the OS picks a free port (no race with a dev instance on 56150); the tool prints it.
  const args = [
    '--require',
    watchdog,
    cli,
    'start',
    '-e',
    options.botEndpoint,
    '-c',
    'msteams',
    '--dt',
    '-p',
    '0',
  ];
  const child = spawn(process.execPath, args, {
    cwd: dir,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  hookExit();
  live.set(child, dir);

  let stdout = '';
  let stderr = '';
  child.stdout!.on(
    'data',
    (chunk: Buffer) => (stdout = (stdout + chunk.toString('utf8')).slice(-MAX_CAPTURE)),
  );
  child.stderr!.on(
    'data',
    (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-MAX_CAPTURE)),
  );
  child.stdin!.on('error', () => undefined); // EPIPE once it has gone
  let exitInfo: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = `the Playground exited (${signal ?? `code ${code}`})`;
      resolve();
    });
    child.once('error', (err) => {
      exitInfo = `the Playground could not run: ${err.message}`;
      resolve();
    });
  });

  const toolOutput = (): string => {
    let logText: string;
    try {
      logText = readFileSync(logFile, 'utf8');
    } catch {
      logText = '(no log file)';
    }
    return `\n--- stderr ---\n${tail(stderr) || '(empty)'}\n--- stdout ---\n${tail(stdout) || '(empty)'}\n--- ${logFile} ---\n${tail(logText)}`;
  };

  let stopped = false;
  const sockets: WebSocket[] = [];
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    for (const socket of sockets) socket.terminate();
    killGroup(child, 'SIGTERM');
    if (!(await exitsWithin(exited, 5_000))) {
      killGroup(child, 'SIGKILL');
      await exitsWithin(exited, 2_000);
    }
    live.delete(child);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const deadline = Date.now() + startTimeoutMs;
    const fail = (why: string) =>
      new Error(`Agents Playground did not start: ${why}${toolOutput()}`);

    // 1. It prints "Listening on <port>" when its stdout is not a terminal.
    let port: number | undefined;
    while (port === undefined) {
      const match = /Listening on (\d+)/.exec(stdout);
      if (match) port = Number(match[1]);
      else if (exitInfo) throw fail(exitInfo);
      else if (Date.now() > deadline)
        throw fail(`no "Listening on <port>" within ${startTimeoutMs} ms`);
      else await sleep(50);
    }
    const url = `http://127.0.0.1:${port}`;

    // 2. Its routes are mounted right after it listens; testConfig answers without waiting for the bot
    //    (v1/config, which the UI calls, first waits up to 15 s for the bot endpoint to answer).
    let config: PlaygroundConfig | undefined;
    let lastError = '';
    while (!config) {
      if (exitInfo) throw fail(exitInfo);
      if (Date.now() > deadline)
        throw fail(
          `GET ${url}/_internal/v1/testConfig did not succeed within ${startTimeoutMs} ms (last: ${lastError})`,
        );
      try {
        const response = await fetch(`${url}/_internal/v1/testConfig`, {
          signal: AbortSignal.timeout(2_000),
        });
        if (response.ok) config = ((await response.json()) as { config: PlaygroundConfig }).config;
        else lastError = `HTTP ${response.status}`;
      } catch (err) {
        lastError = (err as Error).message;
      }
      if (!config) await sleep(100);
    }

    const state = {
      messages: [] as BotMessage[],
      frames: [] as unknown[],
      log: [] as PlaygroundLogItem[],
      seq: 0,
      streamError: undefined as string | undefined,
    };
    const listeners = new Set<() => void>();
    const notify = () => {
      for (const listener of listeners) listener();
    };
    const channelIds = new Set(
      config.teams.flatMap((team) => team.channels.map((channel) => channel.id)),
    );

    const toMessage = (frame: {
      action: 'createMessage' | 'updateMessage';
      actionConversationId: string;
      message: Record<string, unknown>;
    }): BotMessage => {
      const m = frame.message;
      const messageId = String(m.messageId);
      const conversationId = frame.actionConversationId.split(';')[0]!;
      const base = {
        seq: ++state.seq,
        action: frame.action,
        conversationId,
        messageId,
        fromId: String((m.from as { id?: string } | undefined)?.id ?? ''),
        text: typeof m.text === 'string' ? m.text : undefined,
        textFormat: typeof m.textFormat === 'string' ? m.textFormat : undefined,
        attachments: (m.attachments as BotAttachment[] | undefined) ?? [],
        mentions: (m.mentions as unknown[] | undefined) ?? [],
        timestamp: Number(m.timestamp),
        raw: frame,
      };
      if (!channelIds.has(conversationId)) return { ...base, startsThread: false };
      // A reply in a thread is filed under the thread; a thread's root under the channel.
      const threadMatch = /;messageid=(.+)$/.exec(frame.actionConversationId);
      if (threadMatch)
        return {
          ...base,
          threadId: frame.actionConversationId,
          replyToId: threadMatch[1],
          startsThread: false,
        };
      const threadId =
        typeof m.postConversationId === 'string'
          ? m.postConversationId
          : `${conversationId};messageid=${messageId}`;
      return { ...base, threadId, startsThread: frame.action === 'createMessage' };
    };

    const openSocket = async (
      streamPath: string,
      onFrame: (data: unknown) => void,
    ): Promise<void> => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}${streamPath}`);
      sockets.push(socket);
      socket.on('message', (data) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(data.toString());
        } catch {
          parsed = data.toString();
        }
        onFrame(parsed);
        notify();
      });
      socket.on('close', () => {
        if (!stopped) state.streamError ??= `the Playground closed ${streamPath}`;
        notify();
      });
      await new Promise<void>((resolve, reject) => {
        let open = false;
        socket.once('open', () => {
          open = true;
          resolve();
        });
        socket.on('error', (err) => {
          if (!open)
            reject(fail(`could not open ws://127.0.0.1:${port}${streamPath}: ${err.message}`));
          state.streamError ??= `${streamPath}: ${err.message}`;
          notify();
        });
      });
    };

    // The tool buffers frames while no client is connected and flushes them to the first that does.
    await openSocket('/_ws_conversation/v1/conversations/stream', (frame) => {
      state.frames.push(frame);
      const f = frame as {
        action?: string;
        actionConversationId?: string;
        message?: Record<string, unknown>;
      };
      if (
        (f.action === 'createMessage' || f.action === 'updateMessage') &&
        typeof f.actionConversationId === 'string' &&
        f.message
      ) {
        state.messages.push(toMessage(f as Parameters<typeof toMessage>[0]));
      }
    });
    await openSocket('/_ws/log/stream', (frame) => {
      const f = frame as { logAction?: string; log?: PlaygroundLogItem };
      if (f.logAction === 'appendLog' && f.log) state.log.push(f.log);
    });
    exited.then(notify);

    const bot = config.bot;
    const me = config.currentUser.id;
    const personalChatId = config.personalChat.id;
    const groupChatId = config.groupChats[0]?.id ?? '';
    const team = config.teams[0];
    const teamId = team?.id ?? '';

    const call = async (
      method: 'GET' | 'POST',
      route: string,
      body?: unknown,
    ): Promise<{ status: number; body: unknown }> => {
      const response = await fetch(`${url}${route}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON; keep the text
      }
      return { status: response.status, body: parsed };
    };
    const must = async (
      method: 'GET' | 'POST',
      route: string,
      body?: unknown,
    ): Promise<unknown> => {
      const result = await call(method, route, body);
      if (result.status < 200 || result.status >= 300)
        throw new Error(
          `Playground ${method} ${route} answered ${result.status}: ${JSON.stringify(result.body)}`,
        );
      return result.body;
    };
    const enc = encodeURIComponent;

    const scopeConversation = (scope: InstallScope, conversationId?: string): string => {
      if (conversationId) return conversationId;
      return scope === 'personal' ? personalChatId : scope === 'groupchat' ? groupChatId : teamId;
    };

    const problems = (): string => {
      const bad = state.log.filter(
        (item) =>
          item.level === 'warning' ||
          item.level === 'error' ||
          (item.type === 'bot' && (item.response?.statusCode ?? 0) >= 400),
      );
      if (!bad.length) return '';
      const lines = bad
        .slice(-10)
        .map((item) =>
          item.type === 'bot'
            ? `${item.from} -> ${item.to}: ${item.activityName} answered ${item.response?.statusCode} ${JSON.stringify(item.response?.body ?? '').slice(0, 300)}`
            : `${item.level}: ${item.displayText}`,
        );
      return `\nPlayground log warnings:\n  ${lines.join('\n  ')}`;
    };

    /** Resolves with the first item (already there or still to come) that matches; rejects early if the tool dies. */
    const waitIn = <T>(
      items: () => readonly T[],
      predicate: (item: T) => boolean,
      what: string,
      timeoutMs: number,
    ): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        // `finish` (below) closes over the timer before it is set, so it cannot be a const.
        // eslint-disable-next-line prefer-const
        let timer: NodeJS.Timeout | undefined;
        const finish = () => {
          listeners.delete(check);
          if (timer) clearTimeout(timer);
        };
        const explain = (why: string) => {
          const seen = state.messages.length
            ? state.messages.map(summarise).join('\n  ')
            : '(nothing)';
          return new Error(
            `${why} waiting for: ${what}\nThe bot posted since the last clear():\n  ${seen}${problems()}`,
          );
        };
        function check() {
          const found = items().find(predicate);
          if (found !== undefined) {
            finish();
            resolve(found);
          } else if (exitInfo || stopped) {
            finish();
            reject(explain(exitInfo ?? 'the Playground was stopped'));
          } else if (state.streamError) {
            finish();
            reject(explain(state.streamError));
          }
        }
        timer = setTimeout(() => {
          finish();
          reject(explain(`timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });

    const playground: Playground = {
      url,
      port,
      serviceUrl: `http://localhost:${port}/_connector`,
      config,
      personalChatId,
      groupChatId,
      teamId,
      channelId(name = 'General') {
        const channel = team?.channels.find((c) => c.name === name);
        if (!channel)
          throw new Error(
            `no channel named ${name}; the mock team has ${team?.channels.map((c) => c.name).join(', ')}`,
          );
        return channel.id;
      },
      get messages() {
        return state.messages;
      },
      get frames() {
        return state.frames;
      },
      get log() {
        return state.log;
      },

      async send(conversationId, text, sendOptions = {}) {
        const mention = sendOptions.mention ?? conversationId !== personalChatId;
        const mentionText = `<at>${bot.name}</at>`;
        const body: Record<string, unknown> = {
          from: { id: sendOptions.fromId ?? me },
          text: mention ? `${mentionText} ${text}` : text,
          textFormat: 'plain',
        };
        if (mention)
          body.mentions = [{ mentioned: { id: bot.id, name: bot.name }, text: mentionText }];
        // A channel message without a thread starts a new post; with one it is a reply in it.
        const target = sendOptions.threadId ?? conversationId;
        const result = (await must(
          'POST',
          `/_conversation/v1/conversations/${enc(target)}/messages`,
          body,
        )) as { messageId: string; postConversationId?: string; timestamp: number };
        const threadId = result.postConversationId ?? sendOptions.threadId;
        return { messageId: result.messageId, threadId, timestamp: result.timestamp };
      },

      async install(scope, conversationId) {
        // The route the UI calls the first time a conversation is opened: installationUpdate (add)
        // then conversationUpdate (membersAdded), both sent after it has answered.
        await must(
          'POST',
          `/_debug/conversation/${enc(scopeConversation(scope, conversationId))}/installation`,
          {},
        );
      },

      async uninstall(scope, conversationId) {
        const id = scopeConversation(scope, conversationId);
        for (const type of ['uninstall', 'botRemoved'] as const) {
          await playground.sendActivity(await playground.activityTemplate(id, type));
        }
      },

      async activityTemplate(conversationId, type) {
        const query = new URLSearchParams({ conversationId, ...(type ? { type } : {}) });
        return (await must('GET', `/_internal/v1/customActivities/template?${query}`)) as Record<
          string,
          unknown
        >;
      },

      async sendActivity(activity) {
        // Answered before the activity goes out; a failure only shows in the Playground's log.
        await must('POST', '/_internal/v1/customActivities', activity);
      },

      async invoke(name, value, target) {
        const body: Record<string, unknown> = {
          name,
          value,
          from: { id: target.fromId ?? me },
          conversation: { id: target.conversationId },
        };
        if (target.replyToId !== undefined) body.replyToId = target.replyToId;
        return call('POST', '/_conversation/v1/invoke', body);
      },

      async submit(value, target) {
        await must('POST', '/_conversation/v1/submit', {
          value,
          from: { id: target.fromId ?? me },
          conversation: { id: target.conversationId },
          replyToId: target.replyToId,
        });
      },

      waitFor(predicate, what, timeoutMs = DEFAULT_WAIT_MS) {
        return waitIn(() => state.messages, predicate, what, timeoutMs);
      },

      waitForLog(predicate, what, timeoutMs = DEFAULT_WAIT_MS) {
        return waitIn(() => state.log, predicate, what, timeoutMs);
      },

      clear() {
        state.messages.length = 0;
        state.frames.length = 0;
        state.log.length = 0;
      },

      stop,
    };
    return playground;
  } catch (err) {
    await stop();
    throw err;
  }
}
