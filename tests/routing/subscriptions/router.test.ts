import assert from 'node:assert/strict';
import type { BrokerEvent } from '../../../src/core/broker-event.js';
import { normalise } from '../../../src/github/normalise.js';
import type { Classification, Priority } from '../../../src/core/classification.js';
import { classify } from '../../../src/routing/classification/classifier.js';
import { type CardFamily } from '../../../src/core/card-builders.js';
import {
  type RouteDelivery,
  cardFamilyOf,
  route,
  threadKeyOf,
} from '../../../src/routing/subscriptions/router.js';
import type {
  Feature,
  Subscription,
  SubscriptionFilters,
  SubscriptionScope,
} from '../../../src/routing/subscriptions/subscription.js';
import { exampleOf, loadWebhookExamples } from '../../support/webhook-examples.js';

const TENANT = 'tenant-1';

function eventOf(event: string, payload: unknown): BrokerEvent {
  return normalise({
    tenantId: TENANT,
    deliveryId: 'd-1',
    event,
    payload: payload as Record<string, unknown>,
    receivedAt: 0,
  });
}

function example(
  event: string,
  action: string | undefined,
  where?: (payload: Record<string, any>) => boolean,
): BrokerEvent {
  return eventOf(event, exampleOf(event, action, where).payload);
}

function copyOf(event: string, action: string | undefined): Record<string, any> {
  return structuredClone(exampleOf(event, action).payload) as Record<string, any>;
}

let sequence = 0;
function subscription(
  scope: SubscriptionScope,
  options: {
    features?: Feature[];
    filters?: SubscriptionFilters;
    conversationId?: string;
    tenantId?: string;
    id?: string;
  } = {},
): Subscription {
  sequence += 1;
  return {
    id: options.id ?? `sub-${sequence}`,
    tenantId: options.tenantId ?? TENANT,
    conversationId: options.conversationId ?? `conv-${sequence}`,
    scope,
    features: options.features ?? [
      'issues',
      'pulls',
      'reviews',
      'releases',
      'deployments',
      'workflows',
      'security',
    ],
    filters: options.filters ?? {},
    createdBy: 'someone',
    createdAt: '2030-01-01T00:00:00.000Z',
  };
}

function withPriority(event: BrokerEvent, priority: Priority): Classification {
  return { ...classify(event), priority };
}

function deliver(
  event: BrokerEvent,
  subscriptions: Subscription[],
  verdict: 'proceed' | 'dampen' | 'break' = 'proceed',
): RouteDelivery[] {
  return route(event, classify(event), subscriptions, verdict);
}

