/**
 * The orchestration stage: after an event is classified and routed, it keeps the dependency graph,
 * the release trains, the portfolio counters and the interventions up to date, and sets the
 * coordination notices on the context ("unblocked: acme/api#12 merged") for each dependent's thread.
 * It runs after routing (not between classify and route, as docs/architecture.md first drew it)
 * because the portfolio counts the alerts routing queued; the notices are posted by the injected
 * `postNotices` (routing/alerts/coordination-alerts.ts) right after.
 *
 * Idempotent per delivery, as stages must be: a rerun finds the item already in its new state,
 * so no change is seen twice (counters and notices hang off changes, not events). Times are the
 * injected clock's, so a replay with a controlled clock (bench/interventions) sees what production
 * would.
 */
import type { BrokerEvent, WorkItemRef } from '../core/broker-event.js';
import type { Clock } from '../core/clock.js';
import type { CoordinationNotice } from '../core/coordination.js';
import type { PipelineContext, PipelineStage } from '../core/pipeline.js';
import type { Store } from '../store/store.js';
import { coordinate, type DependencyChange } from './coordinate.js';
import { DependencyGraph, EDGE_AFTER_CLOSE_MS } from './dependency-graph.js';
import { parseDependencyMentions } from './dependency-mentions.js';
import { DEFAULT_THRESHOLDS, type InterventionThresholds } from './intervention-rules.js';
import { Interventions, type Intervention } from './interventions.js';
import { Portfolio, type Increment } from './portfolio.js';
import { PortfolioScopes } from './portfolio-scopes.js';
import { ReleaseTrains } from './release-train.js';
import {
  ciVerdict,
  itemKeyOf,
  observe,
  observeCi,
  type Observation,
  type WorkItem,
} from './work-item.js';
import { formatRef, parseRef, refOf } from './work-item-ref.js';

export interface OrchestrationOptions {
  store: Store;
  clock: Clock;
  /** Thresholds for every scope that does not set its own. */
  thresholds?: Partial<InterventionThresholds>;
  /** Posts the notices into each dependent's thread; without it they are only on the context. */
  postNotices?: (context: PipelineContext, notices: CoordinationNotice[]) => Promise<void>;
  /** Told of each newly raised intervention. */
  onIntervention?: (tenantId: string, intervention: Intervention) => Promise<void> | void;
  /** An open item untouched this long counts as stale (default 14 days). */
  staleMs?: number;
}

const DAY = 24 * 3_600_000;
/** Open items read per tenant for the daily stale gauge. */
const STALE_SCAN_LIMIT = 20_000;
const CLOSED = new Set(['closed', 'merged', 'done', 'green']);

export class OrchestrationStage implements PipelineStage {
  readonly name = 'orchestration';
  readonly graph: DependencyGraph;
  readonly trains: ReleaseTrains;
  readonly portfolio: Portfolio;
  readonly scopes: PortfolioScopes;
  readonly interventions: Interventions;
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly staleDay = new Map<string, string>();

  constructor(private readonly options: OrchestrationOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.graph = new DependencyGraph(this.store, this.clock);
    this.trains = new ReleaseTrains(this.store);
    this.portfolio = new Portfolio(this.store);
    this.scopes = new PortfolioScopes(this.store);
    this.interventions = new Interventions({
      store: this.store,
      clock: this.clock,
      load: (tenantId, key) => this.load(tenantId, key),
      thresholds: (tenantId, repo) => this.thresholdsFor(tenantId, repo),
      onRaised: options.onIntervention,
    });
  }

  async run(context: PipelineContext): Promise<void> {
    const { event } = context;
    const now = this.clock.now();
    const notices: CoordinationNotice[] = [];
    const repo = event.repo?.fullName;
    const scopes = repo
      ? (await this.scopes.of(event.tenantId, repo)).scopes
      : event.org
        ? [`org:${event.org.toLowerCase()}`]
        : [];
    const volume: Increment = {
      alerts: context.alerts?.length ?? 0,
      loopsStopped: context.loop?.verdict === 'break' ? 1 : 0,
    };
    if (volume.alerts || volume.loopsStopped)
      await this.portfolio.add(event.tenantId, scopes, now, volume);
    if (event.issueLink) {
      await this.graph.link(event.tenantId, event.issueLink);
      await this.refreshBlocked(event.tenantId, event.issueLink.dependent, now);
    }
    for (const observation of await this.observations(event, now)) {
      notices.push(...(await this.follow(event, observation, scopes, now)));
    }
    context.coordination = notices;
    if (notices.length > 0) await this.options.postNotices?.(context, notices);
  }

