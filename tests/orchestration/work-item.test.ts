/** The pure step from (previous state, event) to (next state, changes). */
import assert from 'node:assert/strict';
import {
  ciVerdict,
  itemKeyOf,
  observe,
  observeCi,
  trainOf,
} from '../../src/orchestration/work-item.js';
import { anEvent, ci, issue, pr, review } from './orchestration-fixtures.js';

describe('work item', function () {
  it('follows a PR through opened, first review (not by its author), push, merge', function () {
    const opened = observe(
      undefined,
      pr('acme/api', 1, 'opened'),
      'acme/api#1',
      'pull_request',
      100,
    );
    assert.deepEqual(opened.changes, ['opened']);
    assert.equal(opened.item.sawOpened, true);
    assert.equal(opened.item.branch, 'feature-1');
    assert.deepEqual(
      observe(opened.item, review('acme/api', 1, 'alice'), 'acme/api#1', 'pull_request', 150)
        .changes,
      [],
      'the author reviewing their own PR is not a review',
    );
    const reviewed = observe(
      opened.item,
      review('acme/api', 1, 'bob'),
      'acme/api#1',
      'pull_request',
      200,
    );
    assert.deepEqual(
      [reviewed.changes, reviewed.reviewer, reviewed.item.firstReviewAt, reviewed.item.approved],
      [['first_review'], 'bob', 200, true],
    );
    assert.deepEqual(
      observe(reviewed.item, review('acme/api', 1, 'carol'), 'acme/api#1', 'pull_request', 250)
        .changes,
      [],
      'only the first review is first',
    );
    const pushed = observe(
      reviewed.item,
      pr('acme/api', 1, 'synchronize'),
      'acme/api#1',
      'pull_request',
      300,
    );
    assert.deepEqual(
      [pushed.changes, pushed.item.lastPushAt, pushed.item.approved],
      [['pushed'], 300, false],
    );
    const merged = observe(
      pushed.item,
      pr('acme/api', 1, 'closed', { state: 'merged' }),
      'acme/api#1',
      'pull_request',
      400,
    );
    assert.deepEqual(
      [merged.changes, merged.item.state, merged.item.mergedAt],
      [['merged'], 'merged', 400],
    );
    assert.deepEqual(
      observe(
        merged.item,
        pr('acme/api', 1, 'closed', { state: 'merged' }),
        'acme/api#1',
        'pull_request',
        401,
      ).changes,
      [],
      'a redelivery is no change',
    );
    const reopened = observe(
      merged.item,
      pr('acme/api', 1, 'reopened'),
      'acme/api#1',
      'pull_request',
      500,
    );
    assert.deepEqual(
      [reopened.changes, reopened.item.state, reopened.item.mergedAt],
      [['reopened'], 'open', undefined],
    );
  });

  it('does not claim to know when an item first seen mid-life opened, but reports its close', function () {
    assert.equal(
      observe(undefined, pr('acme/api', 1, 'labeled'), 'acme/api#1', 'pull_request', 100).item
        .sawOpened,
      undefined,
    );
    // Its close is still news: whoever waits for it is unblocked, even if Reynolds never saw it open.
    assert.deepEqual(
      observe(
        undefined,
        issue('acme/api', 2, 'closed', { state: 'closed' }),
        'acme/api#2',
        'issue',
        100,
      ).changes,
      ['closed'],
    );
  });

  it('keys PRs and issues by owner/repo#N in lower case, default branches and deployments by their own keys', function () {
    assert.deepEqual(itemKeyOf(pr('Acme/API', 3, 'opened')), {
      key: 'acme/api#3',
      kind: 'pull_request',
    });
    assert.deepEqual(itemKeyOf(ci('acme/api', 'main', 'failure')), {
      key: 'acme/api@main',
      kind: 'branch',
    });
    assert.equal(
      itemKeyOf(ci('acme/api', 'feature', 'failure')),
      undefined,
      'a PR branch is found through its PR',
    );
    assert.deepEqual(
      itemKeyOf(
        anEvent('acme/api', {
          kind: 'deployment_review',
          action: 'requested',
          target: { kind: 'workflow', key: 'run-9' },
        }),
      ),
      { key: 'acme/api!deploy:run-9', kind: 'deployment' },
    );
    assert.equal(itemKeyOf(anEvent('acme/api', { kind: 'star', action: 'created' })), undefined);
  });

  it('reads CI verdicts from completed runs and statuses only', function () {
    assert.equal(ciVerdict(ci('acme/api', 'main', 'failure')), 'red');
    assert.equal(ciVerdict(ci('acme/api', 'main', 'timed_out')), 'red');
    assert.equal(ciVerdict(ci('acme/api', 'main', 'success')), 'green');
    assert.equal(ciVerdict(ci('acme/api', 'main', 'neutral')), undefined);
    assert.equal(
      ciVerdict({ ...ci('acme/api', 'main', 'failure'), action: 'requested' }),
      undefined,
    );
    assert.equal(ciVerdict(anEvent('acme/api', { kind: 'status', state: 'error' })), 'red');
    const item = observe(
      undefined,
      pr('acme/api', 1, 'opened'),
      'acme/api#1',
      'pull_request',
      0,
    ).item;
    assert.deepEqual(observeCi(item, 'red', 5).changes, ['ci_red']);
    assert.deepEqual(observeCi({ ...item, ci: 'red' }, 'red', 5).changes, []);
  });

  it('finds the train in the milestone, else a train: label; a demilestone takes it off', function () {
    assert.deepEqual(
      trainOf(
        pr('acme/api', 1, 'opened', { milestone: { title: 'v2', dueOn: '2026-07-01T00:00:00Z' } }),
      ),
      { name: 'v2', dueOn: Date.parse('2026-07-01T00:00:00Z') },
    );
    assert.deepEqual(trainOf(pr('acme/api', 1, 'opened', { labels: ['bug', 'Train: summer'] })), {
      name: 'summer',
    });
    assert.equal(trainOf(pr('acme/api', 1, 'opened', { labels: ['train:'] })), undefined);
    const on = observe(
      undefined,
      pr('acme/api', 1, 'opened', { milestone: { title: 'v2' } }),
      'acme/api#1',
      'pull_request',
      0,
    ).item;
    assert.equal(on.train, 'v2');
    assert.equal(
      observe(on, pr('acme/api', 1, 'demilestoned'), 'acme/api#1', 'pull_request', 1).item.train,
      undefined,
    );
  });
});
