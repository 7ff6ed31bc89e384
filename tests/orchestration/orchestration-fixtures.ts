/** BrokerEvents about PRs, issues and CI, and a store on a ManualClock, for the orchestration tests. */
import { ManualClock } from '../../src/core/clock.js';
import type { BrokerEvent } from '../../src/core/broker-event.js';
import type { PipelineContext } from '../../src/core/pipeline.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

export const TENANT = 'tenant-o';
export const HOUR = 3_600_000;

export async function manualStore(
  start = Date.UTC(2026, 5, 1, 6, 0),
): Promise<{ store: SqliteStore; clock: ManualClock }> {
  const clock = new ManualClock(start);
  const store = new SqliteStore({ file: ':memory:', clock, deliveryTtlMs: HOUR });
  await store.init();
  return { store, clock };
}

let n = 0;
export function anEvent(
  repo: string,
  fields: Partial<BrokerEvent> & Pick<BrokerEvent, 'kind'>,
): BrokerEvent {
  n += 1;
  const [owner, name] = repo.split('/') as [string, string];
  const at = new Date(Date.UTC(2026, 5, 1)).toISOString();
  return {
    tenantId: TENANT,
    deliveryId: `d-${n}`,
    known: true,
    labels: [],
    occurredAt: at,
    receivedAt: at,
    actor: { login: 'alice', isBot: false },
    repo: { owner, name, fullName: repo, defaultBranch: 'main' },
    ...fields,
  };
}

/** A pull_request event on PR `number` of `repo`. */
export function pr(
  repo: string,
  number: number,
  action: string,
  fields: Partial<BrokerEvent> = {},
): BrokerEvent {
  return anEvent(repo, {
    kind: 'pull_request',
    action,
    target: { kind: 'pull_request', key: `#${number}`, number },
    state: 'open',
    author: 'alice',
    branch: `feature-${number}`,
    url: `https://github.com/${repo}/pull/${number}`,
    ...fields,
  });
}

export function issue(
  repo: string,
  number: number,
  action: string,
  fields: Partial<BrokerEvent> = {},
): BrokerEvent {
  return anEvent(repo, {
    kind: 'issues',
    action,
    target: { kind: 'issue', key: `#${number}`, number },
    state: 'open',
    author: 'alice',
    ...fields,
  });
}

export function review(
  repo: string,
  number: number,
  reviewer: string,
  state = 'approved',
): BrokerEvent {
  return anEvent(repo, {
    kind: 'pull_request_review',
    action: 'submitted',
    target: { kind: 'pull_request', key: `#${number}`, number },
    state,
    author: 'alice',
    actor: { login: reviewer, isBot: false },
  });
}

export function ci(repo: string, branch: string, conclusion: string): BrokerEvent {
  return anEvent(repo, {
    kind: 'check_suite',
    action: 'completed',
    target: { kind: 'check', key: `suite-${n}` },
    branch,
    state: conclusion,
  });
}

export function contextOf(event: BrokerEvent): PipelineContext {
  return { event, item: { key: event.deliveryId } as PipelineContext['item'] };
}
