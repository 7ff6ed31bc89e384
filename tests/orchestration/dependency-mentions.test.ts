/**
 * The body parser: dependency phrases, closing keywords as GitHub defines them, reverts, code
 * skipped; and, by property, that no input makes it throw or return more than MAX_REFERENCES.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  MAX_REFERENCES,
  parseDependencyMentions,
} from '../../src/orchestration/dependency-mentions.js';
import { formatRef } from '../../src/orchestration/work-item-ref.js';

const HOME = 'acme/web';
const keys = (body: string) => {
  const found = parseDependencyMentions(body, HOME);
  return {
    dependsOn: found.dependsOn.map(formatRef),
    closes: found.closes.map(formatRef),
    reverts: found.reverts.map(formatRef),
  };
};

describe('dependency mentions', function () {
  it('reads each dependency phrase followed by a list of references in all three forms', function () {
    assert.deepEqual(
      keys('Depends on #12, acme/api#3 and https://github.com/acme/db/pull/9.').dependsOn,
      ['acme/web#12', 'acme/api#3', 'acme/db#9'],
    );
    assert.deepEqual(keys('blocked by: acme/api#1').dependsOn, ['acme/api#1']);
    assert.deepEqual(keys('This REQUIRES https://github.com/acme/api/issues/40').dependsOn, [
      'acme/api#40',
    ]);
    assert.deepEqual(keys('Land after #7 & #8').dependsOn, ['acme/web#7', 'acme/web#8']);
  });

  it('reads every closing keyword GitHub defines, with or without a colon, and nothing else', function () {
    for (const keyword of [
      'close',
      'closes',
      'closed',
      'fix',
      'fixes',
      'fixed',
      'resolve',
      'resolves',
      'resolved',
      'Closes:',
      'FIXES',
    ]) {
      assert.deepEqual(keys(`${keyword} #4`).closes, ['acme/web#4'], keyword);
    }
    assert.deepEqual(keys('closing #4, fixing #5, resolving #6').closes, []);
    assert.deepEqual(keys('Fixes acme/api#2, fixes #5').closes, ['acme/api#2', 'acme/web#5']);
  });

  it('reads the line GitHub writes for a revert', function () {
    assert.deepEqual(keys('Reverts acme/api#77\n\nThis broke prod.').reverts, ['acme/api#77']);
  });

  it('ignores references that are not after a keyword, inside code, or malformed', function () {
    assert.deepEqual(keys('see #3, mentioned in acme/api#4'), {
      dependsOn: [],
      closes: [],
      reverts: [],
    });
    assert.deepEqual(keys('`depends on #3`\n```\nblocked by #4\n```').dependsOn, []);
    assert.deepEqual(keys('depends on #5a, on#6, x#7 and #0').dependsOn, []);
    assert.deepEqual(keys('after all, #3 was fine').dependsOn, []);
  });

  it('keeps each reference once and at most MAX_REFERENCES in all', function () {
    assert.deepEqual(keys('depends on #1, #1 and acme/web#1').dependsOn, ['acme/web#1']);
    const many = `depends on ${Array.from({ length: 80 }, (_, i) => `#${i + 1}`).join(', ')}`;
    assert.equal(parseDependencyMentions(many, HOME).dependsOn.length, MAX_REFERENCES);
  });

  it('never throws and stays bounded, whatever the body (property)', function () {
    const words = [
      'depends on ',
      'blocked by ',
      'requires ',
      'after ',
      'fixes ',
      'closes: ',
      'Reverts ',
      '#',
      '12',
      'acme/api',
      '#3',
      ', ',
      ' and ',
      '`',
      '```',
      'https://github.com/acme/x/pull/',
      '\n',
      ' ',
    ];
    const soup = fc
      .array(fc.oneof(fc.constantFrom(...words), fc.string({ maxLength: 6 })), { maxLength: 60 })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(soup, fc.string({ unit: 'binary', maxLength: 400 })), (body) => {
        const found = parseDependencyMentions(body, HOME);
        const total = found.dependsOn.length + found.closes.length + found.reverts.length;
        assert.ok(total <= MAX_REFERENCES);
        for (const ref of [...found.dependsOn, ...found.closes, ...found.reverts])
          assert.ok(Number.isInteger(ref.number) && ref.number > 0);
      }),
      { numRuns: 3_000 },
    );
  });

  it('reads a body at the BODY_LIMIT of long separator runs without catastrophic backtracking', function () {
    // 16 KB of what a backtracking regex chokes on: a long list that never completes.
    const body = `depends on ${'#1 , '.repeat(3_000)}x`;
    const found = parseDependencyMentions(body, HOME);
    assert.deepEqual(found.dependsOn.map(formatRef), ['acme/web#1']);
  });
});