describe('route', () => {
  // Codertocat/Hello-World#2, labelled `bug`, head `changes` into `master`, by Codertocat.
  const prOpened = example('pull_request', 'opened', (p) => p.pull_request.labels.length > 0);

  describe('scope and feature', () => {
    it('a repository subscription gets the PR, threaded by repo#number, as a pull_request card', () => {
      const sub = subscription(
        { owner: 'Codertocat', repo: 'Hello-World' },
        { conversationId: 'team-a', id: 's-a' },
      );
      assert.deepEqual(deliver(prOpened, [sub]), [
        {
          conversationId: 'team-a',
          subscriptionId: 's-a',
          threadKey: 'Codertocat/Hello-World#2',
          cardFamily: 'pull_request',
        },
      ]);
    });

    it('scope matches ignoring case; an org subscription covers every repository of the owner', () => {
      assert.equal(
        deliver(prOpened, [subscription({ owner: 'codertocat', repo: 'HELLO-WORLD' })]).length,
        1,
      );
      assert.equal(deliver(prOpened, [subscription({ owner: 'CODERTOCAT' })]).length, 1);
    });

    it('another repository or owner gets nothing', () => {
      assert.deepEqual(
        deliver(prOpened, [
          subscription({ owner: 'Codertocat', repo: 'Other' }),
          subscription({ owner: 'octo-org' }),
        ]),
        [],
      );
    });

    it("a subscription without the event's feature gets nothing", () => {
      assert.deepEqual(
        deliver(prOpened, [
          subscription({ owner: 'Codertocat' }, { features: ['issues', 'comments'] }),
        ]),
        [],
      );
    });

    it('events with no feature (a star) reach nobody', () => {
      assert.deepEqual(
        deliver(example('star', 'created'), [
          subscription({ owner: 'Codertocat' }, { features: ['issues'] }),
        ]),
        [],
      );
    });

    it("another tenant's subscription never gets the event", () => {
      assert.deepEqual(
        deliver(prOpened, [subscription({ owner: 'Codertocat' }, { tenantId: 'tenant-2' })]),
        [],
      );
    });

    it("an advisory with no repository or owner is in no one's scope", () => {
      const advisory = example('security_advisory', 'published');
      assert.deepEqual(
        deliver(advisory, [subscription({ owner: 'Codertocat' }, { features: ['security'] })]),
        [],
      );
    });
  });

  describe('one delivery per conversation', () => {
    it('several matching subscriptions in one conversation give one delivery, the repository one', () => {
      const org = subscription({ owner: 'Codertocat' }, { conversationId: 'team-a', id: 'org' });
      const repo = subscription(
        { owner: 'Codertocat', repo: 'Hello-World' },
        { conversationId: 'team-a', id: 'repo' },
      );
      const other = subscription({ owner: 'Codertocat' }, { conversationId: 'team-b', id: 'b' });
      const deliveries = deliver(prOpened, [org, other, repo]);
      assert.deepEqual(
        deliveries.map((delivery) => [delivery.conversationId, delivery.subscriptionId]),
        [
          ['team-a', 'repo'],
          ['team-b', 'b'],
        ],
      );
    });

    it('among equally specific subscriptions the first one speaks', () => {
      const first = subscription({ owner: 'Codertocat' }, { conversationId: 'c', id: 'first' });
      const second = subscription({ owner: 'Codertocat' }, { conversationId: 'c', id: 'second' });
      assert.deepEqual(
        deliver(prOpened, [first, second]).map((delivery) => delivery.subscriptionId),
        ['first'],
      );
    });
  });

  describe('loop verdicts', () => {
    const subs = [subscription({ owner: 'Codertocat' })];
    it('break: no deliveries', () => assert.deepEqual(deliver(prOpened, subs, 'break'), []));
    it('dampen: deliveries still flow', () =>
      assert.equal(deliver(prOpened, subs, 'dampen').length, 1));
  });

  describe('filters', () => {
    const only = (filters: SubscriptionFilters): Subscription[] => [
      subscription(
        { owner: 'Codertocat' },
        { filters, features: ['pulls', 'issues', 'commits', 'workflows'] },
      ),
    ];

    it('labels: include needs one of them, exclude refuses any, ignoring case', () => {
      assert.equal(
        deliver(prOpened, only({ labels: { include: ['BUG', 'docs'], exclude: [] } })).length,
        1,
      );
      assert.equal(
        deliver(prOpened, only({ labels: { include: ['docs'], exclude: [] } })).length,
        0,
      );
      assert.equal(
        deliver(prOpened, only({ labels: { include: [], exclude: ['Bug'] } })).length,
        0,
      );
    });

    it('label filters say nothing about pushes', () => {
      const push = example('push', undefined, (p) => p.ref === 'refs/heads/master');
      assert.equal(deliver(push, only({ labels: { include: ['bug'], exclude: [] } })).length, 1);
    });

    it('branch: a PR is judged by the branch it merges into; a push by its own', () => {
      assert.equal(deliver(prOpened, only({ branches: ['master'] })).length, 1);
      assert.equal(
        deliver(prOpened, only({ branches: ['changes'] })).length,
        0,
        'the head branch does not count',
      );
      const push = example('push', undefined, (p) => p.ref === 'refs/heads/master');
      assert.equal(deliver(push, only({ branches: ['master'] })).length, 1);
      assert.equal(deliver(push, only({ branches: ['main'] })).length, 0);
    });

    it('branch filters let events about no branch through', () => {
      assert.equal(deliver(example('issues', 'opened'), only({ branches: ['main'] })).length, 1);
    });

    it('author: the opener, ignoring case; a PR by someone else is filtered out', () => {
      assert.equal(deliver(prOpened, only({ authors: ['codertocat'] })).length, 1);
      assert.equal(deliver(prOpened, only({ authors: ['octocat'] })).length, 0);
    });

    it("author: an update by someone else on octocat's PR still counts as octocat's", () => {
      const payload = copyOf('pull_request', 'labeled');
      payload.sender = { login: 'someone-else', type: 'User' };
      assert.equal(
        deliver(eventOf('pull_request', payload), only({ authors: ['Codertocat'] })).length,
        1,
      );
    });

    it('minimum priority: at least as important passes', () => {
      const subs = only({ minPriority: 'P1' });
      assert.equal(route(prOpened, withPriority(prOpened, 'P0'), subs, 'proceed').length, 1);
      assert.equal(route(prOpened, withPriority(prOpened, 'P1'), subs, 'proceed').length, 1);
      assert.equal(route(prOpened, withPriority(prOpened, 'P2'), subs, 'proceed').length, 0);
    });

    it('all filters must pass', () => {
      const filters: SubscriptionFilters = {
        labels: { include: ['bug'], exclude: [] },
        branches: ['master'],
        authors: ['Codertocat'],
        minPriority: 'P2',
      };
      assert.equal(deliver(prOpened, only(filters)).length, 1);
      assert.equal(deliver(prOpened, only({ ...filters, minPriority: 'P1' })).length, 0);
      assert.equal(deliver(prOpened, only({ ...filters, branches: ['develop'] })).length, 0);
    });
  });

  describe('thread keys', () => {
    it('issues, PRs and discussions thread by repo#number; comments and reviews join them', () => {
      assert.equal(threadKeyOf(prOpened), 'Codertocat/Hello-World#2');
      assert.equal(
        threadKeyOf(example('pull_request_review', 'submitted')),
        'Codertocat/Hello-World#2',
      );
      assert.equal(
        threadKeyOf(example('pull_request_review_comment', 'created')),
        'Codertocat/Hello-World#2',
      );
      assert.equal(threadKeyOf(example('issues', 'opened')), 'Codertocat/Hello-World#1');
      assert.equal(threadKeyOf(example('issue_comment', 'created')), 'Codertocat/Hello-World#1');
      assert.equal(
        threadKeyOf(example('discussion_comment', 'created')),
        threadKeyOf(example('discussion', 'created', (p) => p.discussion.number === 90)),
      );
    });

    it('a push and the checks of its commit share the sha', () => {
      const push = example('push', undefined, (p) => p.ref === 'refs/heads/master');
      assert.equal(
        threadKeyOf(push),
        'Codertocat/Hello-World@6113728f27ae82c7b1a177c8d03f9e96e0adf246',
      );
      const status = example(
        'status',
        undefined,
        (p) => p.sha === '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
      );
      assert.equal(threadKeyOf(status), threadKeyOf(push));
    });

    it('releases thread by tag, alerts by alert, a deleted tag by its ref', () => {
      assert.equal(threadKeyOf(example('release', 'published')), 'Codertocat/Hello-World@0.0.1');
      assert.equal(threadKeyOf(example('release', 'edited')), 'Codertocat/Hello-World@0.0.1');
      assert.equal(
        threadKeyOf(example('dependabot_alert', 'created')),
        'wolfy1339/pika-pack:dependabot_alert:20',
      );
      assert.equal(
        threadKeyOf(example('push', undefined, (p) => p.deleted === true)),
        'Codertocat/Hello-World@refs/tags/simple-tag',
      );
    });

    it('one-off events have none, and the delivery carries no threadKey key', () => {
      const dispatch = example('workflow_dispatch', undefined);
      assert.equal(threadKeyOf(dispatch), undefined);
      const [delivery] = deliver(dispatch, [
        subscription({ owner: dispatch.repo?.owner ?? '' }, { features: ['workflows'] }),
      ]);
      assert.ok(delivery);
      assert.ok(!('threadKey' in delivery));
    });
  });

  describe('card families', () => {
    /** Written independently of the code: the card each recorded event type is shown with. */
    const EXPECTED: Record<string, CardFamily> = {
      check_run: 'workflow',
      check_suite: 'workflow',
      code_scanning_alert: 'security',
      commit_comment: 'comment',
      dependabot_alert: 'security',
      deployment: 'deployment',
      deployment_review: 'deployment',
      deployment_status: 'deployment',
      discussion: 'discussion',
      discussion_comment: 'comment',
      issue_comment: 'comment',
      issues: 'issue',
      merge_group: 'workflow',
      package: 'release',
      page_build: 'workflow',
      public: 'security',
      pull_request: 'pull_request',
      pull_request_review: 'review',
      pull_request_review_comment: 'comment',
      pull_request_review_thread: 'review',
      push: 'push',
      release: 'release',
      repository_vulnerability_alert: 'security',
      security_advisory: 'security',
      status: 'workflow',
      workflow_dispatch: 'workflow',
      workflow_job: 'workflow',
      workflow_run: 'workflow',
    };

    it('every recorded event gets its family; the rest are generic', () => {
      for (const recorded of loadWebhookExamples()) {
        const event = eventOf(recorded.event, recorded.payload);
        const expected =
          event.kind === 'issues' && event.target?.kind === 'pull_request'
            ? 'pull_request'
            : recorded.event === 'repository' && recorded.action === 'publicized'
              ? 'security'
              : (EXPECTED[recorded.event] ?? 'generic');
        assert.equal(cardFamilyOf(event), expected, `${recorded.event}#${recorded.index}`);
      }
    });
  });
});
