/**
 * The loop scenario simulator: real Reynolds instances (startReynolds, SQLite, the real intake,
 * worker, loop stage and write guard) against the GitHub stand-in, driven by scripted people and
 * bots on a virtual clock.
 *
 * Time: one ManualClock is shared by Reynolds and the simulation. Everything that happens is an
 * entry in a queue ordered by virtual time (a person typing, a bot answering, GitHub delivering a
 * webhook about a second after a write). The simulator takes the earliest entry, moves the clock
 * to it, runs it, and waits (in real time) until every Reynolds has processed everything it was
 * sent before taking the next: processing takes no virtual time, and runs are deterministic for a
 * seed. Loop bots answer within seconds, CI takes minutes, people take tens of seconds to minutes.
 *
 * Reynolds's write-back policy here is deliberately loop-prone, so the guard has work:
 *   (a) issues.opened / pull_request.opened, by anyone → add label `triage`, comment a welcome;
 *   (b) issue_comment.created by anyone but itself   → reply "Noted, @<actor>!";
 *   (c) label `triage` removed, by anyone but itself  → add it back;
 *   and every event is alerted to Teams (a `teams_post` through the guard), which a Teams-side
 *   automation may answer with a card action.
 * All writes go through GuardedGitHub over OctokitActions pointed at the stand-in: the production
 * adapter, real HTTP, real webhooks coming back.
 *
 * Hops (the loop metric). A hop is a GitHub write by an automated actor (a bot, Reynolds, a
 * Teams automation acting through Reynolds) made in answer to an event whose author was automated
 * too: the first bot-answers-bot turn is hop 1, and the loop starts there. "Hops until stopped":
 *   - a loop Reynolds takes part in (it can refuse its own turn): every hop that happened, provided
 *     the loop then died out on its own, with no bot left to answer, before the event cap, the
 *     virtual-time cap, or a bot's own turn limit. A loop still running at a cap was not stopped.
 *   - a loop between two other bots (Reynolds cannot stop their writes): the hops up to and
 *     including the first one whose event got the break verdict; from then on the chain is broken
 *     and Reynolds neither writes nor alerts on it (checked: alerts after break must be 0).
 *
 * False suppressions (legitimate traffic): events that got dampen or break, plus writes the
 * policy wanted in answer to a person (trigger actorKind `human`) that the guard refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PipelineContext, PipelineStage } from '../../src/core/pipeline.js';
import { ManualClock } from '../../src/core/clock.js';
import { parseConfig } from '../../src/config.js';
import type { BrokerEvent } from '../../src/core/broker-event.js';
import { OctokitActions } from '../../src/github/octokit-actions.js';
import { startReynolds, type Reynolds } from '../../src/composition/start-reynolds.js';
import type { ChainNode, ChainSummary, Verdict } from '../../src/core/chain-records.js';
import type { Assessment } from '../../src/core/chain-records.js';
import { GuardedGitHub } from '../../src/loops/guarded-github.js';
import type { GuardOutcome, WriteTrigger } from '../../src/loops/write-guard.js';
import { checkTemplates, fakeSha, GitHubStandIn, type Webhook } from './github-standin.js';
import { mulberry32 } from '../support/bench-kit.js';

export type Size = 'full' | 'small';
export type ScenarioKind = 'loop' | 'legit';

/** A Monday morning; payload timestamps and every window are on this clock. */
const START = Date.UTC(2026, 2, 2, 9, 0, 0);
const WEBHOOK_SECRET = 'sim-webhook-secret-0123456789';
const TEAMS_CHANNEL = 'teams:19:sim-channel@thread.tacv2';
/** Real time one step may take before the simulation calls Reynolds stuck. */
const STEP_TIMEOUT_MS = 20_000;

export interface Scenario {
  name: string;
  kind: ScenarioKind;
  /** One line for the table's notes. */
  story: string;
  /** A loop between two other bots: stopped = the chain breaks (Reynolds cannot stop their writes). */
  external?: boolean;
  /** Run a second Reynolds (reynolds-two[bot], its own marker key) next to the first. */
  pair?: boolean;
  /** Webhooks delivered before the simulator stops the scenario. */
  cap: Record<Size, number>;
  /** Virtual time after which the scenario stops, in ms. */
  horizonMs: number;
  script(sim: Sim, size: Size): void;
}

export interface EventRecord {
  deliveryId: string;
  what: string;
  actor?: string;
  actorKind: string;
  link: string;
  depth: number;
  chainId: string;
  nodeId: string;
  verdict: Verdict;
  signals: string[];
  at: number;
}

export interface WriteRecord {
  what: string;
  who: string;
  trigger: WriteTrigger;
  done: boolean;
  reason?: string;
  at: number;
}

/** A GitHub write anyone made during the scenario, with what it answered. */
export interface ActRecord {
  at: number;
  by: string;
  automated: boolean;
  what: string;
  /** Author of the event this act answers; undefined for a spontaneous act (a person, a cron). */
  causeBy?: string;
  causeAutomated: boolean;
  /** The webhook the act produced (scripted acts only). */
  deliveryId?: string;
}

export interface AlertRecord {
  chainId: string;
  nodeId: string;
  at: number;
  done: boolean;
}

/** One Reynolds under test. */
export interface Instance {
  name: string;
  login: string;
  reynolds: Reynolds;
  guarded: GuardedGitHub;
  dataDir: string;
  processed: number;
  events: EventRecord[];
  writes: WriteRecord[];
  alerts: AlertRecord[];
  errors: string[];
}

interface Scheduled {
  at: number;
  seq: number;
  label: string;
  delivery: boolean;
  run: () => unknown;
}

export interface AlertNotice {
  instance: Instance;
  event: BrokerEvent;
  node: ChainNode;
}

export class Sim {
  readonly clock = new ManualClock(START);
  readonly random: () => number;
  readonly instances: Instance[] = [];
  readonly acts: ActRecord[] = [];
  standin!: GitHubStandIn;
  delivered = 0;
  capped = false;
  pastHorizon = false;
  stuck?: string;
  /** Scripted actors that ran out of turns (a loop that only their own limit ended). */
  readonly exhausted = new Set<string>();
  private readonly queue: Scheduled[] = [];
  private seq = 0;
  private readonly alertListeners: ((notice: AlertNotice) => void)[] = [];

  constructor(seed: string) {
    this.random = mulberry32(createHash('sha1').update(seed).digest().readUInt32BE(0));
  }

  /** Milliseconds since the scenario started. */
  get elapsed(): number {
    return this.clock.now() - START;
  }

