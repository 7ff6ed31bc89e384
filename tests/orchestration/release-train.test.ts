/** Train status as a pure summary: one line per repository, at risk only with blockers near the due date. */
import assert from 'node:assert/strict';
import { summarise, trainEntry, type TrainRepo } from '../../src/orchestration/release-train.js';
import type { WorkItem } from '../../src/orchestration/work-item.js';

const DAY = 24 * 3_600_000;
const item = (fields: Partial<WorkItem>): WorkItem => ({
  key: 'acme/api#1',
  repo: 'acme/api',
  kind: 'pull_request',
  state: 'open',
  openedAt: 0,
  lastActivityAt: 0,
  ...fields,
});

describe('release train', function () {
  it('a PR is ready when approved, unblocked and green; closed items are neither blocked nor ready', function () {
    assert.deepEqual(trainEntry(item({ approved: true }), 0), {
      kind: 'pull_request',
      state: 'open',
      blocked: false,
      ciRed: false,
      ready: true,
    });
    assert.equal(trainEntry(item({ approved: true }), 1).ready, false);
    assert.equal(trainEntry(item({ approved: true, ci: 'red' }), 0).ready, false);
    assert.deepEqual(trainEntry(item({ state: 'merged', ci: 'red' }), 2), {
      kind: 'pull_request',
      state: 'merged',
      blocked: false,
      ciRed: false,
      ready: false,
    });
  });

  it('calls a repository at risk only when blockers or red checks remain within the window of the due date', function () {
    const now = 100 * DAY;
    const repo = (name: string, dueOn: number | undefined, blocked: boolean): TrainRepo => ({
      train: 'v2',
      repo: name,
      ...(dueOn !== undefined && { dueOn }),
      items: {
        [`${name}#1`]: { kind: 'issue', state: 'open', blocked, ciRed: false, ready: false },
        [`${name}#2`]: {
          kind: 'pull_request',
          state: 'merged',
          blocked: false,
          ciRed: false,
          ready: false,
        },
      },
    });
    const lines = summarise(
      [
        repo('acme/web', now + 2 * DAY, true),
        repo('acme/api', now + 2 * DAY, false),
        repo('acme/db', now + 10 * DAY, true),
        repo('acme/ui', undefined, true),
        repo('acme/ops', now - DAY, true),
      ],
      now,
    );
    assert.deepEqual(
      lines.map((l) => [l.repo, l.atRisk]),
      [
        ['acme/api', false],
        ['acme/db', false],
        ['acme/ops', true],
        ['acme/ui', false],
        ['acme/web', true],
      ],
    );
    assert.equal(
      lines[0]!.text,
      'acme/api: 0 open PRs, 1 open issues, 0 blocked, 0 failing checks, 0 ready to merge; due 1970-04-13',
    );
    assert.equal(
      lines[3]!.text,
      'acme/ui: 0 open PRs, 1 open issues, 1 blocked, 0 failing checks, 0 ready to merge; no due date',
    );
  });
});
