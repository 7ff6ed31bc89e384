/**
 * The bounded walk: everything reachable, cycles reported as closing paths, and by property that
 * any graph (cycles, self-loops, dense or huge) ends within maxNodes visits.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { walkGraph } from '../../src/orchestration/graph-walk.js';

const graphOf = (edges: Record<string, string[]>) => (node: string) => edges[node] ?? [];

describe('graph walk', function () {
  it('reaches every item transitively, each once', async function () {
    const result = await walkGraph('a', graphOf({ a: ['b', 'c'], b: ['d'], c: ['d'], d: [] }));
    assert.deepEqual(result.reached, ['a', 'b', 'd', 'c']);
    assert.deepEqual(result.cycles, []);
    assert.equal(result.truncated, false);
  });

  it('reports a cycle as the path that closes it, and a self-loop', async function () {
    const result = await walkGraph('a', graphOf({ a: ['b'], b: ['c'], c: ['a', 'c'] }));
    assert.deepEqual(result.reached, ['a', 'b', 'c']);
    assert.deepEqual(result.cycles, [
      ['a', 'b', 'c', 'a'],
      ['c', 'c'],
    ]);
  });

  it('stops at maxNodes and says it did', async function () {
    const chain = (node: string) => [String(Number(node) + 1)];
    const result = await walkGraph('0', chain, 100);
    assert.equal(result.reached.length, 100);
    assert.equal(result.truncated, true);
  });

  it('walks a chain far longer than the call stack allows recursion for', async function () {
    const result = await walkGraph(
      '0',
      (node) => (Number(node) < 50_000 ? [String(Number(node) + 1)] : []),
      60_000,
    );
    assert.equal(result.reached.length, 50_001);
  });

  it('always ends, visits each node at most once, within maxNodes (property)', async function () {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 })), {
          maxLength: 200,
        }),
        fc.integer({ min: 1, max: 40 }),
        async (pairs, maxNodes) => {
          const edges: Record<string, string[]> = {};
          for (const [from, to] of pairs) (edges[String(from)] ??= []).push(String(to));
          let lookups = 0;
          const result = await walkGraph(
            '0',
            (node) => {
              lookups += 1;
              return edges[node] ?? [];
            },
            maxNodes,
          );
          assert.ok(result.reached.length <= maxNodes);
          assert.equal(new Set(result.reached).size, result.reached.length);
          assert.equal(lookups, result.reached.length, 'each node is expanded once');
          for (const cycle of result.cycles) assert.equal(cycle[0], cycle[cycle.length - 1]);
        },
      ),
      { numRuns: 500 },
    );
  });
});