  /** A whole number of ms in [min, max], from the scenario's seeded generator. */
  between(min: number, max: number): number {
    return Math.round(min + this.random() * (max - min));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  /** Runs `run` `delayMs` of virtual time from now. */
  after(delayMs: number, label: string, run: () => unknown): void {
    this.insert({
      at: this.clock.now() + Math.max(0, delayMs),
      seq: (this.seq += 1),
      label,
      delivery: false,
      run,
    });
  }

  /** A GitHub write by a scripted actor (person or bot); `cause` is the webhook it answers. */
  act(
    actor: string,
    cause: Webhook | undefined,
    what: string,
    write: () => Webhook | undefined,
  ): Webhook | undefined {
    const webhook = write();
    if (webhook) {
      this.acts.push({
        at: this.clock.now(),
        by: actor,
        automated: isBotLogin(actor),
        what,
        causeBy: cause?.sender.login,
        causeAutomated: cause ? cause.sender.type === 'Bot' : false,
        deliveryId: webhook.deliveryId,
      });
    }
    return webhook;
  }

  /** A bot that answers webhooks: `answer` returns the delay and the act, or undefined to stay quiet. */
  bot(
    login: string,
    maxTurns: number,
    answer: (
      webhook: Webhook,
    ) => { delayMs: number; what: string; write: () => Webhook | undefined } | undefined,
  ): void {
    let turns = 0;
    this.standin.onWebhook((webhook) => {
      if (webhook.sender.login === login) return;
      const reaction = answer(webhook);
      if (!reaction) return;
      if (turns >= maxTurns) {
        this.exhausted.add(login);
        return;
      }
      turns += 1;
      this.after(reaction.delayMs, `${login}: ${reaction.what}`, () =>
        this.act(login, webhook, reaction.what, reaction.write),
      );
    });
  }

  /** Called when a Reynolds posts an alert to Teams (the Teams-side automation listens here). */
  onAlert(listener: (notice: AlertNotice) => void): void {
    this.alertListeners.push(listener);
  }

  notifyAlert(notice: AlertNotice): void {
    for (const listener of this.alertListeners) listener(notice);
  }

  /** GitHub's delivery of a webhook, about a second after the act that caused it. */
  dispatch(webhook: Webhook): void {
    const latency = this.between(400, 1500);
    this.insert({
      at: this.clock.now() + latency,
      seq: (this.seq += 1),
      label: `deliver ${webhook.event}.${webhook.action ?? ''}`,
      delivery: true,
      run: () => this.standin.deliver(webhook),
    });
  }

  async run(cap: number, horizonMs: number): Promise<void> {
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (next.at > START + horizonMs) {
        this.pastHorizon = true;
        return;
      }
      if (next.delivery && this.delivered >= cap) {
        this.capped = true;
        return;
      }
      this.queue.shift();
      if (next.at > this.clock.now()) this.clock.set(next.at);
      if (next.delivery) this.delivered += 1;
      await next.run();
      await this.waitIdle(next.label);
      if (this.stuck) return;
    }
  }

