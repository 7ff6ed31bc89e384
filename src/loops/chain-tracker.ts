/**
 * The chain tracker: links every event into its causal chain, scores how likely that chain is a
 * runaway loop, and keeps the records (nodes, summaries, audit) the tab shows.
 *
 * Linking, in order of trust: our signed marker in the content; an expected echo of a markerless
 * write of ours; a bot answering the previous event on the same target within the reply window;
 * otherwise a new chain. People always start new chains: people are causes, bots are reactions.
 * Who is a bot is decided by behaviour as well as account type (actor-behaviour.ts), and admins
 * can say so explicitly (actor-overrides.ts).
 *
 * `assess` costs O(1) in history: a bounded window per target, a bounded state per chain, one
 * point read of the chain on a cache miss, and a fixed number of writes.
 */
import type { Assessment } from '../core/chain-records.js';
import type { Clock } from '../core/clock.js';
import type { BrokerEvent } from '../core/broker-event.js';
import type { Store } from '../store/store.js';
import {
  VERDICT_RANK,
  worse,
  type ActorKind,
  type AuditEntry,
  type ChainNode,
  type ChainSummary,
  type LinkKind,
  type Signal,
} from '../core/chain-records.js';
import { ActorOverrides } from './actor-overrides.js';
import { EchoRegistry } from './echo-registry.js';
import { eventFingerprint, normaliseContent, shortHash } from './fingerprint.js';
import { loopScore, verdictFor } from './loop-score.js';
import type { LoopSettings } from './loop-settings.js';
import { parseMarker, type ChainMark } from './marker.js';
import { cycleSignal, depthSignal, pingPongSignal, rateSignal, repeatSignal } from './signals.js';
import {
  ChainState,
  repeatRun,
  WorkingSet,
  workingSetTtlMs,
  type WindowEntry,
} from './working-set.js';

export interface LoopObserver {
  /** A chain just broke. Called once per chain: the admins' alert. */
  onBreak?(chain: ChainSummary, node: ChainNode): Promise<void> | void;
}

/** Events in which people and bots talk; CI and deployment signals never link or ping-pong. */
const CONVERSATIONAL = new Set([
  'issues',
  'issue_comment',
  'pull_request',
  'pull_request_review',
  'pull_request_review_comment',
  'pull_request_review_thread',
  'commit_comment',
  'discussion',
  'discussion_comment',
]);

export function isConversational(kind: string): boolean {
  return CONVERSATIONAL.has(kind);
}

/**
 * Writes an account authors one at a time: what behaviour is judged on. Review comments are not
 * among them (a review submits all its inline comments at once), nor labels (one click in the
 * picker adds several), nor approvals (approving a row of dependency PRs is quick work).
 */
const AUTHORED = new Set([
  'issue_comment.created',
  'commit_comment.created',
  'discussion_comment.created',
  'issues.opened',
  'pull_request.opened',
  'discussion.created',
]);