  /**
   * The periodic part (on a PollingLoop or any timer): checks that fell due, and once a day the
   * stale gauge of each scope. Returns the interventions raised.
   */
  async tick(tenantId: string): Promise<Intervention[]> {
    const raised = await this.interventions.tick(tenantId);
    const now = this.clock.now();
    const today = new Date(now).toISOString().slice(0, 10);
    if (this.staleDay.get(tenantId) !== today) {
      this.staleDay.set(tenantId, today);
      await this.staleGauge(tenantId, now);
    }
    return raised;
  }

  /** The changes one event makes: to its own item, or (CI on a PR's branch) to that PR. */
  private async observations(event: BrokerEvent, now: number): Promise<Observation[]> {
    const located = itemKeyOf(event);
    if (located) {
      const previous = await this.load(event.tenantId, located.key);
      const ref = refOf(event);
      const mentions =
        ref &&
        event.body !== undefined &&
        (event.action === 'opened' || event.action === 'edited') &&
        (event.kind === 'issues' || event.kind === 'pull_request')
          ? parseDependencyMentions(event.body, ref.repo)
          : undefined;
      const observation = observe(
        previous,
        event,
        located.key,
        located.kind,
        now,
        mentions?.reverts.map(formatRef),
      );
      if (ref && mentions) await this.graph.declare(event.tenantId, ref, mentions);
      // Its own edges changed (a body, or GitHub's link naming it first seen here): count its blockers again.
      if (ref && (mentions || event.issueLink))
        observation.item.blockedBy = await this.openDependencies(event.tenantId, ref);
      return [{ ...observation, previous } as Observation & { previous?: WorkItem }];
    }
    const verdict = ciVerdict(event);
    if (!verdict || !event.repo || !event.branch) return [];
    const prs = await this.store.queryRecords<WorkItem>({
      kind: 'work_item',
      tenantId: event.tenantId,
      partition: this.partition(event.tenantId, event.repo.fullName),
      where: { branch: event.branch, state: 'open' },
      limit: 10,
    });
    return prs.map((record) => ({
      ...observeCi(record.data, verdict, now),
      previous: record.data,
    }));
  }

  /** Saves the item and lets every part react to its changes. */
  private async follow(
    event: BrokerEvent,
    observation: Observation & { previous?: WorkItem },
    scopes: string[],
    now: number,
  ): Promise<CoordinationNotice[]> {
    const { item, changes, previous } = observation;
    const { tenantId } = event;
    await this.save(tenantId, item, now);
    const ref = parseRef(item.key);
    const notices: CoordinationNotice[] = [];
    if (ref && (changes.includes('merged') || changes.includes('closed')))
      await this.graph.settle(tenantId, ref, false);
    if (ref && changes.includes('reopened')) await this.graph.settle(tenantId, ref, true);
    for (const change of this.dependencyChanges(item, changes)) {
      const target = parseRef(change.item);
      if (!target) continue;
      const found = coordinate(change, await this.graph.dependentsOf(tenantId, target));
      for (const notice of found) await this.touchDependent(tenantId, notice, now);
      notices.push(...found);
    }
    const increment = this.increment(item, changes, previous, now, observation.reviewer);
    if (increment) await this.portfolio.add(tenantId, scopes, now, increment);
    if (item.train || previous?.train)
      await this.trains.update(tenantId, item, item.blockedBy ?? 0, previous?.train);
    if (changes.length > 0 || item.train) await this.interventions.review(tenantId, item);
    return notices;
  }

  private dependencyChanges(item: WorkItem, changes: readonly string[]): DependencyChange[] {
    const url = item.url;
    const found: DependencyChange[] = [];
    const say = (change: DependencyChange['change']) =>
      found.push({ item: item.key, change, ...(url && { url }) });
    if (changes.includes('merged')) say('merged');
    if (changes.includes('closed')) say('closed');
    if (changes.includes('reopened')) say('reopened');
    if (changes.includes('ci_red') && item.kind === 'pull_request') say('ci_failed');
    // A merged revert warns the dependents of what it reverted.
    if (changes.includes('merged'))
      for (const reverted of item.reverts ?? [])
        found.push({ item: reverted, change: 'reverted', by: item.key, ...(url && { url }) });
    return found;
  }

