/**
 * Expected echoes. A write that cannot carry a marker (adding a label, closing, reviewing) is
 * announced here before it is sent; the webhook GitHub sends back because of it is matched and
 * linked into the chain of the act. Expectations live in the store (another replica may receive
 * the echo) and expire after a few minutes; a match consumes one.
 */
import type { Clock } from '../core/clock.js';
import type { BrokerEvent } from '../core/broker-event.js';
import type { Store } from '../store/store.js';
import type { Expectation } from '../core/chain-records.js';

/** (event kind, action) pairs that can be the echo of a markerless write. */
const ECHOABLE = new Set([
  'issues.labeled',
  'issues.unlabeled',
  'issues.closed',
  'issues.reopened',
  'pull_request.labeled',
  'pull_request.unlabeled',
  'pull_request.closed',
  'pull_request.reopened',
  'pull_request_review.submitted',
]);

export function echoPartition(repo: string, target: string): string {
  return `${repo}|${target}`;
}

export class EchoRegistry {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  async expect(tenantId: string, expectation: Expectation): Promise<void> {
    await this.store.putRecord({
      kind: 'echo',
      tenantId,
      partition: echoPartition(expectation.repo, expectation.target),
      id: `${expectation.event}.${expectation.action}|${expectation.detail ?? ''}|${expectation.actNodeId}`,
      data: expectation,
      expiresAt: this.clock.now() + this.ttlMs,
    });
  }

  /** The oldest live expectation this event fulfils, consumed; undefined when none. */
  async match(event: BrokerEvent): Promise<Expectation | undefined> {
    if (!event.repo || !event.target || !ECHOABLE.has(`${event.kind}.${event.action}`))
      return undefined;
    // Label/close/reopen writes are announced as issues.*; on a pull request GitHub sends pull_request.*.
    const kind =
      event.kind === 'pull_request' &&
      event.action !== undefined &&
      ['labeled', 'unlabeled', 'closed', 'reopened'].includes(event.action)
        ? 'issues'
        : event.kind;
    const candidates = await this.store.queryRecords<Expectation>({
      kind: 'echo',
      tenantId: event.tenantId,
      partition: echoPartition(event.repo.fullName, event.target.key),
      where: { event: kind, action: event.action! },
      limit: 20,
    });
    const detail =
      event.changedLabel ?? (event.kind === 'pull_request_review' ? event.state : undefined);
    const found = candidates
      .reverse()
      .find((c) => c.data.detail === undefined || c.data.detail === detail);
    if (!found) return undefined;
    // Consumed even if two replicas race: one of them links it, the other sees a plain event.
    await this.store.deleteRecord('echo', found.partition, found.id);
    return found.data;
  }
}
