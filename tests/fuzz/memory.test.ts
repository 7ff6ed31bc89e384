/**
 * No unbounded memory: thousands of fuzzed webhook requests against a Reynolds in a child
 * process with --expose-gc, heap measured after GC before and after. The bound is generous on
 * purpose (the check is for leaks that grow per request, not for tuning), so it is not flaky.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runs } from './fuzz-settings.js';

/** 2,000 requests leaking even 12 KB each would add 24 MB; a leak-free heap moves a few MB. */
const MAX_GROWTH_BYTES = 24 * 1024 * 1024;

describe('fuzz: memory under fuzzed webhook traffic', function () {
  this.timeout(120_000);
  it('heap after GC does not grow with thousands of fuzzed requests', () => {
    const measured = runs(2000);
    const result = spawnSync(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        pathToFileURL(path.resolve('node_modules/tsx/dist/esm/index.mjs')).href,
        path.resolve('tests/fuzz/memory-child.ts'),
        '500',
        String(measured),
      ],
      { encoding: 'utf8', timeout: 110_000 },
    );
    assert.equal(result.status, 0, result.stderr);
    const line = result.stdout.trim().split('\n').pop()!;
    const { before, after, requests, statuses5xx } = JSON.parse(line) as {
      before: number;
      after: number;
      requests: number;
      statuses5xx: number;
    };
    console.log(
      `      heap after GC: ${(before / 1048576).toFixed(1)} MB → ${(after / 1048576).toFixed(1)} MB over ${requests} fuzzed requests`,
    );
    assert.equal(statuses5xx, 0);
    assert.ok(
      after - before < MAX_GROWTH_BYTES,
      `heap grew ${((after - before) / 1048576).toFixed(1)} MB`,
    );
  });
});
