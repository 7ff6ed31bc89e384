/**
 * The vocabulary of loop prevention: chain nodes, chain summaries, signals, verdicts, audit
 * entries and expected echoes, as they are stored and as the tab API shows them.
 */

/** proceed: all flows. dampen: alerts still flow, write-backs stop. break: everything on the chain stops. */
export type Verdict = 'proceed' | 'dampen' | 'break';

export const VERDICT_RANK: Record<Verdict, number> = { proceed: 0, dampen: 1, break: 2 };

export function worse(a: Verdict, b: Verdict): Verdict {
  return VERDICT_RANK[a] >= VERDICT_RANK[b] ? a : b;
}

export type SignalName =
  'depth' | 'repeat' | 'cycle' | 'ping_pong' | 'target_rate' | 'bot_reaction' | 'repeat_write';

/** One piece of evidence that a chain is a runaway loop; `strength` in [0, 1]. */
export interface Signal {
  name: SignalName;
  strength: number;
  detail: string;
}

/** Who acted: a person, another bot (app or token-driven), or Reynolds itself. */
export type ActorKind = 'human' | 'bot' | 'self';

/**
 * How a node got its parent: `marker` (our signed marker in the content), `echo` (it matched a
 * write we announced), `reply` (a bot answering the previous event on the same target), `act`
 * (our own write), `teams` (a person acting from a card), or `root` (a new chain).
 */
export type LinkKind = 'root' | 'marker' | 'echo' | 'reply' | 'act' | 'teams';

export interface ChainNode {
  nodeId: string;
  chainId: string;
  parentId?: string;
  depth: number;
  /** An event GitHub sent us, or an act of ours (a GitHub write or a Teams post). */
  kind: 'event' | 'act';
  link: LinkKind;
  at: number;
  repo?: string;
  /** Target key within the repository (`#42`, `refs/heads/main`, ...). */
  target?: string;
  actor?: string;
  actorKind: ActorKind;
  /** One line for people: `issue_comment.created on octo/repo#7 by echo-bot[bot]`. */
  summary: string;
  fingerprint: string;
  /** Why an account GitHub calls a `User` was treated as a bot here (its behaviour, or an admin said so). */
  actsLikeBot?: string;
  score: number;
  verdict: Verdict;
  signals: Signal[];
  url?: string;
}

export interface ChainSummary {
  chainId: string;
  tenantId: string;
  repo?: string;
  /** Summary of the node that started it. */
  root: string;
  startedAt: number;
  updatedAt: number;
  /** Deepest node so far. */
  depth: number;
  nodes: number;
  /** Highest score so far. */
  score: number;
  /** Worst verdict so far; verdicts never soften within a chain's lifetime. */
  verdict: Verdict;
  /** Why it was dampened or broken, in words. */
  reason?: string;
  /** The admins were told it broke (at most once per chain). */
  adminAlerted: boolean;
  /** Reynolds wrote to GitHub on this chain. */
  reynoldsActed?: boolean;
  /** When Reynolds first wrote to GitHub on this chain. */
  reynoldsActedAt?: number;
}

export type AuditWhat = 'verdict' | 'act' | 'act_refused' | 'admin_alert' | 'acts_like_bot';

export interface AuditEntry {
  id: string;
  chainId: string;
  at: number;
  /** Who did or asked for it: a GitHub login, `reynolds`, or a Teams user. */
  who: string;
  what: AuditWhat;
  detail: string;
  nodeId?: string;
  score: number;
  verdict: Verdict;
  signals: Signal[];
}

/** A webhook we expect back because of a write that cannot carry a marker (a label, a close...). */
export interface Expectation {
  repo: string;
  target: string;
  event: string;
  action: string;
  /** Label name, review state...: what tells this echo from another on the same target. */
  detail?: string;
  chainId: string;
  actNodeId: string;
  depth: number;
  at: number;
}

/** What the loop stage says of one event: its node, its chain, and the verdict. */
export interface Assessment {
  node: ChainNode;
  chain: ChainSummary;
  /** The verdict for this event: the chain's, which never softens. */
  verdict: Verdict;
  /**
   * The same actor said the same thing on this target just before, with no person in between: the
   * first event of that run and how many it has now (this one included). Routing folds the run
   * into the first event's card instead of posting one card per repeat.
   */
  repeatOf?: { nodeId: string; count: number; firstAt: number };
}

/** The chain node of a delivered event: the loop stage names it after the inbox item's key. */
export function eventNodeId(deliveryKey: string): string {
  return `ev-${deliveryKey}`;
}

/** The inbox item key (the alerts' delivery key) an event node was named after. */
export function deliveryKeyOfNode(nodeId: string): string | undefined {
  return nodeId.startsWith('ev-') ? nodeId.slice(3) : undefined;
}
