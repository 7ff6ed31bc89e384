/**
 * Release trains: a train is a milestone title (or a `train:<name>` label) shared across
 * repositories. One `train` record per (train, repository) keeps each item's state, updated
 * incrementally as its events pass, so `trainStatus` reads one partition and never GitHub.
 * `summarise` is the pure part: records → one line per repository, "at risk" when blockers or
 * red checks remain within `riskWindowMs` of the due date (or after it).
 */
import type { Store } from '../store/store.js';
import type { WorkItem } from './work-item.js';

export interface TrainEntry {
  kind: 'issue' | 'pull_request';
  state: string;
  blocked: boolean;
  ciRed: boolean;
  ready: boolean;
}

export interface TrainRepo {
  train: string;
  repo: string;
  dueOn?: number;
  items: Record<string, TrainEntry>;
}

export interface TrainLine {
  repo: string;
  openPrs: number;
  openIssues: number;
  blocked: number;
  failingChecks: number;
  readyToMerge: number;
  dueOn?: number;
  atRisk: boolean;
  text: string;
}

export const DEFAULT_RISK_WINDOW_MS = 3 * 24 * 3_600_000;
/** A train lives while its items do; a record untouched this long is gone. */
const TRAIN_TTL_MS = 90 * 24 * 3_600_000;

export function trainEntry(item: WorkItem, openDependencies: number): TrainEntry {
  const open = item.state === 'open';
  const blocked = open && openDependencies > 0;
  const ciRed = open && item.ci === 'red';
  return {
    kind: item.kind as TrainEntry['kind'],
    state: item.state,
    blocked,
    ciRed,
    ready: open && item.kind === 'pull_request' && item.approved === true && !blocked && !ciRed,
  };
}

export function summarise(
  repos: readonly TrainRepo[],
  now: number,
  riskWindowMs = DEFAULT_RISK_WINDOW_MS,
): TrainLine[] {
  return [...repos]
    .sort((a, b) => a.repo.localeCompare(b.repo))
    .map((record) => {
      const entries = Object.values(record.items).filter((entry) => entry.state === 'open');
      const count = (test: (entry: TrainEntry) => boolean) => entries.filter(test).length;
      const line = {
        repo: record.repo,
        openPrs: count((entry) => entry.kind === 'pull_request'),
        openIssues: count((entry) => entry.kind === 'issue'),
        blocked: count((entry) => entry.blocked),
        failingChecks: count((entry) => entry.ciRed),
        readyToMerge: count((entry) => entry.ready),
        ...(record.dueOn !== undefined && { dueOn: record.dueOn }),
      };
      const troubled = line.blocked + line.failingChecks > 0;
      const atRisk = record.dueOn !== undefined && troubled && record.dueOn - now <= riskWindowMs;
      const due =
        record.dueOn === undefined
          ? 'no due date'
          : `due ${new Date(record.dueOn).toISOString().slice(0, 10)}`;
      const text = `${record.repo}: ${line.openPrs} open PRs, ${line.openIssues} open issues, ${line.blocked} blocked, ${line.failingChecks} failing checks, ${line.readyToMerge} ready to merge; ${due}${atRisk ? ' — at risk' : ''}`;
      return { ...line, atRisk, text };
    });
}

export class ReleaseTrains {
  constructor(private readonly store: Store) {}

  /** Puts the item's current state into its train's record for its repository. */
  async update(
    tenantId: string,
    item: WorkItem,
    openDependencies: number,
    previousTrain?: string,
  ): Promise<void> {
    if (previousTrain && previousTrain !== item.train)
      await this.change(tenantId, previousTrain, item, undefined);
    if (item.train)
      await this.change(tenantId, item.train, item, trainEntry(item, openDependencies));
  }

  async status(
    tenantId: string,
    train: string,
    now: number,
    riskWindowMs?: number,
  ): Promise<TrainLine[]> {
    const records = await this.store.queryRecords<TrainRepo>({
      kind: 'train',
      tenantId,
      partition: partitionOf(tenantId, train),
      limit: 1_000,
    });
    return summarise(
      records.map((record) => record.data),
      now,
      riskWindowMs,
    );
  }

  private async change(
    tenantId: string,
    train: string,
    item: WorkItem,
    entry: TrainEntry | undefined,
  ): Promise<void> {
    const partition = partitionOf(tenantId, train);
    const current = await this.store.getRecord<TrainRepo>('train', partition, item.repo);
    const data: TrainRepo = current?.data ?? { train, repo: item.repo, items: {} };
    if (entry) data.items[item.key] = entry;
    else delete data.items[item.key];
    if (entry && item.dueOn !== undefined) data.dueOn = item.dueOn;
    // Last writer wins: per-repository order is kept by the inbox, and one record is one repository.
    await this.store.putRecord({
      kind: 'train',
      tenantId,
      partition,
      id: item.repo,
      data,
      expiresAt: (item.lastActivityAt || 0) + TRAIN_TTL_MS,
    });
  }
}

function partitionOf(tenantId: string, train: string): string {
  return `${tenantId}|${train.toLowerCase()}`;
}
