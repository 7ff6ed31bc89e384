/** The stored graph: declared edges replaced per declaring item, GitHub links, expiry after a close. */
import assert from 'node:assert/strict';
import { DependencyGraph, EDGE_AFTER_CLOSE_MS } from '../../src/orchestration/dependency-graph.js';
import { parseDependencyMentions } from '../../src/orchestration/dependency-mentions.js';
import { manualStore, TENANT } from './orchestration-fixtures.js';

describe('dependency graph', function () {
  it('stores "closes" as the issue waiting for the PR, and an edit replaces only what that body declared', async function () {
    const { store, clock } = await manualStore();
    const graph = new DependencyGraph(store, clock);
    const pr = { repo: 'acme/api', number: 7 };
    await graph.declare(
      TENANT,
      pr,
      parseDependencyMentions('Fixes #3. Depends on acme/db#1', 'acme/api'),
    );
    await graph.link(TENANT, {
      relation: 'sub_issue',
      dependent: { repo: 'acme/api', number: 3 },
      dependency: { repo: 'acme/api', number: 4 },
      added: true,
    });
    const waitingOnIssue3 = await graph.dependenciesOf(TENANT, { repo: 'acme/api', number: 3 });
    assert.deepEqual(waitingOnIssue3.map((e) => [e.dependency, e.relation]).sort(), [
      ['acme/api#4', 'sub_issue'],
      ['acme/api#7', 'closes'],
    ]);
    await graph.declare(TENANT, pr, parseDependencyMentions('Nothing now.', 'acme/api'));
    assert.deepEqual(
      (await graph.dependenciesOf(TENANT, { repo: 'acme/api', number: 3 })).map((e) => e.relation),
      ['sub_issue'],
      "GitHub's link stays",
    );
    assert.deepEqual(await graph.dependenciesOf(TENANT, pr), []);
    await store.close();
  });

  it('ignores a body that names its own item', async function () {
    const { store, clock } = await manualStore();
    const graph = new DependencyGraph(store, clock);
    await graph.declare(
      TENANT,
      { repo: 'acme/api', number: 7 },
      parseDependencyMentions('depends on #7, fixes #7', 'acme/api'),
    );
    assert.deepEqual(await graph.dependentsOf(TENANT, { repo: 'acme/api', number: 7 }), []);
    await store.close();
  });

  it('starts an edge’s 30 days when an end closes, stops them when it reopens, and leaves out closed blockers', async function () {
    const { store, clock } = await manualStore();
    const graph = new DependencyGraph(store, clock);
    const web = { repo: 'acme/web', number: 1 };
    const api = { repo: 'acme/api', number: 2 };
    await graph.declare(TENANT, web, parseDependencyMentions('depends on acme/api#2', 'acme/web'));
    await graph.settle(TENANT, api, false);
    const [closed] = await store.queryRecords({
      kind: 'dependency_edge',
      tenantId: TENANT,
      limit: 5,
    });
    assert.equal(closed?.expiresAt, clock.now() + EDGE_AFTER_CLOSE_MS);
    assert.deepEqual(
      (await graph.blockers(TENANT, web)).reached,
      ['acme/web#1'],
      'a merged dependency blocks nothing',
    );
    await graph.settle(TENANT, api, true);
    const [open] = await store.queryRecords({
      kind: 'dependency_edge',
      tenantId: TENANT,
      limit: 5,
    });
    assert.equal(open?.expiresAt, undefined);
    assert.deepEqual((await graph.blockers(TENANT, web)).reached, ['acme/web#1', 'acme/api#2']);
    clock.advance(EDGE_AFTER_CLOSE_MS);
    await graph.settle(TENANT, web, false);
    clock.advance(EDGE_AFTER_CLOSE_MS);
    assert.deepEqual(await graph.dependentsOf(TENANT, api), [], 'gone 30 days after');
    await store.close();
  });
});
