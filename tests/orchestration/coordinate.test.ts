/** Coordination as a pure function of (change, dependents' edges). */
import assert from 'node:assert/strict';
import { coordinate } from '../../src/orchestration/coordinate.js';
import type { DependencyEdge } from '../../src/orchestration/dependency-graph.js';

const edge = (
  dependent: string,
  dependency = 'acme/api#12',
  fields: Partial<DependencyEdge> = {},
): DependencyEdge => ({ dependent, dependency, relation: 'depends_on', closed: [], ...fields });

describe('coordinate', function () {
  it('unblocks each dependent once on a merge or a close', function () {
    const notices = coordinate(
      { item: 'acme/api#12', change: 'merged', url: 'https://github.com/acme/api/pull/12' },
      [
        edge('acme/web#5'),
        edge('acme/web#5', 'acme/api#12', { relation: 'closes' }),
        edge('acme/db#1'),
      ],
    );
    assert.deepEqual(
      notices.map((n) => [n.kind, `${n.dependent.repo}#${n.dependent.number}`, n.text, n.url]),
      [
        [
          'unblocked',
          'acme/web#5',
          'unblocked: acme/api#12 merged',
          'https://github.com/acme/api/pull/12',
        ],
        [
          'unblocked',
          'acme/db#1',
          'unblocked: acme/api#12 merged',
          'https://github.com/acme/api/pull/12',
        ],
      ],
    );
    assert.equal(
      coordinate({ item: 'acme/api#12', change: 'closed' }, [edge('acme/web#5')])[0]!.text,
      'unblocked: acme/api#12 was closed',
    );
  });

  it('warns on a reopen, a revert (naming the revert) and red checks', function () {
    assert.deepEqual(
      (['reopened', 'ci_failed'] as const).map(
        (change) => coordinate({ item: 'acme/api#12', change }, [edge('acme/web#5')])[0]!.text,
      ),
      [
        'heads up: acme/api#12 was reopened; acme/web#5 depends on it',
        'heads up: acme/api#12 has failing checks; acme/web#5 depends on it',
      ],
    );
    const [revert] = coordinate({ item: 'acme/api#12', change: 'reverted', by: 'acme/api#13' }, [
      edge('acme/web#5'),
    ]);
    assert.equal(revert!.kind, 'warning');
    assert.equal(
      revert!.text,
      'heads up: acme/api#12 was reverted (by acme/api#13); acme/web#5 depends on it',
    );
  });

  it('says nothing to a closed dependent, about another item, or for an unreadable key', function () {
    assert.deepEqual(
      coordinate({ item: 'acme/api#12', change: 'merged' }, [
        edge('acme/web#5', 'acme/api#12', { closed: ['acme/web#5'] }),
      ]),
      [],
    );
    assert.deepEqual(
      coordinate({ item: 'acme/api#12', change: 'merged' }, [edge('acme/web#5', 'acme/api#99')]),
      [],
    );
    assert.deepEqual(
      coordinate({ item: 'not a ref', change: 'merged' }, [edge('acme/web#5', 'not a ref')]),
      [],
    );
  });
});