export class ChainTracker {
  readonly working: WorkingSet<Assessment>;
  readonly echoes: EchoRegistry;
  /** What admins said about accounts (`treat <login> as bot|person`); the chat command writes here. */
  readonly overrides: ActorOverrides;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    readonly settings: LoopSettings,
    private readonly observer: LoopObserver = {},
  ) {
    this.working = new WorkingSet(settings.workingSetMax, {
      ttlMs: workingSetTtlMs(settings),
      clock,
    });
    this.echoes = new EchoRegistry(store, clock, settings.echoTtlMs);
    this.overrides = new ActorOverrides(store, clock);
  }

  /** Reynolds's own act: its bot login, its app acting for a user, or a marker of ours. */
  actorKind(event: BrokerEvent, mark: ChainMark | undefined): ActorKind {
    const { appSlug, appId } = this.settings;
    if (mark) return 'self';
    if (appSlug && event.actor?.login === `${appSlug}[bot]`) return 'self';
    if (appId !== undefined && event.performedViaAppId === appId) return 'self';
    return event.actor?.isBot ? 'bot' : 'human';
  }

  /**
   * The kind the loop signals use: an admin's word first, then the account type, then behaviour (a
   * `User` account acting like a bot counts as one). `reason` says why a `User` became a bot.
   */
  private async effectiveKind(
    event: BrokerEvent,
    base: ActorKind,
    at: number,
    previous: WindowEntry | undefined,
  ): Promise<{ kind: ActorKind; reason?: string }> {
    const login = event.actor?.login;
    if (base === 'self' || login === undefined) return { kind: base };
    const override = await this.overrides.get(event.tenantId, login);
    if (override === 'person') return { kind: 'human' };
    if (override === 'bot')
      return {
        kind: 'bot',
        ...(base === 'human' && { reason: 'an admin said to treat it as a bot' }),
      };
    if (base !== 'human' || !AUTHORED.has(`${event.kind}.${event.action ?? ''}`)) {
      if (base !== 'human') return { kind: base };
      // Not an authored write (a label, a review...): still a bot if its writes showed it lately.
      const known = this.working.actors.get(`${event.tenantId}|${login}`)?.botLike;
      return known && at <= known.until ? { kind: 'bot', reason: known.reason } : { kind: 'human' };
    }
    const body = event.body ?? event.title ?? '';
    const normalised = normaliseContent(body);
    const target =
      event.repo && event.target ? `${event.repo.fullName}${event.target.key}` : undefined;
    const afterOther = previous !== undefined && previous.actor !== login;
    const reason = this.working.actor(`${event.tenantId}|${login}`).observe({
      at,
      target,
      content: normalised === '' ? '' : shortHash(normalised),
      length: body.length,
      afterOther,
      ...(afterOther && { replyGapMs: at - previous!.at }),
      ...(event.url !== undefined && { id: event.url }),
    });
    return reason ? { kind: 'bot', reason } : { kind: 'human' };
  }

  async assess(event: BrokerEvent, nodeId: string): Promise<Assessment> {
    const cached = this.working.assessed.get(nodeId);
    if (cached) return cached; // a retried delivery: same answer, counted once

    const s = this.settings;
    const at = arrivalTime(event, this.clock);
    const mark = parseMarker(event.body, s.markerKey);
    const conversational = isConversational(event.kind);
    const repo = event.repo?.fullName;
    const target = event.target?.key;
    const window =
      repo && target ? this.working.window(`${event.tenantId}|${repo}|${target}`) : undefined;
    const previous = window?.last();
    const { kind: actorKind, reason: actsLikeBot } = await this.effectiveKind(
      event,
      this.actorKind(event, mark),
      at,
      previous,
    );
    if (actsLikeBot !== undefined && window) {
      // What showed it was its earlier events here: from now on they count as a bot's too, so the
      // ping-pong and repeat it was part of are seen whole (bounded: one target window).
      for (const earlier of window.entries)
        if (earlier.actor === event.actor?.login && earlier.actorKind === 'human')
          earlier.actorKind = 'bot';
    }

    let link: LinkKind = 'root';
    let parent: { chainId: string; nodeId: string; depth: number } | undefined;
    let depth = 0;
    if (mark) {
      link = 'marker';
      parent = { chainId: mark.chainId, nodeId: mark.actId, depth: mark.depth };
      depth = mark.depth; // the echo is the same hop as the act that wrote it
    } else {
      const echo = await this.echoes.match(event);
      if (echo) {
        link = 'echo';
        parent = { chainId: echo.chainId, nodeId: echo.actNodeId, depth: echo.depth };
        depth = echo.depth;
      } else if (
        actorKind !== 'human' &&
        conversational &&
        previous &&
        at - previous.at <= s.replyWindowMs
      ) {
        link = 'reply';
        parent = previous;
        // A second message in a row from the same bot is the same turn, not an answer to itself.
        depth = previous.actor === event.actor?.login ? previous.depth : previous.depth + 1;
      }
    }
    const chainId = parent?.chainId ?? `ch-${shortHash(`${event.tenantId}|${nodeId}`)}`;
    const summaryLine = describeEvent(event);
    const chain = await this.chainState(event.tenantId, chainId, () => ({
      chainId,
      tenantId: event.tenantId,
      repo,
      root: summaryLine,
      startedAt: at,
      updatedAt: at,
      depth: 0,
      nodes: 0,
      score: 0,
      verdict: 'proceed',
      adminAlerted: false,
    }));

    const fingerprint = eventFingerprint({
      kind: event.kind,
      action: event.action,
      target: target && `${repo}${target}`,
      actor: event.actor?.login,
      content: event.body ?? [event.title ?? '', event.changedLabel ?? ''].join(' '),
    });
    const entry: WindowEntry = {
      nodeId,
      chainId,
      depth,
      at,
      actor: event.actor?.login,
      actorKind,
      fingerprint,
      conversational,
      echo: actorKind === 'self' && (link === 'marker' || link === 'echo'),
    };
    const recent = window?.entries ?? [];
    const signals = [
      depthSignal(depth, s),
      repeatSignal(chain, recent, entry, at, s),
      cycleSignal(chain, recent, entry, at, s),
      pingPongSignal(recent, entry, s),
      rateSignal(recent, entry, s),
    ].filter((signal): signal is Signal => signal !== undefined);
    const run = conversational ? repeatRun(recent, entry, at - s.repeatWindowMs) : { count: 0 };
    const score = loopScore(signals);
    const verdict = worse(verdictFor(score, s), chain.summary.verdict);

    window?.push(entry);
    chain.note(fingerprint, at);
    const node: ChainNode = {
      nodeId,
      chainId,
      parentId: parent?.nodeId,
      depth,
      kind: 'event',
      link,
      at,
      repo,
      target,
      actor: event.actor?.login,
      actorKind,
      summary: summaryLine,
      fingerprint,
      ...(actsLikeBot !== undefined && { actsLikeBot }),
      score,
      verdict,
      signals,
      url: event.url,
    };
    const who = event.actor?.login ?? 'unknown';
    // Named in the chain's audit once per chain and account: why a `User` was taken for a bot.
    const named = actsLikeBot !== undefined && chain.noteBotLike(who);
    const audit = named
      ? {
          who,
          what: 'acts_like_bot' as const,
          detail: `${who} acts like a bot: ${actsLikeBot}`,
          score,
          verdict,
          signals,
        }
      : undefined;
    const summary = await this.recordNode(chain, node, who, audit);
    const assessment: Assessment = {
      node,
      chain: summary,
      verdict,
      ...(run.first && {
        repeatOf: { nodeId: run.first.nodeId, count: run.count + 1, firstAt: run.first.at },
      }),
    };
    this.working.assessed.set(nodeId, assessment);
    return assessment;
  }

  /** The chain's state, from memory or the store, or a new one made by `create`. */
  async chainState(
    tenantId: string,
    chainId: string,
    create?: () => ChainSummary,
  ): Promise<ChainState> {
    const key = `${tenantId}|${chainId}`;
    let state = this.working.chains.get(key);
    if (!state) {
      const stored = await this.store.getRecord<ChainSummary>('chain', tenantId, chainId);
      if (stored) {
        state = new ChainState(stored.data);
        state.etag = stored.etag;
      } else if (create) {
        state = new ChainState(create());
      } else {
        throw new Error(`chain ${chainId} is unknown (it may have expired)`);
      }
      this.working.chains.set(key, state);
    }
    return state;
  }

  /**
   * Adds a node (an event, or an act of ours) to its chain: updates the summary, escalates the
   * verdict if the node's is worse, writes node, summary and audit, and tells the admins once
   * when the chain breaks.
   */
  async recordNode(
    chain: ChainState,
    node: ChainNode,
    who: string,
    audit?: Omit<AuditEntry, 'id' | 'chainId' | 'at' | 'nodeId'>,
  ): Promise<ChainSummary> {
    const s = this.settings;
    const before = chain.summary;
    const escalated = VERDICT_RANK[node.verdict] > VERDICT_RANK[before.verdict];
    const summary: ChainSummary = {
      ...before,
      updatedAt: Math.max(before.updatedAt, node.at),
      depth: Math.max(before.depth, node.depth),
      nodes: before.nodes + 1,
      score: Math.max(before.score, node.score),
      verdict: worse(before.verdict, node.verdict),
      reason: escalated
        ? [
            node.actsLikeBot &&
              `${node.actor ?? 'the account'} acts like a bot: ${node.actsLikeBot}`,
            ...node.signals.map((signal) => signal.detail),
          ]
            .filter(Boolean)
            .join('; ') || before.reason
        : before.reason,
    };
    const breaking = summary.verdict === 'break' && !summary.adminAlerted;
    if (breaking) summary.adminAlerted = true;
    chain.summary = summary;

    // Tell the admins before the chain is stored as "alerted": if telling fails, the pipeline's
    // retry tells them again (the outbox makes that idempotent) instead of never.
    if (breaking) await this.observer.onBreak?.(summary, node);

    const expiresAt = node.at + s.chainTtlMs;
    await this.store.putRecord({
      kind: 'chain_node',
      tenantId: summary.tenantId,
      partition: summary.chainId,
      id: node.nodeId,
      data: node,
      expiresAt,
    });
    const written = await this.store.putRecord({
      kind: 'chain',
      tenantId: summary.tenantId,
      partition: summary.tenantId,
      id: summary.chainId,
      data: summary,
      expiresAt,
    });
    chain.etag = written.etag;

    const entries: Omit<AuditEntry, 'id' | 'chainId' | 'nodeId'>[] = [];
    if (audit) entries.push({ ...audit, at: node.at });
    if (escalated)
      entries.push({
        at: node.at,
        who,
        what: 'verdict',
        detail: `chain ${summary.verdict === 'break' ? 'broken' : 'dampened'}: ${summary.reason ?? ''}`,
        score: node.score,
        verdict: summary.verdict,
        signals: node.signals,
      });
    if (breaking)
      entries.push({
        at: node.at,
        who: 'reynolds',
        what: 'admin_alert',
        detail: 'the channel admins were told this chain was stopped',
        score: node.score,
        verdict: 'break',
        signals: node.signals,
      });
    for (const [i, entry] of entries.entries()) {
      const id = `${node.nodeId}-${entry.what}-${i}`;
      await this.store.putRecord({
        kind: 'audit',
        tenantId: summary.tenantId,
        partition: summary.chainId,
        id,
        data: { ...entry, id, chainId: summary.chainId, nodeId: node.nodeId },
        expiresAt: node.at + s.auditTtlMs,
      });
    }
    return summary;
  }
}

/** When the event reached us: the clock of record for windows (payload times can be stale). */
function arrivalTime(event: BrokerEvent, clock: Clock): number {
  const received = Date.parse(event.receivedAt);
  return Number.isFinite(received) && received > 0 ? received : clock.now();
}

export function describeEvent(event: BrokerEvent): string {
  const what = `${event.kind}${event.action ? `.${event.action}` : ''}`;
  const where = event.repo
    ? ` on ${event.repo.fullName}${event.target?.number !== undefined ? `#${event.target.number}` : event.target ? ` ${event.target.key}` : ''}`
    : '';
  return `${what}${where}${event.actor ? ` by ${event.actor.login}` : ''}`;
}
