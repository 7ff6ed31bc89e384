/**
 * The cross-repository dependency graph, stored as one `dependency_edge` record per edge
 * ("dependent waits for dependency"), partitioned by the dependency's repository: the hot query is
 * "who waits for this item?", asked on every merge, close, reopen and red CI. Edges come from
 * bodies (dependency phrases, closing keywords; an edited body replaces the edges it declared) and
 * from GitHub's own issue links. An edge lives while both ends are open, then 30 days.
 */
import type { Clock } from '../core/clock.js';
import type { IssueLink, WorkItemRef } from '../core/broker-event.js';
import type { Store, StoredRecord } from '../store/store.js';
import type { DependencyMentions } from './dependency-mentions.js';
import { walkGraph, type WalkResult } from './graph-walk.js';
import { formatRef, parseRef } from './work-item-ref.js';

/** How an edge came to be: a phrase in a body, a closing keyword, or GitHub's own links. */
export type EdgeRelation = 'depends_on' | 'closes' | 'sub_issue' | 'blocked_by';

export interface DependencyEdge {
  dependent: string;
  dependency: string;
  relation: EdgeRelation;
  /** The item whose body declared it (replaced when that body is edited); absent for GitHub's links. */
  declaredBy?: string;
  /** Ends known to be closed or merged; the edge expires once any is. */
  closed: string[];
}

export const EDGE_AFTER_CLOSE_MS = 30 * 24 * 3_600_000;
/** Edges read for one item; beyond it the answer is cut (and the walk says truncated). */
const EDGE_LIMIT = 1_000;

export class DependencyGraph {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** The edges `declaredBy` wrote last time are replaced by the ones its body says now. */
  async declare(
    tenantId: string,
    declaredBy: WorkItemRef,
    mentions: DependencyMentions,
  ): Promise<void> {
    const by = formatRef(declaredBy);
    const wanted: DependencyEdge[] = [
      ...mentions.dependsOn.map((ref) => ({
        dependent: by,
        dependency: formatRef(ref),
        relation: 'depends_on' as const,
        declaredBy: by,
        closed: [],
      })),
      // A PR that closes an issue: the issue waits for the PR.
      ...mentions.closes.map((ref) => ({
        dependent: formatRef(ref),
        dependency: by,
        relation: 'closes' as const,
        declaredBy: by,
        closed: [],
      })),
    ].filter((edge) => edge.dependent !== edge.dependency);
    const existing = await this.store.queryRecords<DependencyEdge>({
      kind: 'dependency_edge',
      tenantId,
      where: { declaredBy: by },
      limit: EDGE_LIMIT,
    });
    const idOf = (edge: DependencyEdge) => `${edge.dependent}>${edge.dependency}|${edge.relation}`;
    const keep = new Set(wanted.map(idOf));
    await Promise.all(
      existing
        .filter((record) => !keep.has(record.id))
        .map((record) => this.store.deleteRecord('dependency_edge', record.partition, record.id)),
    );
    const have = new Set(existing.map((record) => record.id));
    for (const edge of wanted) if (!have.has(idOf(edge))) await this.put(tenantId, edge);
  }

  /** GitHub's sub-issue and issue-dependency links, added or removed. */
  async link(tenantId: string, link: IssueLink): Promise<void> {
    const edge: DependencyEdge = {
      dependent: formatRef(link.dependent),
      dependency: formatRef(link.dependency),
      relation: link.relation,
      closed: [],
    };
    if (link.added) await this.put(tenantId, edge);
    else
      await this.store.deleteRecord(
        'dependency_edge',
        partitionOf(tenantId, edge.dependency),
        `${edge.dependent}>${edge.dependency}|${edge.relation}`,
      );
  }

  /** Who waits for `item`. */
  async dependentsOf(tenantId: string, item: WorkItemRef): Promise<DependencyEdge[]> {
    const key = formatRef(item);
    const records = await this.store.queryRecords<DependencyEdge>({
      kind: 'dependency_edge',
      tenantId,
      partition: partitionOf(tenantId, key),
      where: { dependency: key },
      limit: EDGE_LIMIT,
    });
    return records.map((record) => record.data);
  }

  /** What `item` waits for (a fan-out across repositories; asked by people, not per event). */
  async dependenciesOf(tenantId: string, item: WorkItemRef): Promise<DependencyEdge[]> {
    const records = await this.store.queryRecords<DependencyEdge>({
      kind: 'dependency_edge',
      tenantId,
      where: { dependent: formatRef(item) },
      limit: EDGE_LIMIT,
    });
    return records.map((record) => record.data);
  }

  /** Everything `item` waits for, transitively, with the cycles on the way; bounded. */
  async blockers(tenantId: string, item: WorkItemRef, maxNodes?: number): Promise<WalkResult> {
    return walkGraph(
      formatRef(item),
      async (node) => {
        const ref = parseRef(node);
        if (!ref) return [];
        return (await this.dependenciesOf(tenantId, ref))
          .filter((edge) => !edge.closed.includes(edge.dependency))
          .map((edge) => edge.dependency);
      },
      maxNodes,
    );
  }

  /**
   * An end closed (or merged) or reopened: the edges where it waits or is waited for start (or
   * stop) their 30 days. Only edges already known are touched, so this is two reads per change.
   */
  async settle(tenantId: string, item: WorkItemRef, open: boolean): Promise<void> {
    const key = formatRef(item);
    const [incoming, outgoing] = await Promise.all([
      this.store.queryRecords<DependencyEdge>({
        kind: 'dependency_edge',
        tenantId,
        partition: partitionOf(tenantId, key),
        where: { dependency: key },
        limit: EDGE_LIMIT,
      }),
      this.store.queryRecords<DependencyEdge>({
        kind: 'dependency_edge',
        tenantId,
        where: { dependent: key },
        limit: EDGE_LIMIT,
      }),
    ]);
    for (const record of [...incoming, ...outgoing]) {
      const closed = record.data.closed.filter((end) => end !== key);
      if (!open) closed.push(key);
      await this.write(record, { ...record.data, closed });
    }
  }

  private async put(tenantId: string, edge: DependencyEdge): Promise<void> {
    await this.store.putRecord({
      kind: 'dependency_edge',
      tenantId,
      partition: partitionOf(tenantId, edge.dependency),
      id: `${edge.dependent}>${edge.dependency}|${edge.relation}`,
      data: edge,
    });
  }

  private async write(record: StoredRecord<DependencyEdge>, data: DependencyEdge): Promise<void> {
    const expiresAt = data.closed.length > 0 ? this.clock.now() + EDGE_AFTER_CLOSE_MS : undefined;
    await this.store.putRecord({
      kind: 'dependency_edge',
      tenantId: record.tenantId,
      partition: record.partition,
      id: record.id,
      data,
      ...(expiresAt !== undefined && { expiresAt }),
    });
  }
}

/** Tenant + the dependency's repository (the design's "tenant + repo"). */
function partitionOf(tenantId: string, dependencyKey: string): string {
  return `${tenantId}|${dependencyKey.slice(0, dependencyKey.lastIndexOf('#'))}`;
}