  /** Every Reynolds has processed every delivery it accepted (so all its writes are queued). */
  private async waitIdle(label: string): Promise<void> {
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    for (;;) {
      let idle = true;
      for (const instance of this.instances) {
        const stats = this.standin.hookStats.get(instance.name)!;
        if (stats.failed > 0) {
          this.stuck = `${instance.name} refused a delivery: ${stats.lastError}`;
          return;
        }
        if (instance.processed < stats.accepted) idle = false;
      }
      if (idle) return;
      if (Date.now() > deadline) {
        const counts = await Promise.all(
          this.instances.map(
            async (i) => `${i.name}: ${JSON.stringify(await i.reynolds.store.inboxCounts())}`,
          ),
        );
        this.stuck = `Reynolds did not finish processing after "${label}" within ${STEP_TIMEOUT_MS} ms (${counts.join('; ')})`;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  private insert(item: Scheduled): void {
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const other = this.queue[mid]!;
      if (other.at < item.at || (other.at === item.at && other.seq < item.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.queue.splice(lo, 0, item);
  }
}

// ---- Reynolds under test, with the simulation's write-back policy

async function startInstance(
  sim: Sim,
  name: string,
  markerSecret: string,
  token: string,
): Promise<Instance> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `reynolds-loops-${name}-`));
  const config = parseConfig({
    PORT: '0',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
    GITHUB_APP_SLUG: name,
    LOOP_MARKER_SECRET: markerSecret,
    INBOX_POLL_MS: '5',
  });
  // The stage needs the instance and the instance needs Reynolds; no delivery arrives before both exist.
  const holder: { instance?: Instance } = {};
  const policy: PipelineStage = {
    name: 'sim-policy',
    run: (context) => runPolicy(sim, holder.instance!, context),
  };
  const reynolds = await startReynolds(config, { clock: sim.clock, stages: [policy] });
  const guarded = new GuardedGitHub(
    reynolds.guard,
    new OctokitActions({ baseUrl: sim.standin.url, token }),
    config.tenantId,
  );
  const instance: Instance = {
    name,
    login: `${name}[bot]`,
    reynolds,
    guarded,
    dataDir,
    processed: 0,
    events: [],
    writes: [],
    alerts: [],
    errors: [],
  };
  holder.instance = instance;
  sim.standin.addToken(token, instance.login);
  sim.standin.addHook({
    name,
    url: `${instance.reynolds.url}/api/github/webhook`,
    secret: WEBHOOK_SECRET,
    hookId: 500_000 + sim.instances.length,
    appId: 900_000 + sim.instances.length,
  });
  sim.instances.push(instance);
  return instance;
}

function triggerOf(node: ChainNode): WriteTrigger {
  return {
    chainId: node.chainId,
    nodeId: node.nodeId,
    depth: node.depth,
    actorKind: node.actorKind,
    actor: node.actor,
  };
}

async function runPolicy(sim: Sim, instance: Instance, context: PipelineContext): Promise<void> {
  const { event, loop } = context;
  if (!loop) throw new Error('the loop stage did not run before the policy');
  const node = loop.node;
  instance.events.push({
    deliveryId: event.deliveryId,
    what: `${event.kind}${event.action ? `.${event.action}` : ''}`,
    actor: event.actor?.login,
    actorKind: node.actorKind,
    link: node.link,
    depth: node.depth,
    chainId: node.chainId,
    nodeId: node.nodeId,
    verdict: loop.verdict,
    signals: node.signals.map((s) => `${s.name}:${s.strength.toFixed(2)}`),
    at: sim.clock.now(),
  });
  try {
    await alert(sim, instance, event, loop);
    await writeBack(sim, instance, event, loop);
  } catch (error) {
    // Recorded, not thrown: a thrown stage is retried on the manual clock, which never moves by itself.
    instance.errors.push(`${event.kind}.${event.action ?? ''}: ${(error as Error).message}`);
  }
  instance.processed += 1;
}

/** Every event goes to the channel, through the guard (a broken chain refuses it). */
async function alert(
  sim: Sim,
  instance: Instance,
  event: BrokerEvent,
  loop: Assessment,
): Promise<void> {
  const where = `${event.repo?.fullName ?? event.org ?? ''}${event.target?.key ?? ''}`;
  const outcome = await instance.reynolds.guard.perform(
    {
      tenantId: instance.reynolds.config.tenantId,
      kind: 'teams_post',
      repo: TEAMS_CHANNEL,
      target: `thread:${where}`,
      detail: `card for ${loop.node.nodeId}`,
      who: 'reynolds',
      trigger: triggerOf(loop.node),
    },
    async () => 'posted',
  );
  instance.alerts.push({
    chainId: loop.node.chainId,
    nodeId: loop.node.nodeId,
    at: sim.clock.now(),
    done: outcome.done,
  });
  if (outcome.done) sim.notifyAlert({ instance, event, node: loop.node });
}

async function writeBack(
  sim: Sim,
  instance: Instance,
  event: BrokerEvent,
  loop: Assessment,
): Promise<void> {
  const repo = event.repo?.fullName;
  const number = event.target?.number;
  if (!repo || number === undefined) return;
  const what = `${event.kind}.${event.action ?? ''}`;
  const actor = event.actor?.login ?? 'someone';
  const self = actor === instance.login;
  const trigger = triggerOf(loop.node);
  const cause = { by: actor, automated: loop.node.actorKind !== 'human' };
  const g = instance.guarded;
  if (what === 'issues.opened' || what === 'pull_request.opened') {
    await guardedWrite(sim, instance, cause, 'reynolds', 'add label triage', trigger, () =>
      g.addLabel(trigger, 'reynolds', repo, number, 'triage'),
    );
    await guardedWrite(sim, instance, cause, 'reynolds', 'welcome comment', trigger, () =>
      g.comment(
        trigger,
        'reynolds',
        repo,
        number,
        `Thanks for opening this, @${actor}! It is labelled \`triage\`; a maintainer will look at it soon.`,
      ),
    );
  } else if (what === 'issue_comment.created' && !self) {
    await guardedWrite(sim, instance, cause, 'reynolds', 'reply', trigger, () =>
      g.comment(trigger, 'reynolds', repo, number, `Noted, @${actor}!`),
    );
  } else if (
    (what === 'issues.unlabeled' || what === 'pull_request.unlabeled') &&
    event.changedLabel === 'triage' &&
    !self
  ) {
    await guardedWrite(sim, instance, cause, 'reynolds', 'add label triage back', trigger, () =>
      g.addLabel(trigger, 'reynolds', repo, number, 'triage'),
    );
  }
}

/** One write through the guard, recorded as done or refused, and as an act when it happened. */
export async function guardedWrite(
  sim: Sim,
  instance: Instance,
  cause: { by: string; automated: boolean },
  who: string,
  what: string,
  trigger: WriteTrigger,
  perform: () => Promise<GuardOutcome<unknown>>,
): Promise<void> {
  const outcome = await perform();
  instance.writes.push({
    what,
    who,
    trigger,
    done: outcome.done,
    at: sim.clock.now(),
    ...(!outcome.done && { reason: `${outcome.verdict}: ${outcome.reason}` }),
  });
  if (outcome.done && !outcome.repeated) {
    sim.acts.push({
      at: sim.clock.now(),
      by: who === 'reynolds' ? instance.login : who,
      automated: true,
      what,
      causeBy: cause.by,
      causeAutomated: cause.automated,
    });
  }
}

// ---- Results

export interface ScenarioResult {
  name: string;
  kind: ScenarioKind;
  story: string;
  events: number;
  /** Loops: hops until stopped; null when the loop was not stopped. Legit: undefined. */
  hops?: number | null;
  writes: number;
  refused: number;
  verdicts: Record<Verdict, number>;
  /** Per Reynolds instance. */
  adminAlerts: number[];
  alerts: number;
  alertsAfterBreak: number;
  falseSuppressions?: number;
  pass: boolean;
  notes: string[];
  /** Chain pictures (nodes with actor, link, depth, signals, verdict), when asked for. */
  chains: string[];
  virtualMs: number;
  realMs: number;
}

export interface RunOptions {
  size?: Size;
  /** Print the chains that explain the result (non-proceed, refused, unstopped). */
  chains?: boolean;
  seed?: string;
}

export async function runScenario(
  scenario: Scenario,
  options: RunOptions = {},
): Promise<ScenarioResult> {
  const size = options.size ?? 'full';
  const startedReal = Date.now();
  checkTemplates();
  const sim = new Sim(options.seed ?? scenario.name);
  sim.standin = await new GitHubStandIn({
    clock: sim.clock,
    dispatch: (webhook) => sim.dispatch(webhook),
  }).start();
  try {
    await startInstance(sim, 'reynolds-sim', 'sim-marker-key-one-0123456789', 'sim');
    if (scenario.pair)
      await startInstance(sim, 'reynolds-two', 'sim-marker-key-two-9876543210', 'two');
    scenario.script(sim, size);
    await sim.run(scenario.cap[size], scenario.horizonMs);
    return await evaluate(scenario, sim, options, startedReal);
  } finally {
    for (const instance of sim.instances) {
      await instance.reynolds.stop();
      rmSync(instance.dataDir, { recursive: true, force: true });
    }
    await sim.standin.close();
  }
}

async function evaluate(
  scenario: Scenario,
  sim: Sim,
  options: RunOptions,
  startedReal: number,
): Promise<ScenarioResult> {
  const verdicts: Record<Verdict, number> = { proceed: 0, dampen: 0, break: 0 };
  const notes: string[] = [];
  let writes = 0;
  let refused = 0;
  let alerts = 0;
  let alertsAfterBreak = 0;
  let humanRefused = 0;
  const adminAlerts: number[] = [];
  const explain = new Map<Instance, Set<string>>();

  for (const instance of sim.instances) {
    const interesting = new Set<string>();
    explain.set(instance, interesting);
    const brokeAt = new Map<string, number>();
    for (const e of instance.events) {
      verdicts[e.verdict] += 1;
      if (e.verdict === 'break' && !brokeAt.has(e.chainId)) brokeAt.set(e.chainId, e.at);
      if (e.verdict !== 'proceed') interesting.add(e.chainId);
    }
    for (const w of instance.writes) {
      if (w.done) writes += 1;
      else {
        refused += 1;
        interesting.add(w.trigger.chainId);
        if (w.trigger.actorKind === 'human') {
          humanRefused += 1;
          notes.push(
            `${instance.name} refused "${w.what}" answering ${w.trigger.actor} (a person): ${w.reason}`,
          );
        }
      }
    }
    for (const a of instance.alerts) {
      if (!a.done) continue;
      alerts += 1;
      const broke = brokeAt.get(a.chainId);
      if (broke !== undefined && a.at > broke) alertsAfterBreak += 1;
    }
    const tenantId = instance.reynolds.config.tenantId;
    const alerted = await instance.reynolds.store.queryRecords<ChainSummary>({
      kind: 'chain',
      tenantId,
      partition: tenantId,
      where: { adminAlerted: true },
      limit: 200,
    });
    adminAlerts.push(alerted.length);
    for (const error of instance.errors) notes.push(`${instance.name} error: ${error}`);
  }

  const first = sim.instances[0]!;
  const verdictOf = new Map(first.events.map((e) => [e.deliveryId, e.verdict]));
  const hopList = sim.acts.filter((a) => a.automated && a.causeAutomated);
  let hops: number | null | undefined;
  if (scenario.kind === 'loop') {
    if (scenario.external) {
      const index = hopList.findIndex(
        (h) => h.deliveryId !== undefined && verdictOf.get(h.deliveryId) === 'break',
      );
      hops = index >= 0 ? index + 1 : null;
    } else {
      const stillGoing = sim.capped || sim.pastHorizon || sim.exhausted.size > 0;
      hops = stillGoing ? null : hopList.length;
      if (sim.exhausted.size > 0)
        notes.push(`only the turn limit of ${[...sim.exhausted].join(', ')} ended the loop`);
    }
    if (hops === null) {
      notes.push(
        `loop not stopped: ${hopList.length} hops, still going at ${sim.capped ? 'the event cap' : sim.pastHorizon ? 'the time horizon' : 'a bot turn limit'}`,
      );
      for (const e of first.events.slice(-3)) explain.get(first)!.add(e.chainId);
    }
  }
  if (sim.capped && scenario.kind === 'legit') notes.push('hit the event cap');
  if (sim.stuck) notes.push(`simulation stuck: ${sim.stuck}`);
  const errors = sim.instances.reduce((n, i) => n + i.errors.length, 0);

  const falseSuppressions =
    scenario.kind === 'legit' ? verdicts.dampen + verdicts.break + humanRefused : undefined;
  const pass =
    !sim.stuck &&
    errors === 0 &&
    (scenario.kind === 'loop'
      ? hops !== null &&
        hops !== undefined &&
        hops <= 3 &&
        adminAlerts.every((n) => n <= 1) &&
        alertsAfterBreak === 0
      : falseSuppressions === 0 && !sim.capped);

  const chains: string[] = [];
  if (options.chains) {
    for (const [instance, ids] of explain) {
      for (const chainId of [...ids].slice(0, 4))
        chains.push(...(await chainPicture(instance, chainId)));
    }
  }

  return {
    name: scenario.name,
    kind: scenario.kind,
    story: scenario.story,
    events: sim.delivered,
    ...(scenario.kind === 'loop' && { hops }),
    writes,
    refused,
    verdicts,
    adminAlerts,
    alerts,
    alertsAfterBreak,
    ...(falseSuppressions !== undefined && { falseSuppressions }),
    pass,
    notes,
    chains,
    virtualMs: sim.elapsed,
    realMs: Date.now() - startedReal,
  };
}

/** A chain as the tab would show it: every node with actor, link, depth, signals and verdict. */
export async function chainPicture(
  instance: Instance,
  chainId: string,
  limit = 30,
): Promise<string[]> {
  const { store, config } = instance.reynolds;
  const summary = await store.getRecord<ChainSummary>('chain', config.tenantId, chainId);
  const records = await store.queryRecords<ChainNode>({
    kind: 'chain_node',
    tenantId: config.tenantId,
    partition: chainId,
    limit: 500,
  });
  const nodes = records.map((r) => r.data).sort((a, b) => a.at - b.at || a.depth - b.depth);
  const s = summary?.data;
  const lines = [
    `  [${instance.name}] chain ${chainId}: ${s?.root ?? '?'} — ${s?.nodes ?? nodes.length} nodes, verdict ${s?.verdict ?? '?'}${s?.reason ? ` (${s.reason})` : ''}${s?.adminAlerted ? ', admins alerted' : ''}`,
  ];
  const t0 = nodes[0]?.at ?? 0;
  const shown = nodes.filter((n) => !(n.kind === 'act' && n.summary.startsWith('post to'))); // Teams posts: one per event, noise here
  for (const n of shown.slice(0, limit)) {
    const signals = n.signals.map((x) => `${x.name}:${x.strength.toFixed(2)}`).join(',') || '-';
    lines.push(
      `    +${((n.at - t0) / 1000).toFixed(1).padStart(6)}s ${n.kind === 'act' ? 'act  ' : 'event'} ${(n.actor ?? '?').padEnd(22)} ${n.actorKind.padEnd(5)} link=${n.link.padEnd(6)} depth=${String(n.depth).padEnd(2)} score=${n.score.toFixed(2)} ${n.verdict.padEnd(7)} [${signals}] ${n.summary}`,
    );
  }
  if (shown.length > limit) lines.push(`    … ${shown.length - limit} more nodes`);
  return lines;
}

// ---- Scenarios

const isBotLogin = (login: string) => login.endsWith('[bot]') || login.startsWith('teams:');

const firstLine = (text: string) => text.split('\n', 1)[0]!.trim();

function payloadBody(webhook: Webhook): string {
  const comment = webhook.payload['comment'];
  const body =
    typeof comment === 'object' && comment !== null
      ? (comment as Record<string, unknown>)['body']
      : undefined;
  return typeof body === 'string' ? body : '';
}

function changedLabel(webhook: Webhook): string | undefined {
  const label = webhook.payload['label'];
  const name =
    typeof label === 'object' && label !== null
      ? (label as Record<string, unknown>)['name']
      : undefined;
  return typeof name === 'string' ? name : undefined;
}

const isComment = (w: Webhook) => w.event === 'issue_comment' && w.action === 'created';

/** A bot that answers every comment but its own, on the thread it came from. */
function echoBot(
  sim: Sim,
  login: string,
  delay: () => number,
  text: (body: string) => string,
): void {
  sim.bot(login, 50, (w) =>
    isComment(w) && w.number !== undefined
      ? {
          delayMs: delay(),
          what: 'echo comment',
          write: () => sim.standin.comment(login, w.repo, w.number!, text(payloadBody(w))),
        }
      : undefined,
  );
}

/** A bot that removes `triage` whenever someone else adds it. */
function labelJanitor(sim: Sim, login: string, delay: () => number): void {
  sim.bot(login, 50, (w) =>
    w.action === 'labeled' && changedLabel(w) === 'triage' && w.number !== undefined
      ? {
          delayMs: delay(),
          what: 'remove label triage',
          write: () => sim.standin.removeLabel(login, w.repo, w.number!, 'triage'),
        }
      : undefined,
  );
}

const loopScenarios: Scenario[] = [
  {
    name: 'echo-bot',
    kind: 'loop',
    story: 'a bot echoes every comment, ours included, 1.5-4 s later',
    cap: { full: 200, small: 100 },
    horizonMs: 2 * 3600_000,
    script(sim) {
      const repo = 'octo-org/widgets';
      const n = sim.standin.seedIssue(repo, 'alice', 'Saving a file with a long name crashes');
      echoBot(
        sim,
        'echo-bot[bot]',
        () => sim.between(1500, 4000),
        (body) => `Echo: ${firstLine(body)}`,
      );
      sim.after(30_000, 'alice comments', () =>
        sim.act('alice', undefined, 'comment', () =>
          sim.standin.comment(
            'alice',
            repo,
            n,
            'Steps: open a file named 300 × "a", press save, the app quits.',
          ),
        ),
      );
    },
  },
  {
    name: 'marker-copycat',
    kind: 'loop',
    story: 'a bot reposts every comment verbatim, our signed marker included',
    cap: { full: 200, small: 100 },
    horizonMs: 2 * 3600_000,
    script(sim) {
      const repo = 'octo-org/widgets';
      const n = sim.standin.seedIssue(repo, 'alice', 'Dark mode colours are off');
      echoBot(
        sim,
        'copycat[bot]',
        () => sim.between(1500, 4000),
        (body) => `Mirrored from the tracker:\n\n${body}`,
      );
      sim.after(30_000, 'alice comments', () =>
        sim.act('alice', undefined, 'comment', () =>
          sim.standin.comment('alice', repo, n, 'The sidebar stays white in dark mode.'),
        ),
      );
    },
  },
  {
    name: 'bot-ping-pong',
    kind: 'loop',
    external: true,
    story: 'stale[bot] adds `stale`, keepalive[bot] removes it, and again (no Reynolds write)',
    cap: { full: 120, small: 60 },
    horizonMs: 2 * 3600_000,
    script(sim) {
      const repo = 'octo-org/widgets';
      const n = sim.standin.seedIssue(repo, 'carol', 'Upload test is flaky on Windows');
      sim.bot('keepalive[bot]', 30, (w) =>
        w.action === 'labeled' && changedLabel(w) === 'stale'
          ? {
              delayMs: sim.between(2000, 6000),
              what: 'remove label stale',
              write: () => sim.standin.removeLabel('keepalive[bot]', repo, n, 'stale'),
            }
          : undefined,
      );
      sim.bot('stale[bot]', 30, (w) =>
        w.action === 'unlabeled' && changedLabel(w) === 'stale'
          ? {
              delayMs: sim.between(3000, 8000),
              what: 'add label stale',
              write: () => sim.standin.addLabel('stale[bot]', repo, n, 'stale'),
            }
          : undefined,
      );
      sim.after(10_000, 'stale[bot] marks the issue', () =>
        sim.act('stale[bot]', undefined, 'add label stale', () =>
          sim.standin.addLabel('stale[bot]', repo, n, 'stale'),
        ),
      );
    },
  },
  {
    name: 'relabel-war',
    kind: 'loop',
    story: 'a workflow removes `triage` 15-45 s after anyone adds it; policy (c) adds it back',
    cap: { full: 200, small: 100 },
    horizonMs: 2 * 3600_000,
    script(sim) {
      const repo = 'octo-org/widgets';
      labelJanitor(sim, 'label-janitor[bot]', () => sim.between(15_000, 45_000));
      sim.after(20_000, 'alice opens an issue', () =>
        sim.act('alice', undefined, 'open issue', () =>
          sim.standin.openIssue(
            'alice',
            repo,
            'Export to CSV drops the header row',
            'Since 2.3 the first row is missing.',
          ),
        ),
      );
    },
  },
  {
    name: 'teams-round-trip',
    kind: 'loop',
    story: 'a Teams flow answers every comment alert with a card action "comment" (as a bot)',
    cap: { full: 200, small: 100 },
    horizonMs: 2 * 3600_000,
    script(sim) {
      const repo = 'octo-org/widgets';
      const n = sim.standin.seedIssue(repo, 'alice', 'Search ignores accents');
      let turns = 0;
      sim.onAlert(({ instance, event, node }) => {
        if (event.kind !== 'issue_comment' || event.target?.number === undefined) return;
        if (turns >= 50) return void sim.exhausted.add('teams:flow');
        turns += 1;
        const trigger: WriteTrigger = {
          chainId: node.chainId,
          nodeId: node.nodeId,
          depth: node.depth,
          actorKind: 'bot',
          actor: 'teams:flow',
        };
        const cause = { by: event.actor?.login ?? '?', automated: node.actorKind !== 'human' };
        sim.after(sim.between(3000, 8000), 'teams flow: card action "comment"', () =>
          guardedWrite(sim, instance, cause, 'teams:flow', 'comment from Teams', trigger, () =>
            instance.guarded.comment(
              trigger,
              'teams:flow',
              repo,
              n,
              'Acknowledged in Teams by the triage flow.',
            ),
          ),
        );
      });
      sim.after(20_000, 'alice comments', () =>
        sim.act('alice', undefined, 'comment', () =>
          sim.standin.comment('alice', repo, n, 'Searching "café" finds nothing; "cafe" works.'),
        ),
      );
    },
  },
  {
    name: 'reynolds-pair',
    kind: 'loop',
    pair: true,
    story: 'a second Reynolds (reynolds-two[bot], its own marker key) with the same reply policy',
    cap: { full: 200, small: 100 },
    horizonMs: 2 * 3600_000,
    script(sim) {
      const repo = 'octo-org/widgets';
      const n = sim.standin.seedIssue(repo, 'alice', 'Login page loops on Safari');
      sim.after(20_000, 'alice comments', () =>
        sim.act('alice', undefined, 'comment', () =>
          sim.standin.comment(
            'alice',
            repo,
            n,
            'Safari 17 keeps redirecting between /login and /home.',
          ),
        ),
      );
    },
  },
  {
    name: 'slow-echo-bot',
    kind: 'loop',
    story: 'the echo bot, run by a queued Actions workflow: answers 2.5-4 min later',
    cap: { full: 60, small: 40 },
    horizonMs: 3 * 3600_000,
    script(sim) {
      const repo = 'octo-org/widgets';
      const n = sim.standin.seedIssue(repo, 'alice', 'Saving a file with a long name crashes');
      echoBot(
        sim,
        'echo-bot[bot]',
        () => sim.between(150_000, 240_000),
        (body) => `Echo: ${firstLine(body)}`,
      );
      sim.after(30_000, 'alice comments', () =>
        sim.act('alice', undefined, 'comment', () =>
          sim.standin.comment(
            'alice',
            repo,
            n,
            'Steps: open a file named 300 × "a", press save, the app quits.',
          ),
        ),
      );
    },
  },
  {
    name: 'slow-relabel-war',
    kind: 'loop',
    story: 'the label janitor as a scheduled sweep: removes `triage` 3-5 min after it is added',
    cap: { full: 60, small: 40 },
    horizonMs: 3 * 3600_000,
    script(sim) {
      const repo = 'octo-org/widgets';
      labelJanitor(sim, 'label-janitor[bot]', () => sim.between(180_000, 300_000));
      sim.after(20_000, 'alice opens an issue', () =>
        sim.act('alice', undefined, 'open issue', () =>
          sim.standin.openIssue(
            'alice',
            repo,
            'Export to CSV drops the header row',
            'Since 2.3 the first row is missing.',
          ),
        ),
      );
    },
  },
];

const PEOPLE = ['alice', 'bob', 'carol', 'dave'];
const REVIEW_LINES = [
  'Could we keep the old scheduler behind a flag for one release?',
  'The retry loop in dispatch() never backs off when the queue is empty.',
  'Nit: `maxWait` reads like milliseconds but it is seconds.',
  'I ran the soak test locally: p99 dropped from 41 ms to 12 ms.',
  'What happens to jobs that were leased when the node restarts?',
  'Good catch. I will add a test for the lease takeover.',
  'Can you split the metrics change into its own PR?',
  'This matches what we discussed in the design review.',
  'The docs still mention the cron-based runner.',
  'Pushed a fix for the flaky timer test.',
  'Looks good to me apart from the naming.',
  'Why a min-heap here and not the sorted array we had?',
];

/** People talking on one PR: a comment every 20-90 s, sometimes a line comment or a review. */
function conversation(sim: Sim, repo: string, number: number, until: number): void {
  let index = 0;
  const next = () => {
    if (sim.elapsed > until) return;
    const who = sim.pick(PEOPLE);
    const line = `${REVIEW_LINES[index % REVIEW_LINES.length]!} (${index + 1})`;
    index += 1;
    const roll = sim.random();
    if (roll < 0.7)
      sim.act(who, undefined, 'comment', () => sim.standin.comment(who, repo, number, line));
    else if (roll < 0.92)
      sim.act(who, undefined, 'line comment', () =>
        sim.standin.reviewComment(
          who,
          repo,
          number,
          line,
          `src/scheduler/${sim.pick(['queue', 'lease', 'retry'])}.ts`,
        ),
      );
    else if (who !== 'alice')
      sim.act(who, undefined, 'review', () =>
        sim.standin.review(
          who,
          repo,
          number,
          sim.pick(['APPROVE', 'COMMENT', 'REQUEST_CHANGES'] as const),
          line,
        ),
      );
    sim.after(sim.between(20_000, 90_000), 'next human message', next);
  };
  sim.after(sim.between(20_000, 60_000), 'first human message', next);
}

/** CI on one commit: `jobs` check runs by github-actions[bot], then its summary comment and codecov's. */
function ciRun(
  sim: Sim,
  repo: string,
  number: number,
  sha: string,
  branch: string,
  jobs: number,
  comments: boolean,
): void {
  let completed = 0;
  let lastAt = 0;
  for (let j = 0; j < jobs; j += 1) {
    const created = sim.between(5_000, 40_000);
    const duration = sim.between(90_000, 300_000);
    const name = `test (${['ubuntu', 'windows', 'macos'][j % 3]}, node ${18 + (j % 3) * 2}) #${j}`;
    lastAt = Math.max(lastAt, created + duration);
    sim.after(created, 'check run created', () => {
      const id = Math.floor(sim.random() * 1e9);
      sim.act('github-actions[bot]', undefined, 'check_run created', () =>
        sim.standin.checkRun('github-actions[bot]', repo, {
          action: 'created',
          id,
          sha,
          branch,
          name,
          pullNumbers: [number],
        }),
      );
      sim.after(duration, 'check run completed', () => {
        completed += 1;
        sim.act('github-actions[bot]', undefined, 'check_run completed', () =>
          sim.standin.checkRun('github-actions[bot]', repo, {
            action: 'completed',
            id,
            sha,
            branch,
            name,
            pullNumbers: [number],
            conclusion: 'success',
          }),
        );
      });
    });
  }
  if (!comments) return;
  const summaryAt = lastAt + sim.between(20_000, 40_000);
  sim.after(summaryAt, 'test summary comment', () =>
    sim.act('github-actions[bot]', undefined, 'test summary', () =>
      sim.standin.comment(
        'github-actions[bot]',
        repo,
        number,
        `### Test results\n${completed} jobs, 1,204 tests passed, 0 failed (${sha.slice(0, 7)})`,
      ),
    ),
  );
  sim.after(summaryAt + sim.between(15_000, 60_000), 'coverage comment', () =>
    sim.act('codecov[bot]', undefined, 'coverage report', () =>
      sim.standin.comment(
        'codecov[bot]',
        repo,
        number,
        `## Codecov Report\nAll modified lines are covered. Project coverage is 87.2% (+0.3%) on ${sha.slice(0, 7)}.`,
      ),
    ),
  );
}

const legitScenarios: Scenario[] = [
  {
    name: 'busy-pr-review',
    kind: 'legit',
    story:
      '4 people, a message every 20-90 s for 30 min (small: 8) on one PR, pushes with CI and bot reports',
    cap: { full: 1500, small: 500 },
    horizonMs: 2 * 3600_000,
    script(sim, size) {
      const repo = 'octo-org/platform';
      const minutes = size === 'full' ? 30 : 8;
      let sha = fakeSha('platform-1');
      const pr = sim.act('alice', undefined, 'open PR', () =>
        sim.standin.openPullRequest('alice', repo, {
          title: 'Rewrite the job scheduler',
          body: 'Replaces the cron runner with a lease-based queue.',
          head: 'scheduler-v2',
          sha,
        }),
      );
      const n = pr!.number!;
      ciRun(sim, repo, n, sha, 'scheduler-v2', 4, true);
      conversation(sim, repo, n, minutes * 60_000);
      for (const at of size === 'full' ? [10, 22] : [4]) {
        sim.after(at * 60_000, 'alice pushes', () => {
          sha = fakeSha(`platform-${at}`);
          sim.act('alice', undefined, 'push', () => sim.standin.synchronize('alice', repo, n, sha));
          ciRun(sim, repo, n, sha, 'scheduler-v2', 4, true);
        });
      }
    },
  },
  {
    name: 'ci-storm',
    kind: 'legit',
    story: 'a 120-job matrix (small: 25) and codecov statuses on one commit within ~8 min',
    cap: { full: 1500, small: 500 },
    horizonMs: 2 * 3600_000,
    script(sim, size) {
      const repo = 'octo-org/engine';
      const n = sim.standin.seedIssue(repo, 'erin', 'Vectorise the hash join', 'pull');
      const sha = fakeSha('engine-head');
      const jobs = size === 'full' ? 120 : 25;
      sim.act('erin', undefined, 'push', () => sim.standin.synchronize('erin', repo, n, sha));
      ciRun(sim, repo, n, sha, `topic-${n}`, jobs, false);
      // Codecov updates its two statuses as uploads arrive, then settles.
      const uploads = size === 'full' ? 40 : 8;
      for (let u = 1; u <= uploads; u += 1) {
        sim.after(sim.between(60_000, 420_000), 'codecov upload', () => {
          for (const context of ['codecov/project', 'codecov/patch']) {
            sim.act('codecov[bot]', undefined, 'status', () =>
              sim.standin.status('codecov[bot]', repo, {
                sha,
                context,
                state: 'pending',
                description: `Waiting for uploads (${u} of ${uploads})`,
                branch: `topic-${n}`,
              }),
            );
          }
        });
      }
      sim.after(480_000, 'codecov settles', () => {
        for (const context of ['codecov/project', 'codecov/patch']) {
          sim.act('codecov[bot]', undefined, 'status', () =>
            sim.standin.status('codecov[bot]', repo, {
              sha,
              context,
              state: 'success',
              description: '87.20% (+0.02%) compared to 1a2b3c4',
              branch: `topic-${n}`,
            }),
          );
        }
        sim.act('codecov[bot]', undefined, 'coverage report', () =>
          sim.standin.comment(
            'codecov[bot]',
            repo,
            n,
            '## Codecov Report\nPatch coverage is 100.00%. Project coverage is 87.20%.',
          ),
        );
      });
    },
  },
  {
    name: 'monorepo-push-burst',
    kind: 'legit',
    story: '8 people on 12 branches and the merge queue pushing for 15 min (small: 5)',
    cap: { full: 1500, small: 500 },
    horizonMs: 2 * 3600_000,
    script(sim, size) {
      const repo = 'octo-org/monorepo';
      const minutes = size === 'full' ? 15 : 5;
      const people = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];
      const branches = [
        'feat/auth-tokens',
        'feat/billing-v2',
        'fix/ws-reconnect',
        'feat/search-facets',
        'chore/deps',
        'fix/pdf-fonts',
        'feat/export-csv',
        'fix/tz-parsing',
        'feat/audit-log',
        'refactor/ui-kit',
        'fix/cache-stampede',
        'feat/sso-scim',
      ];
      branches.forEach((branch, b) => {
        const who = people[b % people.length]!;
        let count = 0;
        const pushOnce = () => {
          if (sim.elapsed > minutes * 60_000) return;
          count += 1;
          const after = fakeSha(`${branch}:${count}`);
          if (count === 1)
            sim.act(who, undefined, 'create branch', () =>
              sim.standin.createRef(who, repo, branch, 'branch'),
            );
          sim.act(who, undefined, 'push', () =>
            sim.standin.push(who, repo, {
              ref: `refs/heads/${branch}`,
              after,
              message: `${branch.split('/')[1]}: step ${count}`,
              created: count === 1,
            }),
          );
          sim.after(sim.between(30_000, 180_000), 'next push', pushOnce);
        };
        sim.after(sim.between(0, 60_000), 'first push', pushOnce);
      });
      let merged = 0;
      const mergeQueue = () => {
        if (sim.elapsed > minutes * 60_000) return;
        merged += 1;
        const sha = fakeSha(`queue:${merged}`);
        const queueBranch = `gh-readonly-queue/main/pr-${100 + merged}-${sha.slice(0, 40)}`;
        sim.act('github-merge-queue[bot]', undefined, 'queue branch', () =>
          sim.standin.createRef('github-merge-queue[bot]', repo, queueBranch, 'branch'),
        );
        sim.act('github-merge-queue[bot]', undefined, 'push queue', () =>
          sim.standin.push('github-merge-queue[bot]', repo, {
            ref: `refs/heads/${queueBranch}`,
            after: sha,
            message: `Merge pull request #${100 + merged}`,
            created: true,
          }),
        );
        sim.after(sim.between(20_000, 40_000), 'merge to main', () =>
          sim.act('github-merge-queue[bot]', undefined, 'push main', () =>
            sim.standin.push('github-merge-queue[bot]', repo, {
              ref: 'refs/heads/main',
              after: sha,
              message: `Merge pull request #${100 + merged}`,
            }),
          ),
        );
        sim.after(sim.between(30_000, 90_000), 'next merge', mergeQueue);
      };
      sim.after(45_000, 'merge queue starts', mergeQueue);
    },
  },
  {
    name: 'dependabot-50',
    kind: 'legit',
    story:
      'dependabot opens 50 PRs (small: 8); CI runs on each and a CI bot comments 3-6 min later',
    cap: { full: 1500, small: 500 },
    horizonMs: 2 * 3600_000,
    script(sim, size) {
      const repo = 'octo-org/webapp';
      const count = size === 'full' ? 50 : 8;
      const packages = [
        'lodash',
        'react',
        'webpack',
        'eslint',
        'axios',
        'jest',
        'typescript',
        'vite',
        'zod',
        'pino',
      ];
      let at = 0;
      for (let i = 0; i < count; i += 1) {
        at += sim.between(5_000, 20_000);
        const pkg = `${packages[i % packages.length]!}${i >= packages.length ? `-plugin-${i}` : ''}`;
        sim.after(at, 'dependabot opens a PR', () => {
          const sha = fakeSha(`dependabot:${pkg}`);
          const branch = `dependabot/npm_and_yarn/${pkg}-2.${i}.1`;
          const opened = sim.act('dependabot[bot]', undefined, 'open PR', () =>
            sim.standin.openPullRequest('dependabot[bot]', repo, {
              title: `Bump ${pkg} from 2.${i}.0 to 2.${i}.1`,
              body: `Bumps ${pkg} from 2.${i}.0 to 2.${i}.1.\n\nDependabot will resolve any conflicts with this PR as long as you don't alter it yourself.`,
              head: branch,
              sha,
            }),
          );
          const n = opened!.number!;
          // Dependabot labels its PRs right after opening them: GitHub sends one labeled event per label.
          sim.after(1_000, 'dependabot labels', () => {
            sim.act('dependabot[bot]', undefined, 'label', () =>
              sim.standin.addLabel('dependabot[bot]', repo, n, 'dependencies'),
            );
            sim.act('dependabot[bot]', undefined, 'label', () =>
              sim.standin.addLabel('dependabot[bot]', repo, n, 'javascript'),
            );
          });
          ciRun(sim, repo, n, sha, branch, 2, false);
          sim.after(sim.between(180_000, 360_000), 'CI bot comments', () =>
            sim.act('ci-reporter[bot]', undefined, 'CI comment', () =>
              sim.standin.comment(
                'ci-reporter[bot]',
                repo,
                n,
                `✅ Build ${sha.slice(0, 7)} passed: 132 tests, bundle size +0.1 kB.`,
              ),
            ),
          );
        });
      }
    },
  },
  {
    name: 'release-train',
    kind: 'legit',
    story:
      '3 releases (small: 1): tags, release workflow, releases, deployments, "released in" comments',
    cap: { full: 1500, small: 500 },
    horizonMs: 3 * 3600_000,
    script(sim, size) {
      const repo = 'octo-org/service';
      const versions = size === 'full' ? ['v3.4.0', 'v3.4.1', 'v3.5.0'] : ['v3.4.0'];
      const prsPerRelease = size === 'full' ? 6 : 3;
      versions.forEach((version, r) => {
        const prs = Array.from({ length: prsPerRelease }, (_, k) =>
          sim.standin.seedIssue(
            repo,
            PEOPLE[k % PEOPLE.length]!,
            `Change ${r}.${k} for ${version}`,
            'pull',
          ),
        );
        const sha = fakeSha(`service:${version}`);
        sim.after(r * 30 * 60_000 + 60_000, `release ${version}`, () => {
          sim.act('frank', undefined, 'tag', () =>
            sim.standin.createRef('frank', repo, version, 'tag'),
          );
          sim.act('frank', undefined, 'push tag', () =>
            sim.standin.push('frank', repo, {
              ref: `refs/tags/${version}`,
              after: sha,
              message: `Release ${version}`,
              created: true,
            }),
          );
          for (const job of ['build', 'publish-image', 'sbom']) {
            const id = Math.floor(sim.random() * 1e9);
            sim.after(sim.between(5_000, 20_000), 'release job', () =>
              sim.act('github-actions[bot]', undefined, 'check_run', () =>
                sim.standin.checkRun('github-actions[bot]', repo, {
                  action: 'created',
                  id,
                  sha,
                  branch: version,
                  name: job,
                }),
              ),
            );
            sim.after(sim.between(120_000, 200_000), 'release job done', () =>
              sim.act('github-actions[bot]', undefined, 'check_run', () =>
                sim.standin.checkRun('github-actions[bot]', repo, {
                  action: 'completed',
                  id,
                  sha,
                  branch: version,
                  name: job,
                  conclusion: 'success',
                }),
              ),
            );
          }
          sim.after(240_000, 'release published', () => {
            const id = Math.floor(sim.random() * 1e9);
            sim.act('github-actions[bot]', undefined, 'release', () =>
              sim.standin.release('github-actions[bot]', repo, {
                action: 'created',
                id,
                tag: version,
                body: `## What's changed\n${prs.map((p) => `* #${p}`).join('\n')}`,
              }),
            );
            sim.act('github-actions[bot]', undefined, 'release', () =>
              sim.standin.release('github-actions[bot]', repo, {
                action: 'published',
                id,
                tag: version,
                body: `## What's changed\n${prs.map((p) => `* #${p}`).join('\n')}`,
              }),
            );
            // semantic-release tells every PR in the release, then labels it.
            prs.forEach((p, k) => {
              sim.after(5_000 + k * 2_000, 'released-in comment', () => {
                sim.act('github-actions[bot]', undefined, 'released comment', () =>
                  sim.standin.comment(
                    'github-actions[bot]',
                    repo,
                    p,
                    `:tada: This PR is included in version ${version} :tada:\n\nThe release is available on GitHub release.`,
                  ),
                );
                sim.after(1_000, 'released label', () =>
                  sim.act('github-actions[bot]', undefined, 'label', () =>
                    sim.standin.addLabel('github-actions[bot]', repo, p, 'released'),
                  ),
                );
              });
            });
          });
          for (const [environment, start] of [
            ['staging', 300_000],
            ['production', 900_000],
          ] as const) {
            sim.after(start, `deploy ${environment}`, () => {
              const who = environment === 'production' ? 'frank' : 'github-actions[bot]';
              const { id } = sim.standin.deployment(who, repo, { sha, ref: version, environment });
              sim.acts.push({
                at: sim.clock.now(),
                by: who,
                automated: isBotLogin(who),
                what: 'deployment',
                causeAutomated: false,
              });
              let delay = 0;
              for (const state of ['queued', 'in_progress', 'success'] as const) {
                delay += sim.between(10_000, 90_000);
                sim.after(delay, 'deployment status', () =>
                  sim.act('github-actions[bot]', undefined, 'deployment_status', () =>
                    sim.standin.deploymentStatus('github-actions[bot]', repo, {
                      deploymentId: id,
                      sha,
                      ref: version,
                      environment,
                      state,
                    }),
                  ),
                );
              }
            });
          }
        });
      });
    },
  },
];

export const SCENARIOS: readonly Scenario[] = [...loopScenarios, ...legitScenarios];

export function scenarioNamed(name: string): Scenario {
  const found = SCENARIOS.find((s) => s.name === name);
  if (!found)
    throw new Error(`no scenario "${name}"; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return found;
}
