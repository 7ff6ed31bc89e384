/** Named scopes: validated with an answer that says what to fix, membership without case. */
import assert from 'node:assert/strict';
import { InvalidScopeError, PortfolioScopes } from '../../src/orchestration/portfolio-scopes.js';
import { manualStore, TENANT } from './orchestration-fixtures.js';

describe('portfolio scopes', function () {
  it('puts a repository in its org scope and every named set that lists it, with that set’s thresholds', async function () {
    const { store } = await manualStore();
    const scopes = new PortfolioScopes(store);
    await scopes.define(TENANT, {
      name: 'Platform',
      repos: ['Acme/API', 'acme/db'],
      thresholds: { reviewSlaMs: 3_600_000 },
    });
    await scopes.define(TENANT, { name: 'data', repos: ['acme/db'] });
    assert.deepEqual(await scopes.of(TENANT, 'acme/api'), {
      scopes: ['org:acme', 'platform'],
      thresholds: { reviewSlaMs: 3_600_000 },
    });
    assert.deepEqual((await scopes.of(TENANT, 'acme/db')).scopes.sort(), [
      'data',
      'org:acme',
      'platform',
    ]);
    assert.deepEqual(await scopes.of(TENANT, 'other/x'), { scopes: ['org:other'], thresholds: {} });
    await store.close();
  });

  it('refuses a bad name or repository list with a 400 that says what to fix', async function () {
    const { store } = await manualStore();
    const scopes = new PortfolioScopes(store);
    for (const [scope, message] of [
      [{ name: 'has space', repos: ['a/b'] }, /a scope name is letters/],
      [{ name: 'org:acme', repos: ['a/b'] }, /a scope name/],
      [{ name: 'ok', repos: [] }, /name at least one repository as owner\/repo/],
      [{ name: 'ok', repos: ['a/b', 'nope', 'x/y/z'] }, /not owner\/repo: nope, x\/y\/z/],
    ] as const) {
      await assert.rejects(
        scopes.define(TENANT, { ...scope, repos: [...scope.repos] }),
        (error: unknown) =>
          error instanceof InvalidScopeError && error.status === 400 && message.test(error.message),
      );
    }
    await store.close();
  });
});