  /** A dependent heard news: its count of open dependencies and "its dependency moved" change. */
  private async touchDependent(
    tenantId: string,
    notice: CoordinationNotice,
    now: number,
  ): Promise<void> {
    const key = formatRef(notice.dependent);
    const item = await this.load(tenantId, key);
    if (!item || item.state !== 'open') return;
    const next: WorkItem = {
      ...item,
      blockedBy: await this.openDependencies(tenantId, notice.dependent),
    };
    if (notice.change === 'merged' || notice.change === 'closed') next.dependencyMovedAt = now;
    // Keep the person's spelling of the repository for the thread (keys are lower case).
    notice.dependent = { repo: item.repo, number: notice.dependent.number };
    await this.save(tenantId, next, now);
    if (next.train) await this.trains.update(tenantId, next, next.blockedBy ?? 0);
    await this.interventions.review(tenantId, next);
  }

  private async refreshBlocked(tenantId: string, ref: WorkItemRef, now: number): Promise<void> {
    const item = await this.load(tenantId, formatRef(ref));
    if (!item) return;
    const next = { ...item, blockedBy: await this.openDependencies(tenantId, ref) };
    await this.save(tenantId, next, now);
    if (next.train) await this.trains.update(tenantId, next, next.blockedBy);
    await this.interventions.review(tenantId, next);
  }

  private async openDependencies(tenantId: string, ref: WorkItemRef): Promise<number> {
    const edges = await this.graph.dependenciesOf(tenantId, ref);
    return new Set(
      edges.filter((edge) => !edge.closed.includes(edge.dependency)).map((edge) => edge.dependency),
    ).size;
  }

  private increment(
    item: WorkItem,
    changes: readonly string[],
    previous: WorkItem | undefined,
    now: number,
    reviewer?: string,
  ): Increment | undefined {
    const increment: Increment = {};
    if (changes.includes('opened')) {
      if (item.kind === 'pull_request') increment.prsOpened = 1;
      if (item.kind === 'issue') increment.issuesOpened = 1;
    }
    if (changes.includes('first_review') && item.firstReviewAt !== undefined)
      increment.firstReviewMs = item.firstReviewAt - item.openedAt;
    if (reviewer) increment.reviewer = reviewer;
    if (changes.includes('merged') && item.kind === 'pull_request') {
      increment.prsMerged = 1;
      increment.toMergeMs = now - item.openedAt;
    }
    // Red time is counted on the day the branch turns green again.
    if (changes.includes('ci_green') && item.kind === 'branch' && previous?.since !== undefined)
      increment.redMs = now - previous.since;
    return Object.keys(increment).length > 0 ? increment : undefined;
  }

  private async staleGauge(tenantId: string, now: number): Promise<void> {
    const staleMs = this.options.staleMs ?? 14 * DAY;
    const open = await this.store.queryRecords<WorkItem>({
      kind: 'work_item',
      tenantId,
      where: { state: 'open' },
      limit: STALE_SCAN_LIMIT,
    });
    const perScope = new Map<string, { prs: number; issues: number }>();
    const named = await this.scopes.named(tenantId);
    for (const { data: item } of open) {
      if (item.kind !== 'pull_request' && item.kind !== 'issue') continue;
      const repo = item.repo.toLowerCase();
      for (const scope of [
        `org:${repo.split('/')[0]}`,
        ...named.filter((s) => s.repos.includes(repo)).map((s) => s.name),
      ]) {
        const gauge = perScope.get(scope) ?? { prs: 0, issues: 0 };
        if (now - item.lastActivityAt >= staleMs)
          gauge[item.kind === 'pull_request' ? 'prs' : 'issues'] += 1;
        perScope.set(scope, gauge);
      }
    }
    for (const [scope, stale] of perScope)
      await this.portfolio.add(tenantId, [scope], now, { stale });
  }

  private async thresholdsFor(tenantId: string, repo: string): Promise<InterventionThresholds> {
    return {
      ...DEFAULT_THRESHOLDS,
      ...this.options.thresholds,
      ...(await this.scopes.of(tenantId, repo)).thresholds,
    };
  }

  private partition(tenantId: string, repo: string): string {
    return `${tenantId}|${repo.toLowerCase()}`;
  }

  async load(tenantId: string, key: string): Promise<WorkItem | undefined> {
    return (
      await this.store.getRecord<WorkItem>(
        'work_item',
        this.partition(tenantId, key.split(/[#@!]/)[0]!),
        key,
      )
    )?.data;
  }

  /** Open items are kept; closed, merged, green and approved ones go 30 days after. */
  private async save(tenantId: string, item: WorkItem, now: number): Promise<void> {
    const expiresAt = CLOSED.has(item.state) ? now + EDGE_AFTER_CLOSE_MS : undefined;
    await this.store.putRecord({
      kind: 'work_item',
      tenantId,
      partition: this.partition(tenantId, item.repo),
      id: item.key,
      data: item,
      ...(expiresAt !== undefined && { expiresAt }),
    });
  }
}
