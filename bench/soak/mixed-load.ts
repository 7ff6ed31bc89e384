/**
 * The soak's three streams, each open-loop at its own rate (requests leave on schedule whatever
 * the answers, so a Reynolds that slows down meets the same load):
 *
 * - webhooks, in a fixed rotation of 20: 16 new deliveries, `cardSlots` of them (8 by default)
 *   routing to a card (bench/e2e/events.ts) and the rest nowhere (quiet-events.ts); then 2
 *   redeliveries of an accepted delivery (same id and body, expected 200 duplicate) and 2 with a
 *   bad signature (expected 401);
 * - chat: `help`, `status`, `subscriptions` as Bot Framework message activities on
 *   /api/messages (local mode), from a pool of users, a quarter of them in a reply thread
 *   (`;messageid=`, a new one each time, as real Teams threads are), replies going to the
 *   connector stand-in through each activity's serviceUrl;
 * - tab polling: /api/chains?limit=50, /api/chains/:id for ids it saw, /healthz, /readyz, /metrics.
 *
 * Each answer is tallied per interval: latency, and an error when the status is not the one that
 * request should get.
 */
import { randomUUID } from 'node:crypto';
import type { Agent } from 'node:http';
import { DeliveryFactory, type BenchDelivery } from '../e2e/events.js';
import { conversationId } from '../e2e/seed.js';
import { pct } from '../support/bench-kit.js';
import { call, type CallSpec } from './http-call.js';
import { QuietEventFactory } from './quiet-events.js';

export type StreamName = 'webhook' | 'chat' | 'tab';
export const STREAMS: readonly StreamName[] = ['webhook', 'chat', 'tab'];

/** Webhooks per rotation; the last 4 are 2 redeliveries and 2 bad signatures. */
export const WEBHOOK_ROTATION = 20;
/** Slots of a rotation that may yield a card (the rest of them route nowhere). */
export const MAX_CARD_SLOTS = 16;
/** Default share of webhooks that yield a card (8 in 20): the card rate must stay under Teams' 50/s a tenant. */
export const DEFAULT_CARD_SHARE = 8 / 20;
const CHAT_COMMANDS = ['help', 'status', 'subscriptions'] as const;
const CHAT_USERS = 100;
const REDELIVERY_POOL = 200;
const SEEN_CHAINS = 200;
const TIMEOUT_MS = 10_000;
/** Requests in flight per stream beyond which new ones are not sent but counted as errors ("shed"). */
const MAX_IN_FLIGHT = 1000;

export interface StreamInterval {
  count: number;
  p50: number;
  p99: number;
  errors: number;
  /** Unexpected answers by status (an error code when there was none; "shed" = not sent, too many in flight). */
  unexpected: Record<string, number>;
}

class Tally {
  private latencies: number[] = [];
  private errors = 0;
  private unexpected: Record<string, number> = {};
  totalErrors = 0;
  total = 0;
  /** Requests sent twice after a keep-alive race (see http-call.ts); not errors. */
  retried = 0;

  add(ms: number, ok: boolean, status: string): void {
    this.latencies.push(ms);
    this.total += 1;
    if (!ok) {
      this.errors += 1;
      this.totalErrors += 1;
      this.unexpected[status] = (this.unexpected[status] ?? 0) + 1;
    }
  }

  take(): StreamInterval {
    const sorted = this.latencies.sort((a, b) => a - b);
    const out = {
      count: sorted.length,
      p50: pct(sorted, 50),
      p99: pct(sorted, 99),
      errors: this.errors,
      unexpected: this.unexpected,
    };
    this.latencies = [];
    this.errors = 0;
    this.unexpected = {};
    return out;
  }
}

export interface LoadSettings {
  port: number;
  agent: Agent;
  secret: string;
  tag: string;
  conversations: number;
  connectorUrl: string;
  rates: Record<StreamName, number>;
  /** Slots of each rotation of WEBHOOK_ROTATION webhooks that route to a card (0..MAX_CARD_SLOTS). */
  cardSlots: number;
}

/** A request, the status it should get, and what to do with the answer when it got it. */
interface Planned {
  spec: CallSpec;
  expect: number;
  after?: (text?: string) => void;
}

export class MixedLoad {
  readonly tallies: Record<StreamName, Tally> = {
    webhook: new Tally(),
    chat: new Tally(),
    tab: new Tally(),
  };
  private readonly sent: Record<StreamName, number> = { webhook: 0, chat: 0, tab: 0 };
  private readonly inFlight: Record<StreamName, number> = { webhook: 0, chat: 0, tab: 0 };
  private readonly cards: DeliveryFactory;
  private readonly quiet: QuietEventFactory;
  private cardSeq = 0;
  private quietSeq = 0;
  private threadSeq = 0;
  private readonly accepted: Pick<BenchDelivery, 'body' | 'headers'>[] = [];
  private readonly chainIds: string[] = [];
  private startedAt = 0;

  constructor(private readonly s: LoadSettings) {
    this.cards = new DeliveryFactory(s.secret, s.tag, s.conversations);
    this.quiet = new QuietEventFactory(s.secret);
  }

