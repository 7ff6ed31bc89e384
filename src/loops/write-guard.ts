/**
 * The one door every outbound write goes through: GitHub writes (comments, labels, closes,
 * reviews) and Teams posts. It consults the chain's verdict, refuses what would feed a loop,
 * marks or announces what it lets through (so the echo links back), records the act as a node of
 * the chain, and writes an audit entry either way.
 *
 * Refusals: a broken chain refuses everything; a dampened chain refuses GitHub writes (alerts
 * still flow); a GitHub write answering a bot (or ourselves) on a chain we already wrote on, or
 * repeating a write already made on the chain, is refused and dampens the chain.
 *
 * Acts are idempotent per (trigger, write): a pipeline retry after a crash finds the act recorded
 * and does not write twice.
 */
import type { Clock } from '../core/clock.js';
import type { Store } from '../store/store.js';
import {
  worse,
  type ActorKind,
  type ChainNode,
  type Signal,
  type Verdict,
} from '../core/chain-records.js';
import type { ChainTracker } from './chain-tracker.js';
import { shortHash } from './fingerprint.js';
import { loopScore, verdictFor } from './loop-score.js';
import { formatMarker, withMarker } from './marker.js';
import { botReactionSignal, repeatWriteSignal } from './signals.js';
import { TARGET_WRITE_MEMORY_MS } from './working-set.js';

/** `tool_call`: a chat call of another MCP server's tool that may write (repo `mcp:<server>`, target the tool). */
export type WriteKind =
  | 'comment'
  | 'label_add'
  | 'label_remove'
  | 'close'
  | 'reopen'
  | 'review'
  | 'teams_post'
  | 'admin_alert'
  | 'tool_call';

export interface WriteTrigger {
  chainId: string;
  /** The node the write answers: an event, or (from Teams) the event a card is about. */
  nodeId: string;
  depth: number;
  actorKind: ActorKind;
  actor?: string;
}

export interface WriteIntent {
  tenantId: string;
  kind: WriteKind;
  /** For GitHub writes: `owner/name` and the target key (`#42`). For Teams posts: the conversation. */
  repo: string;
  target: string;
  /** Comment text, label name, review state (APPROVE, REQUEST_CHANGES, COMMENT), card key... */
  detail: string;
  /** Who asked: `reynolds` for the pipeline, a Teams user id for a card action. */
  who: string;
  trigger: WriteTrigger;
  /**
   * The identity of a person's request (a card action: which card, which version of it, which
   * button). Part of the write's fingerprint, so a double click or a retried invoke is one act,
   * while the same person closing again after a reopen (a newer card) is a new act, not a repeat.
   */
  requestKey?: string;
}

export interface WritePermit {
  chainId: string;
  actNodeId: string;
  depth: number;
  /** For comments and reviews: our marker, to end the text with. */
  marker?: string;
  /** For comments: the comment text with the marker appended. */
  markedText?: string;
}

export type GuardOutcome<T> =
  | { done: true; value: T | undefined; act: ChainNode; repeated: boolean }
  | { done: false; verdict: Verdict; reason: string; signals: Signal[] };

/** Writes whose echo cannot carry a marker, and the webhook (event, action) each one causes. */
const ECHO_OF: Partial<
  Record<WriteKind, (intent: WriteIntent) => { event: string; action: string; detail?: string }>
> = {
  label_add: (i) => ({
    event: i.target.startsWith('#') ? 'issues' : 'pull_request',
    action: 'labeled',
    detail: i.detail,
  }),
  label_remove: (i) => ({
    event: i.target.startsWith('#') ? 'issues' : 'pull_request',
    action: 'unlabeled',
    detail: i.detail,
  }),
  close: () => ({ event: 'issues', action: 'closed' }),
  reopen: () => ({ event: 'issues', action: 'reopened' }),
  review: (i) => ({
    event: 'pull_request_review',
    action: 'submitted',
    detail: REVIEW_STATE[i.detail] ?? i.detail.toLowerCase(),
  }),
};

const REVIEW_STATE: Record<string, string> = {
  APPROVE: 'approved',
  REQUEST_CHANGES: 'changes_requested',
  COMMENT: 'commented',
};

