/**
 * The soak's webhooks that route to no card: recorded payloads of the other common kinds (CI,
 * pushes, labels, reviews, stars...), rewritten to bench repositories nobody subscribed to. They
 * still go through intake, dedupe, the inbox, chain tracking and the loop stage, which is where
 * a leak would sit. Each gets a fresh issue/PR number or commit, so no chain grows without end
 * and no loop verdict is provoked by the bench's own repetition.
 */
import { randomBytes } from 'node:crypto';
import { exampleOf } from '../../tests/support/webhook-examples.js';
import { BENCH_OWNER, signDelivery, type BenchDelivery } from '../e2e/events.js';

type Json = Record<string, any>;

const KINDS: ReadonlyArray<[event: string, action: string | undefined]> = [
  ['push', undefined],
  ['workflow_run', 'completed'],
  ['check_run', 'completed'],
  ['issues', 'labeled'],
  ['pull_request', 'synchronize'],
  ['pull_request_review', 'submitted'],
  ['star', 'created'],
  ['release', 'published'],
];

/** Unsubscribed repositories the quiet events rotate over. */
const QUIET_REPOS = 50;
const FIRST_NUMBER = 500_000;

export class QuietEventFactory {
  private readonly templates = KINDS.map(([event, action]) => ({
    event,
    payload: structuredClone(exampleOf(event, action).payload) as Json,
  }));

  constructor(private readonly secret: string) {}

  make(seq: number): Pick<BenchDelivery, 'deliveryId' | 'body' | 'headers'> & { event: string } {
    const { event, payload: t } = this.templates[seq % this.templates.length]!;
    const name = `quiet-${seq % QUIET_REPOS}`;
    const number = FIRST_NUMBER + seq;
    const repository = {
      ...t['repository'],
      name,
      full_name: `${BENCH_OWNER}/${name}`,
      owner: { ...t['repository'].owner, login: BENCH_OWNER },
    };
    const payload: Json = { ...t, repository };
    if (t['issue']) payload['issue'] = { ...t['issue'], number };
    if (t['pull_request']) payload['pull_request'] = { ...t['pull_request'], number };
    if (t['number'] !== undefined) payload['number'] = number;
    if (event === 'push') payload['after'] = randomBytes(20).toString('hex');
    if (t['workflow_run'])
      payload['workflow_run'] = {
        ...t['workflow_run'],
        id: number,
        head_sha: randomBytes(20).toString('hex'),
      };
    if (t['check_run'])
      payload['check_run'] = {
        ...t['check_run'],
        id: number,
        head_sha: randomBytes(20).toString('hex'),
      };
    return { event, ...signDelivery(this.secret, event, payload, repository.id) };
  }
}