  /** Sends whatever is due by `now` (ms, performance.now()); call every few ms. */
  tick(now: number): void {
    if (this.startedAt === 0) this.startedAt = now;
    const elapsed = (now - this.startedAt) / 1000;
    for (const stream of STREAMS) {
      while (this.sent[stream] < elapsed * this.s.rates[stream]) {
        const i = this.sent[stream]++;
        if (this.inFlight[stream] >= MAX_IN_FLIGHT) this.tallies[stream].add(0, false, 'shed');
        else this.send(stream, i);
      }
    }
  }

  /** Resolves when nothing is in flight any more (or after `ms`). */
  async settle(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (STREAMS.some((s) => this.inFlight[s] > 0) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
  }

  private send(stream: StreamName, i: number): void {
    const { spec, expect, after }: Planned =
      stream === 'webhook' ? this.webhook(i) : stream === 'chat' ? this.chat(i) : this.tab(i);
    this.inFlight[stream] += 1;
    void call(this.s.agent, this.s.port, spec, TIMEOUT_MS).then((result) => {
      this.inFlight[stream] -= 1;
      const ok = result.status === expect;
      if (result.retried) this.tallies[stream].retried += 1;
      this.tallies[stream].add(
        result.ms,
        ok,
        result.status === 0 ? (result.error ?? '0') : String(result.status),
      );
      if (ok) after?.(result.text);
    });
  }

  private webhook(i: number): Planned {
    const slot = i % WEBHOOK_ROTATION;
    const post = (d: Pick<BenchDelivery, 'body' | 'headers'>): CallSpec => ({
      method: 'POST',
      path: '/api/github/webhook',
      headers: d.headers,
      body: d.body,
    });
    const remember = (d: Pick<BenchDelivery, 'body' | 'headers'>) => () => {
      this.accepted.push(d);
      if (this.accepted.length > REDELIVERY_POOL) this.accepted.shift();
    };
    if (slot < this.s.cardSlots) {
      const d = this.cards.make(this.cardSeq++);
      return { spec: post(d), expect: 202, after: remember(d) };
    }
    const again = this.accepted[i % Math.max(1, this.accepted.length)];
    if (slot < MAX_CARD_SLOTS || !again) {
      const d = this.quiet.make(this.quietSeq++);
      return { spec: post(d), expect: 202, after: remember(d) };
    }
    if (slot < MAX_CARD_SLOTS + 2) return { spec: post(again), expect: 200 };
    const forged = {
      ...again.headers,
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': `sha256=${'0'.repeat(64)}`,
    };
    return { spec: post({ body: again.body, headers: forged }), expect: 401 };
  }

  private chat(i: number): Planned {
    const channel = conversationId(i % this.s.conversations);
    // A quarter are replies in a thread: Teams gives each thread its own conversation id.
    const id =
      i % 4 === 3 ? `${channel};messageid=${1_700_000_000_000 + this.threadSeq++}` : channel;
    const user = i % CHAT_USERS;
    const activity = {
      type: 'message',
      id: randomUUID(),
      channelId: 'msteams',
      serviceUrl: this.s.connectorUrl,
      from: {
        id: `29:soak-user-${user}`,
        name: `Soak User ${user}`,
        aadObjectId: `00000000-0000-4000-8000-${String(user).padStart(12, '0')}`,
      },
      recipient: { id: '28:reynolds', name: 'Reynolds' },
      conversation: { id, conversationType: 'channel', tenantId: 'local', isGroup: true },
      channelData: {
        tenant: { id: 'local' },
        channel: { id: channel, name: `alerts-${i % this.s.conversations}` },
        team: { id: '19:bench-team@thread.tacv2' },
      },
      timestamp: new Date().toISOString(),
      text: CHAT_COMMANDS[i % CHAT_COMMANDS.length],
    };
    return {
      spec: {
        method: 'POST',
        path: '/api/messages',
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify(activity)),
      },
      expect: 200,
    };
  }

  private tab(i: number): Planned {
    const slot = i % 10;
    const known = this.chainIds[i % Math.max(1, this.chainIds.length)];
    if (slot >= 4 && slot < 7 && known)
      return { spec: { method: 'GET', path: `/api/chains/${known}` }, expect: 200 };
    if (slot === 7) return { spec: { method: 'GET', path: '/healthz' }, expect: 200 };
    if (slot === 8) return { spec: { method: 'GET', path: '/readyz' }, expect: 200 };
    if (slot === 9) return { spec: { method: 'GET', path: '/metrics' }, expect: 200 };
    return {
      spec: { method: 'GET', path: '/api/chains?limit=50', readBody: true },
      expect: 200,
      after: (text) => {
        const chains =
          (JSON.parse(text ?? '{}') as { chains?: { chainId?: string }[] }).chains ?? [];
        for (const chain of chains.slice(0, 5))
          if (chain.chainId && !this.chainIds.includes(chain.chainId))
            this.chainIds.push(chain.chainId);
        this.chainIds.splice(0, Math.max(0, this.chainIds.length - SEEN_CHAINS));
      },
    };
  }
}
