/** The rules, pure: when each looks, whether it holds, and what it says. */
import assert from 'node:assert/strict';
import {
  checkAt,
  DEFAULT_THRESHOLDS,
  episodeOf,
  holds,
  message,
} from '../../src/orchestration/intervention-rules.js';
import type { WorkItem } from '../../src/orchestration/work-item.js';

const HOUR = 3_600_000;
const t = { ...DEFAULT_THRESHOLDS, reviewSlaMs: 24 * HOUR, redBranchMs: 2 * HOUR, lead: 0.5 };
const pr = (fields: Partial<WorkItem> = {}): WorkItem => ({
  key: 'acme/api#1',
  repo: 'acme/api',
  kind: 'pull_request',
  state: 'open',
  openedAt: 0,
  lastActivityAt: 0,
  lastPushAt: 0,
  sawOpened: true,
  ...fields,
});

describe('intervention rules', function () {
  it('review wait: at the lead fraction of the SLA, only while unreviewed, open and seen opening', function () {
    assert.equal(checkAt('review_wait', pr(), t), 12 * HOUR);
    assert.equal(holds('review_wait', pr(), 12 * HOUR - 1, t), false);
    assert.equal(holds('review_wait', pr(), 12 * HOUR, t), true);
    assert.equal(checkAt('review_wait', pr({ firstReviewAt: HOUR }), t), undefined);
    assert.equal(checkAt('review_wait', pr({ state: 'merged' }), t), undefined);
    assert.equal(checkAt('review_wait', pr({ sawOpened: undefined }), t), undefined, 'age unknown');
    assert.equal(
      holds('review_wait', pr({ draft: true }), 20 * HOUR, t),
      false,
      'drafts do not wait for review',
    );
    assert.equal(
      message('review_wait', pr({ title: 'Add x' }), 12 * HOUR, t),
      'acme/api#1 (Add x) has waited 12h for a first review; the SLA is 24h',
    );
  });

  it('branch red: from when it went red, once per red spell', function () {
    const branch: WorkItem = {
      key: 'acme/api@main',
      repo: 'acme/api',
      kind: 'branch',
      state: 'red',
      since: 5 * HOUR,
      openedAt: 0,
      lastActivityAt: 0,
    };
    assert.equal(checkAt('branch_red', branch, t), 6 * HOUR);
    assert.equal(checkAt('branch_red', { ...branch, state: 'green' }, t), undefined);
    assert.notEqual(
      episodeOf('branch_red', branch),
      episodeOf('branch_red', { ...branch, since: 9 * HOUR }),
    );
    assert.equal(episodeOf('review_wait', pr()), 'acme/api#1');
  });

  it('dependency moved: only when the PR was not pushed since its dependency merged', function () {
    assert.equal(
      checkAt('dependency_moved', pr({ dependencyMovedAt: 10 * HOUR }), t),
      10 * HOUR + 0.5 * t.dependencyUpdateMs,
    );
    assert.equal(
      checkAt('dependency_moved', pr({ dependencyMovedAt: 10 * HOUR, lastPushAt: 11 * HOUR }), t),
      undefined,
    );
  });

  it('train blocked: a window before the due date, only while blocked or red', function () {
    const due = 10 * 24 * HOUR;
    assert.equal(
      checkAt('train_blocked', pr({ dueOn: due, blockedBy: 1 }), t),
      due - t.trainWindowMs,
    );
    assert.equal(checkAt('train_blocked', pr({ dueOn: due, ci: 'red' }), t), due - t.trainWindowMs);
    assert.equal(checkAt('train_blocked', pr({ dueOn: due }), t), undefined);
    assert.equal(
      checkAt('train_blocked', pr({ blockedBy: 1 }), t),
      undefined,
      'no due date, no deadline',
    );
  });

  it('deployment wait: from the request', function () {
    const deployment: WorkItem = {
      key: 'acme/api!deploy:run-1',
      repo: 'acme/api',
      kind: 'deployment',
      state: 'waiting',
      since: HOUR,
      openedAt: HOUR,
      lastActivityAt: HOUR,
    };
    assert.equal(checkAt('deployment_wait', deployment, t), HOUR + 0.5 * t.deploymentWaitMs);
    assert.equal(checkAt('deployment_wait', { ...deployment, state: 'done' }, t), undefined);
  });
});
