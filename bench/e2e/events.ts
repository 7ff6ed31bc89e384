/**
 * The load of the end-to-end bench: recorded GitHub payloads (@octokit/webhooks-examples), each
 * rewritten to a bench repository, a fresh issue/PR number and a unique marker in its title, then
 * signed as GitHub signs them. One subscribed conversation per repository, so every event yields
 * exactly one card, and the marker in that card says which delivery it was.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { exampleOf } from '../../tests/support/webhook-examples.js';

/** The owner of every bench repository; repositories are `repo-<n>`, one per conversation. */
export const BENCH_OWNER = 'reynolds-bench';
/** Hook id on every delivery (part of the dedupe key). */
export const BENCH_HOOK_ID = '4242';
/** Issue and PR numbers start here so they never collide with the recorded payloads' own. */
const FIRST_NUMBER = 100_000;

export type EventKind = 'issues.opened' | 'pull_request.opened' | 'issue_comment.created';
/** Rotated in this order: the three most common alert-worthy events on a busy repository. */
export const EVENT_MIX: readonly EventKind[] = [
  'issues.opened',
  'pull_request.opened',
  'issue_comment.created',
];

export interface BenchDelivery {
  seq: number;
  marker: string;
  kind: EventKind;
  deliveryId: string;
  conversation: number;
  body: Buffer;
  headers: Record<string, string>;
}

export function repoName(conversation: number): string {
  return `repo-${conversation}`;
}

/** `e2e-<tag>-<seq>`: short, and unlike anything in the recorded payloads or in a card's chrome. */
export function markerOf(tag: string, seq: number): string {
  return `e2e-${tag}-${String(seq).padStart(7, '0')}`;
}

export function markerPattern(tag: string): RegExp {
  return new RegExp(`e2e-${tag}-\\d{7}`, 'g');
}

type Json = Record<string, any>;

export class DeliveryFactory {
  // Copied once: the examples are deep-frozen and shared, and a copy per event would be wasted work.
  private readonly templates: Record<EventKind, Json> = {
    'issues.opened': structuredClone(exampleOf('issues', 'opened').payload) as Json,
    'pull_request.opened': structuredClone(exampleOf('pull_request', 'opened').payload) as Json,
    'issue_comment.created': structuredClone(
      exampleOf(
        'issue_comment',
        'created',
        (p) => !(p['issue'] as Json | undefined)?.['pull_request'],
      ).payload,
    ) as Json,
  };

  constructor(
    private readonly secret: string,
    private readonly tag: string,
    private readonly conversations: number,
  ) {}

  /** Delivery `seq` goes to conversation `seq mod conversations`, so each gets one every N/rate s. */
  make(seq: number): BenchDelivery {
    const kind = EVENT_MIX[seq % EVENT_MIX.length]!;
    const conversation = seq % this.conversations;
    const marker = markerOf(this.tag, seq);
    const number = FIRST_NUMBER + seq;
    const name = repoName(conversation);
    const t = this.templates[kind];
    const repository = {
      ...t['repository'],
      name,
      full_name: `${BENCH_OWNER}/${name}`,
      owner: { ...t['repository'].owner, login: BENCH_OWNER },
    };
    const sender = { ...t['sender'], login: 'octocat', type: 'User' };
    const common: Json = {
      ...t,
      repository,
      sender,
      ...(t['organization'] && { organization: { ...t['organization'], login: BENCH_OWNER } }),
    };
    let payload: Json;
    let event: string;
    if (kind === 'issues.opened') {
      event = 'issues';
      payload = {
        ...common,
        issue: {
          ...t['issue'],
          number,
          title: `${marker} Crash on start`,
          labels: [],
          user: sender,
        },
      };
    } else if (kind === 'pull_request.opened') {
      event = 'pull_request';
      payload = {
        ...common,
        number,
        pull_request: {
          ...t['pull_request'],
          number,
          title: `${marker} Fix the crash on start`,
          labels: [],
          user: sender,
        },
      };
    } else {
      event = 'issue_comment';
      payload = {
        ...common,
        issue: {
          ...t['issue'],
          number,
          title: `${marker} Crash on start`,
          labels: [],
          user: sender,
          pull_request: undefined,
        },
        comment: { ...t['comment'], body: `${marker} Can reproduce on main.`, user: sender },
      };
    }
    return {
      seq,
      marker,
      kind,
      conversation,
      ...signDelivery(this.secret, event, payload, repository.id),
    };
  }
}

/** A payload as GitHub delivers it: a fresh delivery id, the bench's hook, signed with `secret`. */
export function signDelivery(
  secret: string,
  event: string,
  payload: unknown,
  repositoryId?: number,
): Pick<BenchDelivery, 'deliveryId' | 'body' | 'headers'> {
  const text = JSON.stringify(payload);
  const deliveryId = randomUUID();
  return {
    deliveryId,
    body: Buffer.from(text, 'utf8'),
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/bench-e2e',
      'x-github-event': event,
      'x-github-delivery': deliveryId,
      'x-github-hook-id': BENCH_HOOK_ID,
      'x-github-hook-installation-target-type': 'repository',
      'x-github-hook-installation-target-id': String(repositoryId ?? 1),
      // Signed per delivery: the marker makes every body different.
      'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(text).digest('hex')}`,
    },
  };
}
