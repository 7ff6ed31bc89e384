/**
 * The orchestration stage end to end on the embedded store and a ManualClock: the graph from
 * bodies (an edit replaces it) and from GitHub's issue links, notices on merge, reopen, revert and
 * red CI, trains, portfolio counters, and interventions raised once, before impact.
 */
import assert from 'node:assert/strict';
import type { ManualClock } from '../../src/core/clock.js';
import type { CoordinationNotice } from '../../src/core/coordination.js';
import type { PipelineContext } from '../../src/core/pipeline.js';
import type { Intervention } from '../../src/orchestration/interventions.js';
import { OrchestrationStage } from '../../src/orchestration/orchestration-stage.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import {
  anEvent,
  ci,
  contextOf,
  HOUR,
  issue,
  manualStore,
  pr,
  review,
  TENANT,
} from './orchestration-fixtures.js';

describe('orchestration stage', function () {
  let store: SqliteStore;
  let clock: ManualClock;
  let stage: OrchestrationStage;
  let posted: CoordinationNotice[];
  let raised: Intervention[];

  beforeEach(async function () {
    ({ store, clock } = await manualStore());
    posted = [];
    raised = [];
    stage = new OrchestrationStage({
      store,
      clock,
      thresholds: { reviewSlaMs: 24 * HOUR, lead: 0.5 },
      postNotices: async (_context, notices) => void posted.push(...notices),
      onIntervention: (_tenant, intervention) => void raised.push(intervention),
    });
  });

  afterEach(async function () {
    await store.close();
  });

  async function run(event: PipelineContext['event']): Promise<PipelineContext> {
    const context = contextOf(event);
    await stage.run(context);
    return context;
  }

  it('builds edges from a body across repositories, and an edited body replaces them', async function () {
    await run(pr('acme/web', 5, 'opened', { body: 'Depends on acme/api#12 and #3' }));
    let edges = await stage.graph.dependenciesOf(TENANT, { repo: 'acme/web', number: 5 });
    assert.deepEqual(edges.map((edge) => edge.dependency).sort(), ['acme/api#12', 'acme/web#3']);
    await run(pr('acme/web', 5, 'edited', { body: 'Depends on acme/db#1' }));
    edges = await stage.graph.dependenciesOf(TENANT, { repo: 'acme/web', number: 5 });
    assert.deepEqual(
      edges.map((edge) => edge.dependency),
      ['acme/db#1'],
    );
    assert.deepEqual(await stage.graph.dependentsOf(TENANT, { repo: 'acme/api', number: 12 }), []);
  });

  it('tells each dependent "unblocked" when its dependency merges, once, and sets it on the context', async function () {
    await run(pr('acme/web', 5, 'opened', { body: 'Depends on acme/api#12' }));
    await run(
      issue('acme/docs', 9, 'opened', { body: 'blocked by https://github.com/acme/api/pull/12' }),
    );
    await run(pr('acme/api', 12, 'opened'));
    const merged = await run(pr('acme/api', 12, 'closed', { state: 'merged' }));
    assert.deepEqual(merged.coordination?.map((notice) => notice.text).sort(), [
      'unblocked: acme/api#12 merged',
      'unblocked: acme/api#12 merged',
    ]);
    assert.deepEqual(
      merged.coordination
        ?.map((notice) => `${notice.dependent.repo}#${notice.dependent.number}`)
        .sort(),
      ['acme/docs#9', 'acme/web#5'],
    );
    assert.equal(posted.length, 2);
    // A redelivery of the same event changes nothing, so it says nothing.
    const again = await run(pr('acme/api', 12, 'closed', { state: 'merged' }));
    assert.deepEqual(again.coordination, []);
    assert.equal((await stage.load(TENANT, 'acme/web#5'))?.blockedBy, 0);
  });

  it('warns dependents when the dependency is reopened, reverted, or its CI turns red', async function () {
    await run(pr('acme/web', 5, 'opened', { body: 'requires acme/api#12' }));
    await run(pr('acme/api', 12, 'opened', { branch: 'feature-12' }));
    const red = await run(ci('acme/api', 'feature-12', 'failure'));
    assert.deepEqual(
      red.coordination?.map((notice) => [notice.kind, notice.change, notice.text]),
      [
        [
          'warning',
          'ci_failed',
          'heads up: acme/api#12 has failing checks; acme/web#5 depends on it',
        ],
      ],
    );
    assert.deepEqual(
      (await run(ci('acme/api', 'feature-12', 'failure'))).coordination,
      [],
      'red again is no news',
    );
    await run(pr('acme/api', 12, 'closed', { state: 'merged' }));
    await run(pr('acme/api', 13, 'opened', { body: 'Reverts acme/api#12' }));
    const reverted = await run(pr('acme/api', 13, 'closed', { state: 'merged' }));
    assert.deepEqual(
      reverted.coordination?.map((notice) => notice.text),
      ['heads up: acme/api#12 was reverted (by acme/api#13); acme/web#5 depends on it'],
    );
    await run(pr('acme/api', 12, 'reopened'));
    assert.equal(posted.at(-1)?.change, 'reopened');
  });

  it('links issues by GitHub sub-issue and dependency events, and removes them', async function () {
    const link = (added: boolean) =>
      anEvent('acme/api', {
        kind: 'issue_dependencies',
        action: added ? 'blocked_by_added' : 'blocked_by_removed',
        issueLink: {
          relation: 'blocked_by',
          dependent: { repo: 'acme/api', number: 1 },
          dependency: { repo: 'acme/db', number: 2 },
          added,
        },
      });
    await run(issue('acme/api', 1, 'opened'));
    await run(link(true));
    assert.equal((await stage.load(TENANT, 'acme/api#1'))?.blockedBy, 1);
    assert.deepEqual(
      (await stage.graph.dependentsOf(TENANT, { repo: 'acme/db', number: 2 })).map(
        (edge) => edge.relation,
      ),
      ['blocked_by'],
    );
    await run(link(false));
    assert.equal((await stage.load(TENANT, 'acme/api#1'))?.blockedBy, 0);
    // An issue first seen through the link event itself counts its blocker too.
    await run(
      anEvent('acme/api', {
        kind: 'issue_dependencies',
        action: 'blocked_by_added',
        target: { kind: 'issue', key: '#8', number: 8 },
        issueLink: {
          relation: 'blocked_by',
          dependent: { repo: 'acme/api', number: 8 },
          dependency: { repo: 'acme/db', number: 2 },
          added: true,
        },
      }),
    );
    assert.equal((await stage.load(TENANT, 'acme/api#8'))?.blockedBy, 1);
  });

  it('reports a cycle in the graph without following it forever', async function () {
    await run(pr('acme/a', 1, 'opened', { body: 'depends on acme/b#2' }));
    await run(pr('acme/b', 2, 'opened', { body: 'depends on acme/c#3' }));
    await run(pr('acme/c', 3, 'opened', { body: 'depends on acme/a#1' }));
    const walk = await stage.graph.blockers(TENANT, { repo: 'acme/a', number: 1 });
    assert.deepEqual(walk.reached, ['acme/a#1', 'acme/b#2', 'acme/c#3']);
    assert.deepEqual(walk.cycles, [['acme/a#1', 'acme/b#2', 'acme/c#3', 'acme/a#1']]);
  });

  it('keeps a train per repository and calls it at risk when blockers remain near the due date', async function () {
    const due = new Date(clock.now() + 2 * 24 * HOUR).toISOString();
    const milestone = { title: 'v2.0', dueOn: due };
    await run(pr('acme/api', 1, 'opened', { milestone }));
    await run(review('acme/api', 1, 'bob'));
    await run(pr('acme/web', 2, 'opened', { milestone, body: 'depends on acme/db#7' }));
    await run(issue('acme/web', 3, 'opened', { labels: ['train:v2.0'] }));
    const lines = await stage.trains.status(TENANT, 'v2.0', clock.now());
    assert.deepEqual(
      lines.map((line) => [
        line.repo,
        line.openPrs,
        line.openIssues,
        line.blocked,
        line.readyToMerge,
        line.atRisk,
      ]),
      [
        ['acme/api', 1, 0, 0, 1, false],
        ['acme/web', 1, 1, 1, 0, true],
      ],
    );
    assert.match(
      lines[1]!.text,
      /^acme\/web: 1 open PRs, 1 open issues, 1 blocked, 0 failing checks, 0 ready to merge; due \d{4}-\d\d-\d\d — at risk$/,
    );
  });

  it('counts the portfolio per org scope and named scope: opened, merged, review times, load, red time', async function () {
    await stage.scopes.define(TENANT, { name: 'platform', repos: ['acme/api'] });
    await run(pr('acme/api', 1, 'opened'));
    clock.advance(2 * HOUR);
    await run(review('acme/api', 1, 'bob'));
    clock.advance(2 * HOUR);
    await run(pr('acme/api', 1, 'closed', { state: 'merged' }));
    await run(ci('acme/api', 'main', 'failure'));
    clock.advance(HOUR / 2);
    await run(ci('acme/api', 'main', 'success'));
    await run(pr('acme/web', 2, 'opened'));
    for (const scope of ['org:acme', 'platform']) {
      const figures = await stage.portfolio.figures(TENANT, scope, 7, clock.now());
      assert.equal(figures.prsMerged, 1, scope);
      assert.equal(figures.redMinutes, 30, scope);
      assert.deepEqual(figures.reviewLoad, [{ login: 'bob', reviews: 1 }], scope);
      // Histogram buckets: 2 h is read back within one bucket (< 19%) above.
      assert.ok(
        figures.firstReview.p50! >= 2 * HOUR && figures.firstReview.p50! < 2.4 * HOUR,
        scope,
      );
      assert.ok(figures.toMerge.p90! >= 4 * HOUR && figures.toMerge.p90! < 4.8 * HOUR, scope);
    }
    assert.equal((await stage.portfolio.figures(TENANT, 'org:acme', 7, clock.now())).prsOpened, 2);
    assert.equal((await stage.portfolio.figures(TENANT, 'platform', 7, clock.now())).prsOpened, 1);
  });

  it('raises a review wait once, at the lead fraction of the SLA, and resolves it on review', async function () {
    await run(pr('acme/api', 1, 'opened'));
    clock.advance(11 * HOUR);
    assert.deepEqual(await stage.tick(TENANT), []);
    clock.advance(HOUR);
    const first = await stage.tick(TENANT);
    assert.deepEqual(
      first.map((i) => [i.rule, i.item]),
      [['review_wait', 'acme/api#1']],
    );
    assert.match(first[0]!.text, /waited 12h for a first review; the SLA is 24h/);
    clock.advance(HOUR);
    await run(pr('acme/api', 1, 'labeled'));
    assert.deepEqual(await stage.tick(TENANT), [], 'raised once');
    assert.equal(raised.length, 1);
    await run(review('acme/api', 1, 'bob'));
    assert.deepEqual(await stage.interventions.open(TENANT), []);
  });

  it('raises a red default branch, a waiting deployment and a PR not updated after its dependency merged', async function () {
    await run(ci('acme/api', 'main', 'failure'));
    await run(
      anEvent('acme/api', {
        kind: 'deployment_review',
        action: 'requested',
        target: { kind: 'workflow', key: 'run-1' },
      }),
    );
    await run(pr('acme/web', 5, 'opened', { body: 'depends on acme/api#12' }));
    await run(review('acme/web', 5, 'bob'));
    await run(pr('acme/api', 12, 'opened'));
    await run(review('acme/api', 12, 'bob'));
    clock.advance(HOUR);
    await run(pr('acme/api', 12, 'closed', { state: 'merged' }));
    clock.advance(3 * 24 * HOUR);
    const rules = (await stage.tick(TENANT)).map((i) => `${i.rule} ${i.item}`).sort();
    assert.deepEqual(rules, [
      'branch_red acme/api@main',
      'dependency_moved acme/web#5',
      'deployment_wait acme/api!deploy:run-1',
    ]);
  });

  it('does not raise what was resolved before its time', async function () {
    await run(pr('acme/api', 1, 'opened'));
    clock.advance(HOUR);
    await run(review('acme/api', 1, 'bob'));
    await run(ci('acme/api', 'main', 'failure'));
    clock.advance(HOUR / 4);
    await run(ci('acme/api', 'main', 'success'));
    clock.advance(7 * 24 * HOUR);
    assert.deepEqual(await stage.tick(TENANT), []);
  });
});
