/** Small BrokerEvents and a store on a ManualClock for the noise-control unit tests. */
import { ManualClock } from '../../../src/core/clock.js';
import type { BrokerEvent } from '../../../src/core/broker-event.js';
import type { Classification, Priority } from '../../../src/core/classification.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';

export const TENANT = 'tenant-n';

export async function manualStore(
  start = Date.UTC(2026, 5, 1, 6, 0),
): Promise<{ store: SqliteStore; clock: ManualClock }> {
  const clock = new ManualClock(start);
  const store = new SqliteStore({ file: ':memory:', clock, deliveryTtlMs: 3600_000 });
  await store.init();
  return { store, clock };
}

let n = 0;
export function anEvent(fields: Partial<BrokerEvent> & Pick<BrokerEvent, 'kind'>): BrokerEvent {
  n += 1;
  const at = new Date(Date.UTC(2026, 5, 1)).toISOString();
  return {
    tenantId: TENANT,
    deliveryId: `d-${n}`,
    known: true,
    labels: [],
    occurredAt: at,
    receivedAt: at,
    actor: { login: 'alice', isBot: false },
    repo: { owner: 'acme', name: 'app', fullName: 'acme/app', defaultBranch: 'main' },
    ...fields,
  };
}

export function push(actor: string, i: number, branch = 'main'): BrokerEvent {
  return anEvent({
    kind: 'push',
    branch,
    sha: `${String(i).padStart(7, '0')}abcdef`,
    title: `commit ${i}`,
    actor: { login: actor, isBot: false },
    target: { kind: 'commit', key: `sha${i}` },
  });
}

export function classified(priority: Priority): Classification {
  return {
    priority,
    urgency: 'whenever',
    category: 'activity',
    stakeholders: [],
    reasons: ['test'],
    rule: 'test',
  };
}