export class WriteGuard {
  constructor(
    private readonly tracker: ChainTracker,
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /**
   * Runs `write` if the chain allows it. `write` gets the permit (with the marked text to send,
   * for comments) and performs the real call; if it throws, nothing is recorded and the error
   * propagates, so the caller's retry runs the guard again.
   */
  async perform<T>(
    intent: WriteIntent,
    write: (permit: WritePermit) => Promise<T>,
  ): Promise<GuardOutcome<T>> {
    const s = this.tracker.settings;
    const chain = await this.tracker.chainState(intent.tenantId, intent.trigger.chainId);
    const toGitHub = intent.kind !== 'teams_post' && intent.kind !== 'admin_alert';
    // The admins' alert about a broken chain is the one post a broken chain still allows (once per
    // conversation: repeat_write still applies).
    const brokenStops = intent.kind !== 'admin_alert';
    const writeFingerprint = shortHash(
      [
        intent.kind,
        intent.repo,
        intent.target,
        normaliseDetail(intent),
        ...(intent.requestKey === undefined ? [] : [intent.requestKey]),
      ].join('\u0000'),
    );
    const actNodeId = `act-${shortHash(`${intent.trigger.nodeId}|${writeFingerprint}`)}`;
    const depth = intent.trigger.depth + 1;
    const now = this.clock.now();

    const recorded = await this.store.getRecord<ChainNode>(
      'chain_node',
      intent.trigger.chainId,
      actNodeId,
    );
    if (recorded && recorded.data.kind === 'act' && recorded.data.verdict !== 'break') {
      return { done: true, value: undefined, act: recorded.data, repeated: true }; // done before a crash
    }

    const signals: Signal[] = [];
    /** Evidence about this write only (a bot spoke after us; we did this on another chain): refuses it, never escalates the chain. */
    const circumstantial = new Set<Signal>();
    if (toGitHub) {
      const triggerAt =
        this.tracker.working.assessed.get(intent.trigger.nodeId)?.node.at ??
        (
          await this.store.getRecord<ChainNode>(
            'chain_node',
            intent.trigger.chainId,
            intent.trigger.nodeId,
          )
        )?.data.at;
      const reaction = botReactionSignal(
        chain,
        intent.trigger.actorKind,
        intent.trigger.actor,
        triggerAt,
      );
      if (reaction) {
        signals.push(reaction);
        circumstantial.add(reaction);
      }
    }
    const repeat = repeatWriteSignal(chain, writeFingerprint, describeWrite(intent));
    if (repeat) signals.push(repeat);
    const targetWindow = toGitHub
      ? this.tracker.working.window(`${intent.tenantId}|${intent.repo}|${intent.target}`)
      : undefined;
    const before = targetWindow?.writes.get(writeFingerprint);
    if (
      !repeat &&
      intent.trigger.actorKind !== 'human' &&
      before !== undefined &&
      now - before <= TARGET_WRITE_MEMORY_MS
    ) {
      const signal: Signal = {
        name: 'repeat_write',
        strength: 1,
        detail: `${describeWrite(intent)} was already done on this target ${Math.round((now - before) / 60_000)} min ago, and a bot asks again`,
      };
      signals.push(signal);
      circumstantial.add(signal);
    }
    const score = loopScore(signals);
    const refusedBy =
      brokenStops && chain.summary.verdict === 'break'
        ? 'break'
        : toGitHub && chain.summary.verdict === 'dampen'
          ? 'dampen'
          : verdictFor(score, s);

    const node: ChainNode = {
      nodeId: actNodeId,
      chainId: intent.trigger.chainId,
      parentId: intent.trigger.nodeId,
      depth,
      kind: 'act',
      link: intent.who === 'reynolds' ? 'act' : 'teams',
      at: now,
      repo: toGitHub ? intent.repo : undefined,
      target: toGitHub ? intent.target : undefined,
      actor: intent.who,
      actorKind: intent.who === 'reynolds' ? 'self' : 'human',
      summary: describeWrite(intent),
      fingerprint: writeFingerprint,
      score,
      verdict: worse(chain.summary.verdict, verdictFor(score, s)),
      signals,
    };
    // What the chain escalates to: bot_reaction is circumstantial (a bot spoke after we did), so on
    // its own it refuses this write, which already stops a loop, without dampening the chain.
    const escalation = worse(
      chain.summary.verdict,
      verdictFor(loopScore(signals.filter((x) => !circumstantial.has(x))), s),
    );

    if (refusedBy !== 'proceed') {
      const reason =
        signals.length > 0
          ? signals.map((signal) => signal.detail).join('; ')
          : refusedBy === 'break'
            ? `chain ${chain.summary.chainId} is broken: ${chain.summary.reason ?? 'runaway loop'}`
            : `chain ${chain.summary.chainId} is dampened: write-backs are off`;
      await this.tracker.recordNode(
        chain,
        {
          ...node,
          verdict: escalation,
          nodeId: `${actNodeId}-refused-${now}`,
          summary: `refused: ${node.summary}`,
        },
        intent.who,
        {
          who: intent.who,
          what: 'act_refused',
          detail: `${describeWrite(intent)} refused: ${reason}`,
          score,
          verdict: refusedBy,
          signals,
        },
      );
      return { done: false, verdict: refusedBy, reason, signals };
    }

    const echo = ECHO_OF[intent.kind]?.(intent);
    if (echo) {
      await this.tracker.echoes.expect(intent.tenantId, {
        repo: intent.repo,
        target: intent.target,
        ...echo,
        chainId: intent.trigger.chainId,
        actNodeId,
        depth,
        at: now,
      });
    }
    const permit: WritePermit = { chainId: intent.trigger.chainId, actNodeId, depth };
    if (intent.kind === 'comment' || intent.kind === 'review') {
      const mark = { chainId: intent.trigger.chainId, depth, actId: actNodeId };
      permit.marker = formatMarker(mark, s.markerKey);
      if (intent.kind === 'comment')
        permit.markedText = withMarker(intent.detail, mark, s.markerKey);
    }

    const value = await write(permit);

    chain.noteWrite(writeFingerprint, now);
    targetWindow?.noteWrite(writeFingerprint, now);
    // Our turn on the target, at the time we took it (its echo, later, is not another turn).
    targetWindow?.push({
      nodeId: actNodeId,
      chainId: intent.trigger.chainId,
      depth,
      at: now,
      actor: s.appSlug ? `${s.appSlug}[bot]` : 'reynolds',
      actorKind: 'self',
      fingerprint: writeFingerprint,
      conversational: true,
    });
    if (toGitHub)
      chain.summary = {
        ...chain.summary,
        reynoldsActed: true,
        reynoldsActedAt: chain.summary.reynoldsActedAt ?? now,
      };
    await this.tracker.recordNode(chain, node, intent.who, {
      who: intent.who,
      what: 'act',
      detail: describeWrite(intent),
      score,
      verdict: node.verdict,
      signals,
    });
    return { done: true, value, act: node, repeated: false };
  }
}

function normaliseDetail(intent: WriteIntent): string {
  return intent.kind === 'comment'
    ? intent.detail.replace(/\s+/g, ' ').trim().toLowerCase().slice(0, 2048)
    : intent.detail;
}

export function describeWrite(intent: WriteIntent): string {
  const where =
    intent.kind === 'teams_post' || intent.kind === 'admin_alert'
      ? `Teams ${intent.repo}`
      : `${intent.repo}${intent.target}`;
  switch (intent.kind) {
    case 'comment':
      return `comment on ${where}`;
    case 'label_add':
      return `add label "${intent.detail}" to ${where}`;
    case 'label_remove':
      return `remove label "${intent.detail}" from ${where}`;
    case 'close':
      return `close ${where}`;
    case 'reopen':
      return `reopen ${where}`;
    case 'review':
      return `review ${where} (${intent.detail})`;
    case 'teams_post':
      return `post to ${where}`;
    case 'admin_alert':
      return `tell the admins of ${where} that the chain was stopped`;
    case 'tool_call':
      return `call ${intent.repo.replace(/^mcp:/, '')}.${intent.target.replace(/^tool:/, '')} (${intent.detail})`;
  }
}
